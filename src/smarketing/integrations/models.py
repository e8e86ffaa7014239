"""API tokens (and later: imports, exports, webhooks)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from smarketing.core.models import TimeStampedModel


class ApiToken(TimeStampedModel):
    """A bearer token for the REST API: shown once, stored as a SHA-256 hash."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True, default="")
    prefix = models.CharField(max_length=12, help_text="First characters, to recognise it.")
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    read_only = models.BooleanField(
        default=False, help_text="Read-only tokens may only GET (writes answer 403)."
    )
    # The rate limit's current one-minute window (see services.token_rate_check).
    window_started_at = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(token_hash=""), name="api_token_hash_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookSubscription(TimeStampedModel):
    """An outbound webhook: events POSTed as JSON, signed with HMAC-SHA256 of `secret`.

    A subscription whose delivery kept failing for the whole retry window is
    disabled (`is_active` False, `disabled_at`, `disabled_reason`) and admins are told.
    """

    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200)
    events = models.JSONField(default=list, help_text="Event names, e.g. ['sla.breached'].")
    is_active = models.BooleanField(default=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True, default="")
    consecutive_failures = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} -> {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscription; delivered at most once (`delivered_at`) unless
    an admin resends it. Retried with backoff until `delivered_at` or `failed_at`
    (given up after the retry window); every attempt is a WebhookAttempt row."""

    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=100)
    event_id = models.CharField(max_length=200)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField()
    attempts = models.PositiveIntegerField(default=0)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=1000, blank=True, default="")
    delivered_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "event_id"], name="webhook_delivery_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.event_id} -> {self.subscription_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery: the receiver's status code (None: no answer) and error."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField()
    status = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=1000, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} @ {self.at:%Y-%m-%d %H:%M:%S}: {self.status}"

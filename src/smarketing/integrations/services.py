"""Writes for API tokens and webhook subscriptions."""

from __future__ import annotations

import hashlib
import math
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from smarketing.core.errors import NotFound, PermissionDenied, RateLimited, ValidationFailed
from smarketing.core.events import EVENTS
from smarketing.core.models import Notification, Role
from smarketing.integrations import webhooks
from smarketing.integrations.models import (
    ApiToken,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

TOKEN_PREFIX = "smk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user: Any, name: str = "", read_only: bool = False) -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored. A read-only
    token may only read (GET, HEAD, OPTIONS)."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw), read_only=read_only
    )
    return token, raw


def token_revoke(*, token_id: int, actor: Any) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(f"token {token_id} not found or already revoked", field="id")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    return token


def token_authenticate(raw: str) -> Any | None:
    """Return the active user of a raw token (recording its use), or None."""
    token = token_lookup(raw)
    return token.user if token is not None else None


def token_lookup(raw: str) -> ApiToken | None:
    """The active token of a raw value with its user (recording its use), or None."""
    token = (
        ApiToken.objects.select_related("user", "user__profile")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_WINDOW = timedelta(minutes=1)


def token_check_request(*, token: ApiToken, method: str) -> None:
    """Refuse a write with a read-only token (403) and a request over the token's
    rate limit (429 with the seconds to wait)."""
    if token.read_only and method.upper() not in SAFE_METHODS:
        raise PermissionDenied(
            "token: this API token is read-only; create a read-write token to write",
            field="token",
        )
    token_rate_check(token=token, limit=settings.API_RATE_LIMIT)


def token_rate_check(*, token: ApiToken, limit: int, now: Any = None) -> None:
    """Count one request in the token's one-minute window with conditional UPDATEs
    (exact with several server processes); `limit` 0 means no limit."""
    if limit <= 0:
        return
    now = now or timezone.now()
    cutoff = now - RATE_WINDOW
    mine = ApiToken.objects.filter(pk=token.pk)
    if mine.filter(window_started_at__gt=cutoff, window_count__lt=limit).update(
        window_count=F("window_count") + 1
    ):
        return
    fresh = Q(window_started_at__isnull=True) | Q(window_started_at__lte=cutoff)
    if mine.filter(fresh).update(window_started_at=now, window_count=1):
        return
    started = mine.values_list("window_started_at", flat=True).first() or now
    wait = max(1, math.ceil((started + RATE_WINDOW - now).total_seconds()))
    raise RateLimited(
        f"token: more than {limit} requests a minute; retry in {wait} s",
        field="token", retry_after=wait,
    )


# --- webhook subscriptions -------------------------------------------------------

WEBHOOK_FIELDS = frozenset({"name", "url", "events", "is_active"})


def _check_webhook_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - WEBHOOK_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed(f"{name}: not a webhook field", field=name)
    if "url" in fields and not str(fields["url"]).startswith(("http://", "https://")):
        raise ValidationFailed("url: must start with http:// or https://", field="url")
    if "name" in fields and not str(fields["name"]).strip():
        raise ValidationFailed("name: required", field="name")
    if "events" in fields:
        events = list(dict.fromkeys(fields["events"]))
        wrong = [e for e in events if e not in EVENTS]
        if wrong or not events:
            raise ValidationFailed(
                f"events: unknown event {wrong[0]!r}" if wrong else "events: choose at least one",
                field="events",
            )
        fields["events"] = events
    return fields


@transaction.atomic
def webhook_create(*, actor: Any, name: str, url: str, events: list[str]) -> WebhookSubscription:
    """Subscribe `url` to `events`; the generated secret is on the returned object."""
    fields = _check_webhook_fields({"name": name, "url": url, "events": events})
    return WebhookSubscription.objects.create(
        **fields, secret="whsec_" + secrets.token_urlsafe(32)
    )


@transaction.atomic
def webhook_update(
    *, subscription: WebhookSubscription, actor: Any, **fields: Any
) -> WebhookSubscription:
    """Change fields; re-activating clears the disabled state and the failure count."""
    for name, value in _check_webhook_fields(fields).items():
        setattr(subscription, name, value)
    if fields.get("is_active"):
        subscription.disabled_at, subscription.disabled_reason = None, ""
        subscription.consecutive_failures = 0
    subscription.save()
    return subscription


def webhook_delete(*, subscription: WebhookSubscription, actor: Any) -> None:
    subscription.delete()


@transaction.atomic
def webhook_rotate_secret(*, subscription: WebhookSubscription, actor: Any) -> str:
    subscription.secret = "whsec_" + secrets.token_urlsafe(32)
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription.secret


@transaction.atomic
def webhook_disable(*, subscription: WebhookSubscription, reason: str) -> bool:
    """Disable a failing subscription once and tell every admin (in-app notification)."""
    now = timezone.now()
    won = WebhookSubscription.objects.filter(pk=subscription.pk, is_active=True).update(
        is_active=False, disabled_at=now, disabled_reason=reason[:300], updated_at=now
    )
    if not won:
        return False
    admins = User.objects.filter(
        Q(is_superuser=True) | Q(profile__role=Role.ADMIN), is_active=True
    ).distinct()
    Notification.objects.bulk_create(
        [
            Notification(
                user=admin, kind="webhook.disabled", created_at=now,
                title=f"Webhook disabled: {subscription.name}"[:200], body=reason[:1000],
                url=f"/integrations/webhooks/{subscription.pk}/",
                dedupe_key=f"webhook.disabled:{subscription.pk}:{now.isoformat()}",
            )
            for admin in admins
        ]
    )
    return True


@transaction.atomic
def webhook_resend(*, delivery: WebhookDelivery, actor: Any) -> WebhookDelivery:
    """Send a delivery again (delivered or failed alike); the receiver dedupes by `id`."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        delivered_at=None, failed_at=None, next_attempt_at=timezone.now()
    )
    delivery.refresh_from_db()
    webhooks.queue(delivery, tag=f":resend:{secrets.token_hex(4)}")
    return delivery


def webhook_ping(*, subscription: WebhookSubscription, actor: Any) -> WebhookAttempt:
    """POST a `ping` event now (outside the queue) and return the logged attempt."""
    now = timezone.now()
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event="ping", event_id=f"ping:{secrets.token_hex(8)}",
        payload={"subscription_id": subscription.pk, "name": subscription.name},
        created_at=now,
    )
    result = webhooks.attempt(delivery)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=1, last_status=result.status, last_error=result.error,
        delivered_at=None if result.error else result.at,
        failed_at=result.at if result.error else None,
    )
    return result

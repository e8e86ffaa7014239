"""Sources (write keys), append-only events, and the debugger's log of unstored messages."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from smarketing.core.models import TimeStampedModel
from smarketing.people.models import Company, Contact


class SourceKind(models.TextChoices):
    WEBSITE = "website", "Website"
    SERVER = "server", "Server"
    EMAIL_TOOL = "email_tool", "Email tool"
    IMPORT = "import", "Import"


class Source(TimeStampedModel):
    """Where events come from. Its write key can only write events, never read anything.

    The key is shown once (on creation and rotation); only its SHA-256 hash is kept.
    """

    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    key_prefix = models.CharField(max_length=12, help_text="First characters, to recognise it.")
    key_hash = models.CharField(max_length=64, unique=True)
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    rejected_count = models.PositiveBigIntegerField(default=0)
    duplicate_count = models.PositiveBigIntegerField(default=0)
    rate_limit = models.PositiveIntegerField(
        default=0, help_text="Most messages accepted per minute; 0 = no limit."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=SourceKind.values), name="source_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(key_hash=""), name="source_key_set"),
            models.CheckConstraint(condition=~models.Q(name=""), name="source_name_set"),
        ]

    def __str__(self) -> str:
        return self.name


class EventType(models.TextChoices):
    IDENTIFY = "identify", "Identify"
    TRACK = "track", "Track"
    PAGE = "page", "Page"
    SCREEN = "screen", "Screen"
    GROUP = "group", "Group"
    ALIAS = "alias", "Alias"


class Event(models.Model):
    """One accepted message of the tracking API. Append-only: never edited, except that
    `contact` is filled in when the visitor is identified (stitching) or merged.

    `properties` holds a track/page/screen message's properties and an identify or
    group message's traits. Sessions are not stored: they are derived from the
    timestamps (selectors.web_metrics), so late and stitched events always count right.
    """

    source = models.ForeignKey(Source, on_delete=models.PROTECT, db_index=False, related_name="+")
    message_id = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=EventType.choices)
    name = models.CharField(max_length=200, blank=True, default="")
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, db_index=False,
        related_name="events",
    )
    anonymous_id = models.CharField(max_length=200, blank=True, default="")
    user_id = models.CharField(max_length=200, blank=True, default="")
    group_id = models.CharField(max_length=200, blank=True, default="")
    previous_id = models.CharField(max_length=200, blank=True, default="")
    timestamp = models.DateTimeField(help_text="When it happened (clock-skew corrected).")
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    properties = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    utm_source = models.CharField(max_length=200, blank=True, default="")
    utm_medium = models.CharField(max_length=200, blank=True, default="")
    utm_campaign = models.CharField(max_length=200, blank=True, default="")
    utm_term = models.CharField(max_length=200, blank=True, default="")
    utm_content = models.CharField(max_length=200, blank=True, default="")
    referrer = models.TextField(blank=True, default="")
    page_url = models.TextField(blank=True, default="")
    page_path = models.TextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "message_id"], name="event_message_unique"),
            models.CheckConstraint(
                condition=models.Q(type__in=EventType.values), name="event_type_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(anonymous_id="", user_id=""), name="event_has_an_id"
            ),
        ]
        indexes = [
            models.Index(fields=["timestamp"], name="event_timestamp"),
            models.Index(fields=["contact", "timestamp"], name="event_contact_ts"),
            models.Index(fields=["anonymous_id", "timestamp"], name="event_anonymous_ts"),
            models.Index(fields=["user_id"], name="event_user"),
            models.Index(fields=["type", "name", "timestamp"], name="event_type_name_ts"),
            models.Index(fields=["source", "id"], name="event_source_recent"),
            # covers web_metrics (selectors.py): page/track events of a period read
            # from the index alone, without a table lookup per event
            models.Index(fields=["type", "timestamp", "contact", "anonymous_id", "user_id",
                                 "id"], name="event_web_kpi"),
            # GET /api/v1/events?utm_campaign=: only the events that carry a campaign
            models.Index(fields=["utm_campaign", "timestamp"], name="event_utm_campaign_ts",
                         condition=~models.Q(utm_campaign="")),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.name}".strip()


class DebugStatus(models.TextChoices):
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate"


class DebugMessage(models.Model):
    """A message that was received but not stored (rejected, or a duplicate), for the
    source's debugger; only the newest DEBUG_KEEP per source are kept."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=DebugStatus.choices)
    type = models.CharField(max_length=20, blank=True, default="")
    name = models.CharField(max_length=200, blank=True, default="")
    message_id = models.CharField(max_length=200, blank=True, default="")
    field = models.CharField(max_length=100, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")
    payload = models.TextField(blank=True, default="", help_text="The message, cut to 2 KB.")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DebugStatus.values), name="debug_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status}: {self.reason}"


class RateWindow(models.Model):
    """Messages received per source and minute, for sources with a rate limit."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    messages = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "minute"], name="rate_window_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source_id} {self.minute}: {self.messages}"


class GroupLink(TimeStampedModel):
    """A Segment group id, resolved once to the company it names."""

    group_id = models.CharField(max_length=200, unique=True)
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.group_id} → {self.company_id}"


class HostedForm(TimeStampedModel):
    """A lead-capture form served by Smarketing at /f/<slug>/ (and embeddable in an iframe).

    `fields`: [{"name": "email", "label": "Email", "type": "email", "required": true}, ...];
    a field's name is the trait it sends, so it maps to a contact field or custom
    property as identify traits do (docs/tracking.md). Submissions are the form's
    source's events: identify + "Form Submitted", exactly like the tracking path.
    """

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="forms")
    fields = models.JSONField(default=list)
    form_type = models.CharField(
        max_length=30, blank=True, default="", help_text='"newsletter" keeps a subscriber.'
    )
    consent_text = models.CharField(
        max_length=500, blank=True, default="",
        help_text="When set, a checkbox with this text must be ticked.",
    )
    thank_you_text = models.CharField(max_length=500, blank=True, default="Thank you!")
    redirect_url = models.URLField(blank=True, default="")
    asset_url = models.URLField(blank=True, default="", help_text="Offered after submitting.")
    enabled = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.name

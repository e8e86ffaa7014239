"""Campaigns with their UTM keys, costs, daily channel metrics and content assets.

Money is Decimal in the organisation's currency. UTM keys are stored lower-case and
trimmed (services normalise them), so resolution (campaigns/resolution.py) compares
case-insensitively without functions on the column.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from smarketing.core.models import TimeStampedModel


class Channel(models.TextChoices):
    PAID_SEARCH = "paid_search", "Paid search"
    PAID_SOCIAL = "paid_social", "Paid social"
    ORGANIC_SOCIAL = "organic_social", "Organic social"
    EMAIL = "email", "Email"
    CONTENT_SEO = "content_seo", "Content / SEO"
    EVENTS_WEBINARS = "events_webinars", "Events and webinars"
    REFERRAL = "referral", "Referral"
    DIRECT = "direct", "Direct"
    DISPLAY = "display", "Display"
    OTHER = "other", "Other"


class CampaignStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    COMPLETED = "completed", "Completed"


class Campaign(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    utm_campaign = models.CharField(max_length=200, help_text="Lower-case utm_campaign value.")
    utm_source = models.CharField(max_length=200, blank=True, default="")
    utm_medium = models.CharField(max_length=200, blank=True, default="")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="campaigns",
    )
    status = models.CharField(
        max_length=20, choices=CampaignStatus.choices, default=CampaignStatus.PLANNED
    )

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["utm_campaign", "utm_source", "utm_medium"], name="campaign_utm_unique"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="campaign_name_set"),
            models.CheckConstraint(condition=~Q(utm_campaign=""), name="campaign_utm_set"),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="campaign_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CampaignStatus.values), name="campaign_status_valid"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="campaign_budget_positive"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="campaign_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CostKind(models.TextChoices):
    LUMP_SUM = "lump_sum", "Lump sum on a date"
    DAILY = "daily", "Daily amount over a date range"


class CampaignCost(TimeStampedModel):
    """A lump sum (`amount` on `start_date`, end = start) or a daily amount charged on
    every day from `start_date` to `end_date` inclusive."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="costs")
    kind = models.CharField(max_length=10, choices=CostKind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    start_date = models.DateField()
    end_date = models.DateField()
    note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=CostKind.values), name="cost_kind_valid"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_amount_positive"),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="cost_dates_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(kind=CostKind.LUMP_SUM) | Q(end_date=F("start_date")),
                name="cost_lump_sum_one_day",
            ),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"], name="cost_dates")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.amount} ({self.kind})"


class ChannelMetric(models.Model):
    """One day of an ad platform's numbers for a campaign. `spend` is the platform's
    cost for the day and counts as campaign spend (do not enter it again as a cost)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="metrics")
    day = models.DateField()
    impressions = models.PositiveBigIntegerField(default=0)
    clicks = models.PositiveBigIntegerField(default=0)
    spend = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    likes = models.PositiveBigIntegerField(default=0)
    shares = models.PositiveBigIntegerField(default=0)
    comments = models.PositiveBigIntegerField(default=0)
    video_views = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["day"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "day"], name="metric_campaign_day"),
            models.CheckConstraint(condition=Q(spend__gte=0), name="metric_spend_positive"),
        ]
        indexes = [models.Index(fields=["day"], name="metric_day")]

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.day}"


class AssetType(models.TextChoices):
    EBOOK = "ebook", "Ebook"
    WHITEPAPER = "whitepaper", "Whitepaper"
    CASE_STUDY = "case_study", "Case study"
    WEBINAR = "webinar", "Webinar"
    BUYERS_GUIDE = "buyers_guide", "Buyer's guide"
    BLOG_POST = "blog_post", "Blog post"
    VIDEO = "video", "Video"
    TEMPLATE = "template", "Template"


class ContentAsset(TimeStampedModel):
    """A piece of content. Tracking events reference it with `properties.asset_id`."""

    title = models.CharField(max_length=300)
    type = models.CharField(max_length=20, choices=AssetType.choices)
    url = models.URLField(max_length=1000, blank=True, default="")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="assets"
    )
    gated = models.BooleanField(default=False)

    class Meta:
        ordering = ["title", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="asset_title_set"),
            models.CheckConstraint(
                condition=Q(type__in=AssetType.values), name="asset_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AssetShare(models.Model):
    """A person sent an asset to a contact. The sending is logged as an email activity
    (pipeline), so it shows on the contact's timeline and counts as a follow-up."""

    asset = models.ForeignKey(ContentAsset, on_delete=models.CASCADE, related_name="shares")
    contact = models.ForeignKey(
        "people.Contact", on_delete=models.CASCADE, related_name="asset_shares"
    )
    activity = models.OneToOneField(
        "pipeline.Activity", on_delete=models.CASCADE, related_name="asset_share"
    )
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["asset", "at"], name="asset_share_asset")]

    def __str__(self) -> str:
        return f"{self.asset_id} -> {self.contact_id}"


class TouchPoint(models.Model):
    """A contact event that may be a touch: it carries a utm_campaign or names an asset
    (`properties.asset_id`). Materialised from the events (campaigns/touches.py) so that
    attribution reads touches by (contact, time) instead of parsing every event.

    The raw UTM values are kept so `campaign` can be re-resolved when campaigns change;
    `asset_ref` is the id the event named (the asset may not exist: the attribution
    query joins it). A merge repoints `contact` like every other contact relation.
    """

    event = models.OneToOneField(
        "tracking.Event", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    contact = models.ForeignKey(  # a named relation, so a merge repoints it
        "people.Contact", on_delete=models.CASCADE, db_index=False, related_name="touch_points"
    )
    at = models.DateTimeField()
    utm_campaign = models.CharField(max_length=200, blank=True, default="")
    utm_source = models.CharField(max_length=200, blank=True, default="")
    utm_medium = models.CharField(max_length=200, blank=True, default="")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, db_index=False,
        related_name="+",
    )
    asset_ref = models.BigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["contact", "at"], name="touch_contact_at"),
            models.Index(fields=["utm_campaign", "utm_source", "utm_medium", "campaign"],
                         name="touch_utm_campaign"),
            models.Index(fields=["campaign"], name="touch_campaign"),
        ]

    def __str__(self) -> str:
        return f"touch {self.event_id}"


class TouchSync(models.Model):
    """One row: how far the touch points have been materialised (the last event id
    read) and the campaigns' fingerprint they were resolved against."""

    last_event_id = models.BigIntegerField(default=0)
    campaigns_fingerprint = models.CharField(max_length=100, blank=True, default="")
    assets_fingerprint = models.CharField(max_length=100, blank=True, default="")
    last_merge_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(
        null=True, blank=True,
        help_text="When the last attribution refresh began: the rollup's as-of time")

    def __str__(self) -> str:
        return f"touches up to event {self.last_event_id}"


class DealAttributionState(models.Model):
    """Whether a deal's attribution rows (DealAttribution) must be computed again.

    Database triggers (migration 0003) mark a deal stale when it is created, when its
    amount, status, created or closed moment changes, when a contact link is added,
    removed or repointed, and when one of its contacts' reached(lead) changes, by any
    code path; campaigns/touches.py marks the deals whose contacts' touch points
    changed. campaigns/rollup.py computes stale deals again before any read."""

    deal = models.OneToOneField(
        "pipeline.Deal", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    stale = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["stale"], name="attr_state_stale")]

    def __str__(self) -> str:
        return f"deal {self.deal_id}{' (stale)' if self.stale else ''}"


class DealAttribution(models.Model):
    """A deal's attributed cents for one basis and model, per campaign (the touch's
    campaign, or its asset's; NULL: an asset without a campaign; 0: the deal has no
    touch, "(none)"). Only touches with a positive weight have a row."""

    deal = models.ForeignKey(
        "pipeline.Deal", on_delete=models.CASCADE, db_index=False, related_name="+"
    )
    basis = models.CharField(max_length=10)
    model = models.CharField(max_length=12)
    at = models.DateTimeField(help_text="The conversion: created (pipeline) or won (revenue).")
    campaign_id = models.BigIntegerField(null=True, blank=True)
    cents = models.BigIntegerField()
    channel = models.CharField(
        max_length=20, blank=True, default="",
        help_text="The channel key: the campaign's channel, content_seo without a campaign, "
                  "empty for (none).")
    channel_deal = models.PositiveSmallIntegerField(
        default=0, help_text="1 on one row per deal and channel: counts the deal once.")

    class Meta:
        indexes = [
            models.Index(fields=["basis", "model", "at", "campaign_id", "deal", "cents",
                                 "channel", "channel_deal"],
                         name="attr_basis_model_at"),  # covers the read of partial days
            models.Index(fields=["deal", "basis", "model"], name="attr_deal"),
            models.Index(fields=["campaign_id", "channel", "deal"], name="attr_campaign"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id} {self.basis} {self.model}: {self.cents}"


class AttributionDay(models.Model):
    """One UTC day's attributed cents and number of deals for a basis, model and item:
    `kind` campaign (item: the campaign id, -1 without a campaign, 0 for "(none)") or
    channel (item: the channel, content_seo without a campaign, empty for "(none)").
    The sums of the DealAttribution rows of the deals converted that day, kept equal to
    them by campaigns/rollup.py (rows added) and a database trigger (rows deleted, by
    any code path: migration 0005), so a year is read from about 365 rows per key."""

    basis = models.CharField(max_length=10)
    model = models.CharField(max_length=12)
    kind = models.CharField(max_length=8)
    day = models.DateField()
    item = models.CharField(max_length=20, blank=True)
    cents = models.BigIntegerField()
    deals = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["basis", "model", "kind", "day", "item"],
                                    name="attr_day_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.basis} {self.model} {self.kind} {self.item}: {self.cents}"


"""Companies, contacts, their identities, custom properties and stage history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from smarketing.core.models import Region, TimeStampedModel


class Stage(models.TextChoices):
    """Lifecycle stages of shared/KPI.md, in funnel order; `other` is outside it."""

    SUBSCRIBER = "subscriber", "Subscriber"
    LEAD = "lead", "Lead"
    MQL = "mql", "MQL"
    SQL = "sql", "SQL"
    OPPORTUNITY = "opportunity", "Opportunity"
    CUSTOMER = "customer", "Customer"
    EVANGELIST = "evangelist", "Evangelist"
    OTHER = "other", "Other"


ORDERED_STAGES: tuple[str, ...] = (
    Stage.SUBSCRIBER, Stage.LEAD, Stage.MQL, Stage.SQL,
    Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.EVANGELIST,
)


_RANKS = {stage: rank for rank, stage in enumerate(ORDERED_STAGES)}


def stage_rank(stage: str) -> int:
    """Position in the funnel order; -1 for `other`."""
    return _RANKS.get(stage, -1)


class LeadStatus(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    OPEN_DEAL = "open_deal", "Open deal"
    UNQUALIFIED = "unqualified", "Unqualified"
    ATTEMPTED_TO_CONTACT = "attempted_to_contact", "Attempted to contact"
    CONNECTED = "connected", "Connected"
    BAD_TIMING = "bad_timing", "Bad timing"
    RECYCLED = "recycled", "Recycled"


class SourceChannel(models.TextChoices):
    """Original / latest source channels (HubSpot's list)."""

    ORGANIC_SEARCH = "organic_search", "Organic search"
    PAID_SEARCH = "paid_search", "Paid search"
    EMAIL = "email", "Email marketing"
    ORGANIC_SOCIAL = "organic_social", "Organic social"
    PAID_SOCIAL = "paid_social", "Paid social"
    REFERRAL = "referral", "Referrals"
    DIRECT = "direct", "Direct traffic"
    EVENT = "event", "Events"
    OTHER_CAMPAIGNS = "other_campaigns", "Other campaigns"
    OFFLINE = "offline", "Offline sources"
    IMPORT = "import", "Import"
    SALES = "sales", "Sales prospecting"


class Company(TimeStampedModel):
    name = models.CharField(max_length=200)
    domain = models.CharField(max_length=200, blank=True, default="")
    industry = models.CharField(max_length=100, blank=True, default="")
    employee_count = models.PositiveIntegerField(null=True, blank=True)
    annual_revenue = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    country = models.CharField(max_length=2, blank=True, default="", help_text="ISO 3166 alpha-2")
    region = models.CharField(max_length=8, choices=Region.choices, blank=True, default="")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="companies",
    )
    properties = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "companies"
        constraints = [
            models.UniqueConstraint(
                fields=["domain"], condition=~models.Q(domain=""), name="company_domain_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(region__in=["", *Region.values]), name="company_region_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(annual_revenue__isnull=True) | models.Q(annual_revenue__gte=0),
                name="company_revenue_non_negative",
            ),
        ]
        indexes = [
            models.Index(Lower("name"), name="company_name_lower"),
            models.Index(fields=["owner", "created_at"], name="company_owner_created"),
            models.Index(fields=["domain"], name="company_domain"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    email = models.CharField(max_length=254, blank=True, default="")
    first_name = models.CharField(max_length=100, blank=True, default="")
    last_name = models.CharField(max_length=100, blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    phone = models.CharField(max_length=50, blank=True, default="")
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="contacts",
    )
    lifecycle_stage = models.CharField(
        max_length=20, choices=Stage.choices, default=Stage.SUBSCRIBER
    )
    lead_status = models.CharField(
        max_length=30, choices=LeadStatus.choices, blank=True, default=""
    )
    lead_status_reason = models.CharField(max_length=300, blank=True, default="")
    original_source = models.CharField(
        max_length=30, choices=SourceChannel.choices, blank=True, default=""
    )
    original_campaign = models.CharField(max_length=200, blank=True, default="")
    latest_source = models.CharField(
        max_length=30, choices=SourceChannel.choices, blank=True, default=""
    )
    latest_campaign = models.CharField(max_length=200, blank=True, default="")
    properties = models.JSONField(default=dict, blank=True)
    # First time the contact reached each stage; kept consistent with StageChange.
    became_subscriber_at = models.DateTimeField(null=True, blank=True)
    became_lead_at = models.DateTimeField(null=True, blank=True)
    became_mql_at = models.DateTimeField(null=True, blank=True)
    became_sql_at = models.DateTimeField(null=True, blank=True)
    became_opportunity_at = models.DateTimeField(null=True, blank=True)
    became_customer_at = models.DateTimeField(null=True, blank=True)
    became_evangelist_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["email"], condition=~models.Q(email=""), name="contact_email_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(lifecycle_stage__in=Stage.values), name="contact_stage_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(lead_status__in=["", *LeadStatus.values]),
                name="contact_lead_status_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="contact_created"),
            models.Index(fields=["lifecycle_stage", "-created_at", "-id"], name="contact_stage"),
            models.Index(fields=["owner", "-created_at", "-id"], name="contact_owner"),
            models.Index(fields=["-updated_at", "-id"], name="contact_updated"),
            models.Index(Lower("last_name"), "id", name="contact_last_name_lower"),
            models.Index(Lower("first_name"), "id", name="contact_first_name_lower"),
            models.Index(fields=["company"], name="contact_company"),
            models.Index(fields=["email"], name="contact_email"),
            # entered(S, P) ranges, covering the later stages (cohort counts, velocity)
            # and the previous one (period-view velocity): index-only funnel queries.
            models.Index(fields=["became_lead_at", "became_mql_at", "became_sql_at",
                                 "became_opportunity_at", "became_customer_at"],
                         name="contact_reached_lead"),
            models.Index(fields=["became_mql_at", "became_lead_at", "became_sql_at",
                                 "became_opportunity_at", "became_customer_at"],
                         name="contact_reached_mql"),
            models.Index(fields=["became_sql_at", "became_mql_at", "became_opportunity_at",
                                 "became_customer_at"], name="contact_reached_sql"),
            models.Index(fields=["became_opportunity_at", "became_sql_at", "became_customer_at"],
                         name="contact_reached_opp"),
            models.Index(fields=["became_customer_at", "became_opportunity_at"],
                         name="contact_reached_customer"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email or f"Contact {self.pk}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def reached_at(self, stage: str) -> object:
        return getattr(self, f"became_{stage}_at", None)

    def _scores(self) -> Score:
        try:
            return self.scores
        except Score.DoesNotExist:  # not saved yet
            return Score(fit=0, engagement=0, total=0)

    @property
    def score(self) -> int:
        """The contact's score (fit + engagement), from its Score row: select_related
        ("scores") when reading many."""
        return self._scores().total

    @property
    def fit_score(self) -> int:
        return self._scores().fit

    @property
    def engagement_score(self) -> int:
        return self._scores().engagement


class Score(models.Model):
    """A contact's score, kept by scoring (0 until a scoring model runs): a narrow row
    of its own, so that rescoring writes it and not the contact's wide row and its
    many indexes (on PostgreSQL every such update is a new row version in each of
    them). Every contact has one (people/scores.py: a trigger on PostgreSQL, added by
    id on SQLite), so lists sorted by score walk this table's index."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, primary_key=True,
                                   related_name="scores")
    fit = models.IntegerField(default=0)
    engagement = models.IntegerField(default=0)
    total = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["-total", "-contact"], name="score_total")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.total}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", "Email"
    ANONYMOUS_ID = "anonymous_id", "Anonymous id"
    USER_ID = "user_id", "User id"


class Identity(TimeStampedModel):
    """A way to recognise a contact; each (kind, value) belongs to one contact."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=20, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)

    class Meta:
        verbose_name_plural = "identities"
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=IdentityKind.values), name="identity_kind_valid"
            ),
            models.CheckConstraint(condition=~models.Q(value=""), name="identity_value_set"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class Cause(models.TextChoices):
    """What moved a contact's stage when no person did (or on whose behalf one did)."""

    MANUAL = "manual", "By hand"
    TRACKING = "tracking", "Tracking"
    IMPORT = "import", "Import"
    SCORING = "scoring", "Scoring"
    HANDOFF = "handoff", "Handoff"
    PIPELINE = "pipeline", "Pipeline"
    RECYCLE = "recycle", "Recycle"
    MERGE = "merge", "Merge"


class StageChange(models.Model):
    """One row per lifecycle move: the history that funnel KPIs read."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True, default="")
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    cause = models.CharField(max_length=20, choices=Cause.choices)
    reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(to_stage__in=Stage.values), name="stage_change_to_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(from_stage=models.F("to_stage")),
                name="stage_change_moves",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "at"], name="stage_change_contact_at"),
            models.Index(fields=["to_stage", "at"], name="stage_change_to_at"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.from_stage or '∅'} → {self.to_stage} at {self.at}"


class PropertyObject(models.TextChoices):
    CONTACT = "contact", "Contact"
    COMPANY = "company", "Company"


class PropertyType(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    DATE = "date", "Date"
    BOOL = "bool", "Yes / no"
    CHOICE = "choice", "Choice"


class PropertyDefinition(TimeStampedModel):
    """An admin-defined custom property of contacts or companies."""

    object_type = models.CharField(max_length=10, choices=PropertyObject.choices)
    name = models.SlugField(max_length=60, help_text="Key in the API and imports (snake_case).")
    label = models.CharField(max_length=100)
    type = models.CharField(max_length=10, choices=PropertyType.choices)
    choices = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["object_type", "name"], name="property_name_unique"),
            models.CheckConstraint(
                condition=models.Q(type__in=PropertyType.values), name="property_type_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(object_type__in=PropertyObject.values),
                name="property_object_valid",
            ),
        ]
        ordering = ["object_type", "name"]

    def __str__(self) -> str:
        return f"{self.object_type}.{self.name}"


class ContactMerge(models.Model):
    """Record of a merge: which contact was folded into which, with a full snapshot."""

    primary = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="merges")
    merged_contact_id = models.BigIntegerField()
    merged_email = models.CharField(max_length=254, blank=True, default="")
    snapshot = models.JSONField(default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.merged_contact_id} → {self.primary_id}"

"""Pipelines and their stages, products, deals with contacts and line items, stage
history, activities, quotas and forecast snapshots.

Money is Decimal in the organisation's currency (settings.SMARKETING_CURRENCY).
A deal's `status` (open / won / lost) mirrors its stage's flags and is kept by the
services (pipeline/services.py), which also write every stage change.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from smarketing.core.models import TimeStampedModel
from smarketing.people.models import Company, Contact


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", "Pipeline"
    BEST_CASE = "best_case", "Best case"
    COMMIT = "commit", "Commit"
    CLOSED_WON = "closed_won", "Closed won"
    OMITTED = "omitted", "Omitted"


class Pipeline(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="pipeline_one_default"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PipelineStage(TimeStampedModel):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField()
    probability = models.DecimalField(
        max_digits=5, decimal_places=4, help_text="Default win probability, 0 to 1."
    )
    forecast_category = models.CharField(max_length=20, choices=ForecastCategory.choices)
    is_won = models.BooleanField(default=False)
    is_lost = models.BooleanField(default=False)
    stall_days = models.PositiveIntegerField(
        default=0, help_text="A deal longer than this in the stage is stalled (0: never)."
    )

    class Meta:
        ordering = ["pipeline", "order"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "order"], name="stage_order_unique"),
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="stage_probability_range",
            ),
            models.CheckConstraint(
                condition=Q(forecast_category__in=ForecastCategory.values),
                name="stage_category_valid",
            ),
            models.CheckConstraint(
                condition=~(Q(is_won=True) & Q(is_lost=True)), name="stage_not_won_and_lost"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.name}: {self.name}"

    @property
    def is_closed(self) -> bool:
        return self.is_won or self.is_lost


class Product(TimeStampedModel):
    name = models.CharField(max_length=200, unique=True)
    family = models.CharField(max_length=100, blank=True, default="")
    list_price = models.DecimalField(max_digits=14, decimal_places=2)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["family", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_price_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(TimeStampedModel):
    """The managed list a lost deal's reason comes from."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DealType(models.TextChoices):
    NEW_BUSINESS = "new_business", "New business"
    UPSELL = "upsell", "Upsell"
    CROSS_SELL = "cross_sell", "Cross-sell"
    RENEWAL = "renewal", "Renewal"


class DealStatus(models.TextChoices):
    OPEN = "open", "Open"
    WON = "won", "Won"
    LOST = "lost", "Lost"


class Deal(models.Model):
    name = models.CharField(max_length=200)
    company = models.ForeignKey(
        Company, on_delete=models.SET_NULL, null=True, blank=True, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="deals"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    expected_close_date = models.DateField()
    type = models.CharField(max_length=20, choices=DealType.choices, default=DealType.NEW_BUSINESS)
    source_campaign = models.CharField(max_length=200, blank=True, default="")
    stage = models.ForeignKey(PipelineStage, on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    forecast_category_override = models.CharField(
        max_length=20, choices=ForecastCategory.choices, blank=True, default=""
    )
    lost_reason = models.ForeignKey(
        LostReason, on_delete=models.PROTECT, null=True, blank=True, related_name="deals"
    )
    lost_note = models.CharField(max_length=1000, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="deal_amount_positive"),
            models.CheckConstraint(
                condition=Q(type__in=DealType.values), name="deal_type_valid"
            ),
            models.CheckConstraint(
                condition=(Q(status=DealStatus.OPEN) & Q(closed_at__isnull=True))
                | (Q(status__in=[DealStatus.WON, DealStatus.LOST]) & Q(closed_at__isnull=False)),
                name="deal_closed_at_iff_closed",
            ),
            models.CheckConstraint(
                condition=Q(lost_reason__isnull=True) | Q(status=DealStatus.LOST),
                name="deal_lost_reason_only_when_lost",
            ),
            models.CheckConstraint(
                condition=Q(forecast_category_override__in=["", *ForecastCategory.values]),
                name="deal_override_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expected_close_date"], name="deal_open_close"),
            models.Index(fields=["status", "closed_at"], name="deal_status_closed"),
            models.Index(fields=["owner", "status", "expected_close_date"], name="deal_owner"),
            models.Index(fields=["stage", "status"], name="deal_stage"),
            models.Index(fields=["updated_at"], name="deal_updated"),  # forecast cache key
            # a board column's first cards by close date: an index range, no sort
            models.Index(fields=["stage", "expected_close_date", "id"], name="deal_board_column"),
            # the board's column totals (count, sum of amount per stage) from the index alone,
            # unfiltered or for one owner or a team's owners
            models.Index(fields=["stage", "owner", "amount"], name="deal_board_totals"),
        ]

    def __str__(self) -> str:
        return self.name


class ContactRole(models.TextChoices):
    DECISION_MAKER = "decision_maker", "Decision maker"
    CHAMPION = "champion", "Champion"
    INFLUENCER = "influencer", "Influencer"
    USER = "user", "User"


class DealContact(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="deal_contacts")
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="deal_links")
    role = models.CharField(max_length=20, choices=ContactRole.choices, default=ContactRole.USER)
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "contact"], name="deal_contact_unique"),
            models.UniqueConstraint(
                fields=["deal"], condition=Q(is_primary=True), name="deal_one_primary_contact"
            ),
            models.CheckConstraint(
                condition=Q(role__in=ContactRole.values), name="deal_contact_role_valid"
            ),
        ]
        indexes = [models.Index(fields=["contact"], name="deal_contact_contact")]

    def __str__(self) -> str:
        return f"{self.contact_id} on {self.deal_id} ({self.role})"


class LineItem(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="line_items")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="quantity × unit price × (1 − discount)."
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="line_price_positive"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="line_discount_range",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id} on {self.deal_id}"


class DealStageChange(models.Model):
    """One row per stage move of a deal (its first row has no from_stage)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.ForeignKey(
        PipelineStage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(PipelineStage, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )
    expected_close_date = models.DateField(help_text="The deal's expected close date then.")
    amount = models.DecimalField(
        max_digits=14, decimal_places=2, help_text="The deal's amount then."
    )

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_stage=models.F("to_stage")), name="deal_stage_change_moves"
            ),
        ]
        indexes = [
            models.Index(fields=["deal", "at"], name="deal_stage_change_deal"),
            models.Index(fields=["to_stage", "at"], name="deal_stage_change_to"),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class ActivityKind(models.TextChoices):
    CALL = "call", "Call"
    EMAIL = "email", "Email"
    MEETING = "meeting", "Meeting"
    DEMO = "demo", "Demo"
    NOTE = "note", "Note"
    TASK = "task", "Task"


class Activity(models.Model):
    kind = models.CharField(max_length=10, choices=ActivityKind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="")
    outcome = models.CharField(max_length=200, blank=True, default="")
    at = models.DateTimeField(default=timezone.now, help_text="When it happened or was logged.")
    due_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="activities"
    )
    contact = models.ForeignKey(
        Contact, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    deal = models.ForeignKey(
        Deal, on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "activities"
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(contact__isnull=False) | Q(company__isnull=False)
                | Q(deal__isnull=False),
                name="activity_linked",
            ),
            models.CheckConstraint(
                condition=~Q(kind=ActivityKind.TASK) | Q(due_at__isnull=False),
                name="activity_task_due",
            ),
        ]
        indexes = [
            models.Index(fields=["contact", "-at"], name="activity_contact"),
            models.Index(fields=["company", "-at"], name="activity_company"),
            models.Index(fields=["deal", "-at"], name="activity_deal"),
            models.Index(fields=["owner", "done_at", "due_at"], name="activity_owner_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.subject}"

    @property
    def is_open_task(self) -> bool:
        return self.kind == ActivityKind.TASK and self.done_at is None


class QuotaPeriod(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class Quota(TimeStampedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quotas"
    )
    period = models.CharField(max_length=10, choices=QuotaPeriod.choices)
    start = models.DateField(help_text="First day of the month or quarter.")
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["start", "owner"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "period", "start"], name="quota_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="quota_amount_positive"),
            models.CheckConstraint(
                condition=Q(period__in=QuotaPeriod.values), name="quota_period_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner_id} {self.period} {self.start}: {self.amount}"


class ForecastSnapshot(models.Model):
    """The forecast of a period as it stood in one week (taken lazily, first view)."""

    start = models.DateField()
    end = models.DateField()
    week_start = models.DateField(help_text="Monday of the week the snapshot belongs to.")
    taken_at = models.DateTimeField()
    figures = models.JSONField(help_text="The forecast payload, amounts as decimal strings.")

    class Meta:
        ordering = ["start", "week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["start", "end", "week_start"], name="forecast_snapshot_unique"
            ),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="snapshot_period"),
        ]

    def __str__(self) -> str:
        return f"{self.start}–{self.end} week {self.week_start}"


class ForecastRates(models.Model):
    """The historical win and slip rates of one day, learnt by a worker job (never on a
    request): the sample counts per (stage, age bucket), per stage, and of slips."""

    as_of = models.DateField(unique=True, help_text="The day the rates are for.")
    learnt_at = models.DateTimeField()
    seconds = models.FloatField(default=0, help_text="How long learning took.")
    counts = models.JSONField(help_text="cells, stages and slips: [key..., won, total] rows.")

    class Meta:
        ordering = ["-as_of"]

    def __str__(self) -> str:
        return f"rates of {self.as_of}"

"""The handoff: routing rules, assignments of MQLs to reps, and the two-sided SLA.

Breaches are never stored: they follow from `due_at` and `first_follow_up_at`
(derived from pipeline activities), so they are right without any background
process. `warned_at` and `breached_notified_at` only record that a notification
went out.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from smarketing.core.models import Region, Team, TimeStampedModel
from smarketing.handoff.business_hours import CalendarSpec
from smarketing.people.models import Contact, StageChange


class WorkingCalendar(TimeStampedModel):
    name = models.CharField(max_length=100, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    working_days = models.JSONField(default=list, help_text="Weekdays, 0 = Monday.")
    day_start = models.TimeField(default=dt.time(9, 0))
    day_end = models.TimeField(default=dt.time(17, 0))

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(day_end__gt=models.F("day_start")), name="calendar_day_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> CalendarSpec:
        return CalendarSpec(
            time_zone=self.time_zone,
            working_days=frozenset(self.working_days),
            start=self.day_start,
            end=self.day_end,
            holidays=frozenset(self.holidays.values_list("date", flat=True)),
        )


class Holiday(models.Model):
    calendar = models.ForeignKey(WorkingCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="holiday_unique_per_calendar"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPeriod(models.TextChoices):
    WEEK = "week", "Week"
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter"


class SLA(models.Model):
    """One version of the agreement; exactly one is active, older ones stay as history."""

    version = models.PositiveIntegerField(unique=True)
    is_active = models.BooleanField(default=False)
    mql_target = models.PositiveIntegerField(help_text="MQLs marketing commits to per period.")
    period = models.CharField(max_length=10, choices=SlaPeriod.choices, default=SlaPeriod.MONTH)
    segment_region = models.CharField(
        max_length=8,
        choices=Region.choices,
        blank=True,
        default="",
        help_text="Count only MQLs of this region (empty: all).",
    )
    segment_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Count only MQLs assigned to this team (empty: all).",
    )
    follow_up_hours = models.DecimalField(max_digits=6, decimal_places=2, default=24)
    warning_share = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        default=0.75,
        help_text="Warn the rep when this share of the follow-up time has elapsed.",
    )
    calendar = models.ForeignKey(
        WorkingCalendar,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Count business hours of this calendar (empty: calendar hours).",
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    change_note = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="sla_one_active"
            ),
            models.CheckConstraint(
                condition=Q(period__in=SlaPeriod.values), name="sla_period_valid"
            ),
            models.CheckConstraint(
                condition=Q(follow_up_hours__gt=0), name="sla_follow_up_positive"
            ),
            models.CheckConstraint(
                condition=Q(warning_share__gt=0) & Q(warning_share__lt=1),
                name="sla_warning_share_between_0_and_1",
            ),
            models.CheckConstraint(
                condition=Q(segment_region="") | Q(segment_team__isnull=True),
                name="sla_one_segment_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"SLA v{self.version}"


class RoutingRule(TimeStampedModel):
    """Rules are tried by `position`; the first whose conditions all hold picks the team.

    `conditions` keys: region, country, industry, source (lists of accepted values),
    company_size_min / company_size_max (employees), properties ({key: [values]}).
    An empty dict matches every contact (a catch-all).
    """

    position = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    conditions = models.JSONField(default=dict, blank=True)
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="routing_rules")
    fallback_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Gets the MQL when every rep of the team is full or away.",
    )

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"


class RoutingCredit(models.Model):
    """Smooth weighted round-robin state of one rep in one team (nginx's algorithm):
    each pick adds every eligible rep's capacity to its credit, the highest credit
    wins and gives back the sum, so picks stay within one of the exact proportion."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    rep = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    credit = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "rep"], name="routing_credit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.team}/{self.rep}: {self.credit}"


class RepAvailability(models.Model):
    """A rep marked away receives no new MQLs from routing."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    is_away = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({'away' if self.is_away else 'available'})"


class RejectionReason(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    label = models.CharField(max_length=100)
    position = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    needs_note = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.label


class Outcome(models.TextChoices):
    OPEN = "open", "Open"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    DISQUALIFIED = "disqualified", "Disqualified"
    REASSIGNED = "reassigned", "Reassigned"


class RoutedBy(models.TextChoices):
    ACCOUNT_OWNER = "account_owner", "Account owner"
    RULE = "rule", "Routing rule"
    FALLBACK = "fallback", "Fallback owner"
    MANUAL = "manual", "Manual"


class Assignment(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="assignments")
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rule = models.ForeignKey(
        RoutingRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    routed_by = models.CharField(max_length=20, choices=RoutedBy.choices)
    mql_change = models.ForeignKey(
        StageChange,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The MQL entry that caused routing (makes routing idempotent).",
    )
    sla = models.ForeignKey(SLA, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    assigned_at = models.DateTimeField()
    due_at = models.DateTimeField(help_text="The follow-up deadline (SLA).")
    warn_at = models.DateTimeField(help_text="When the rep is warned.")
    first_follow_up_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    breached_notified_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.ForeignKey(
        RejectionReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["contact"],
                condition=Q(outcome="open"),
                name="assignment_one_open_per_contact",
            ),
            models.UniqueConstraint(
                fields=["mql_change"],
                condition=Q(mql_change__isnull=False),
                name="assignment_once_per_mql_entry",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Outcome.values), name="assignment_outcome_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome="open", decided_at__isnull=True)
                | (~Q(outcome="open") & Q(decided_at__isnull=False)),
                name="assignment_decided_when_closed",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="rejected") | Q(reason__isnull=False),
                name="assignment_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("assigned_at")),
                name="assignment_due_after_assigned",
            ),
        ]
        indexes = [
            models.Index(fields=["rep", "outcome", "due_at"], name="assignment_inbox"),
            models.Index(fields=["assigned_at"], name="assignment_assigned_at"),
            models.Index(fields=["decided_at"], name="assignment_decided_at"),
        ]

    def __str__(self) -> str:
        return f"{self.contact} -> {self.rep} ({self.outcome})"

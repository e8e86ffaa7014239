"""Alignment (SLA) KPIs of KPI.md: the handoff's own scorecard (handoff/scorecard.py)
is the one computation of each; this module registers its figures by their KPI
names and adds the drill-down (the MQLs, assignments or decisions behind them).

- mql_target_attainment, with mqls (of the SLA's segment), mql_target (prorated)
  and the projection as parts;
- follow_up_compliance, median_response_hours, sla_breaches (with open breaches by
  rep) over the MQLs assigned in P; "now" decides which deadlines have passed;
- mql_acceptance_rate and rejection_reasons (total, by campaign, by source) over
  the decisions taken in P.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from smarketing.analytics.measures import Measure, Ratio
from smarketing.analytics.registry import Kpi, KpiResult, Records, Unit, register, shared
from smarketing.analytics.stages import CONTACT_COLUMNS, entered_rows
from smarketing.core.periods import Period
from smarketing.handoff import scorecard
from smarketing.handoff.clock import active_sla
from smarketing.handoff.models import Assignment, Outcome
from smarketing.handoff.selectors import with_sla_state

FAMILY = SECTION = "alignment"
ASSIGNMENT_COLUMNS = {
    "assignment_id": "pk", "contact_id": "contact_id", "contact_email": "contact__email",
    "rep": "rep__username", "assigned_at": "assigned_at", "due_at": "due_at",
    "follow_up_at": "follow_up_at", "followed_up_in_time": "followed_up_in_time",
    "breached": "breached", "outcome": "outcome",
}
DECISION_COLUMNS = {
    "assignment_id": "pk", "contact_id": "contact_id", "contact_email": "contact__email",
    "rep": "rep__username", "decided_at": "decided_at", "outcome": "outcome",
    "reason": "reason__code", "original_campaign": "contact__original_campaign",
    "original_source": "contact__original_source",
}


@shared
def marketing(period: Period) -> dict[str, Any]:
    return scorecard.marketing_side(period, timezone.now())  # type: ignore[arg-type]


@shared
def sales(period: Period) -> dict[str, Any]:
    return scorecard.sales_side(period, timezone.now())  # type: ignore[arg-type]


@shared
def decisions(period: Period) -> dict[str, Any]:
    return scorecard.decisions_side(period)  # type: ignore[arg-type]


def _register(name: str, unit: Unit, label: str, compute: Callable[[Period], KpiResult],
              records: Callable[[Period], Records]) -> None:
    register(Kpi(name=name, family=FAMILY, unit=unit, section=SECTION, label=label,
                 compute=compute, records=records))


# ---- marketing side -------------------------------------------------------------

def target_attainment(period: Period) -> KpiResult:
    figures = marketing(period)
    parts: dict[str, Any] = {k: figures[k] for k in ("mqls", "mql_target", "projected_mqls",
                                     "projected_attainment", "sla_version") if k in figures}
    return KpiResult(figures["mql_target_attainment"], parts)


def segment_mqls(period: Period) -> QuerySet[Any]:
    """The MQLs counted against the target: entered(mql, P) of the SLA's segment."""
    qs = entered_rows("mql", period)
    sla = active_sla()
    if sla and sla.segment_region:
        qs = qs.filter(company__region=sla.segment_region)
    if sla and sla.segment_team_id:
        qs = qs.filter(assignments__team_id=sla.segment_team_id).distinct()
    return qs


def mql_records(period: Period) -> Records:
    columns = {**CONTACT_COLUMNS, "became_mql_at": "became_mql_at"}
    return Records(tuple(columns),
                   segment_mqls(period).order_by("pk").values_list(*columns.values()))


_register("mql_target_attainment", Unit.RATE, "MQL target attainment", target_attainment,
          mql_records)


# ---- sales side -----------------------------------------------------------------

def assigned_in(period: Period) -> QuerySet[Assignment]:
    start, end = period.bounds()
    qs = Assignment.objects.filter(assigned_at__gte=start, assigned_at__lt=end)
    return with_sla_state(qs, timezone.now()).order_by("assigned_at", "pk")


def assignment_records(select: Callable[[QuerySet[Assignment]], QuerySet[Assignment]]) -> Any:
    def records(period: Period) -> Records:
        qs = select(assigned_in(period))
        return Records(tuple(ASSIGNMENT_COLUMNS), qs.values_list(*ASSIGNMENT_COLUMNS.values()))

    return records


def _measurable(qs: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """Followed up, or past the deadline: the denominator of follow_up_compliance."""
    return qs.filter(Q(follow_up_at__isnull=False) | Q(due_at__lte=timezone.now()))


def _sales_kpi(name: str, unit: Unit, label: str, parts: tuple[str, ...],
               select: Callable[[QuerySet[Assignment]], QuerySet[Assignment]]) -> None:
    def compute(period: Period) -> KpiResult:
        figures = sales(period)
        return KpiResult(figures[name], {k: figures[k] for k in parts if k in figures})

    _register(name, unit, label, compute, assignment_records(select))


_sales_kpi("follow_up_compliance", Unit.RATE, "Follow-up compliance", ("assigned",),
           _measurable)
_sales_kpi("median_response_hours", Unit.HOURS, "Median response (hours)",
           ("median_response_elapsed_hours",),
           lambda qs: qs.filter(Q(follow_up_at__isnull=False)))
_sales_kpi("sla_breaches", Unit.COUNT, "SLA breaches", ("open_breaches",),
           lambda qs: qs.filter(Q(breached=True)))


# ---- decisions ------------------------------------------------------------------

def decided(outcomes: tuple[str, ...]) -> Measure:
    def rows(period: Period) -> QuerySet[Assignment]:
        start, end = period.bounds()
        return Assignment.objects.filter(decided_at__gte=start, decided_at__lt=end,
                                         outcome__in=outcomes)

    return Measure(rows, DECISION_COLUMNS, order=("decided_at", "pk"))


ACCEPTANCE = Ratio(decided((Outcome.ACCEPTED,)), decided((Outcome.ACCEPTED, Outcome.REJECTED)))
REJECTED = decided((Outcome.REJECTED,))


def acceptance(period: Period) -> KpiResult:
    figures = decisions(period)
    return KpiResult(figures["mql_acceptance_rate"],
                     {k: figures[k] for k in ("accepted", "rejected", "disqualified")})


def reasons(period: Period) -> KpiResult:
    figures = decisions(period)["rejection_reasons"]
    total = sum(row["count"] for row in figures["total"])
    return KpiResult(total, {"by_reason": figures["total"],
                             "by_campaign": figures["by_campaign"],
                             "by_source": figures["by_source"]})


_register("mql_acceptance_rate", Unit.RATE, "MQL acceptance rate", acceptance,
          ACCEPTANCE.records)
_register("rejection_reasons", Unit.COUNT, "Rejection reasons", reasons, REJECTED.records)

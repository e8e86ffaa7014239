"""The SLA scorecard: every alignment KPI of KPI.md for a period P = [start, end).

Dates are in the organisation's time zone (settings.TIME_ZONE), `end` exclusive.
A ratio with a zero denominator is None ("n/a"). Figures:
- marketing side: mqls = entered(mql, P) (of the SLA's segment when it has one),
  the target prorated over the days of P from the SLA version in force each day
  (each SLA period contributes target x overlap days / its days), attainment, and
  for a period still running the projection to its end at the current daily rate;
- sales side over assignments made in P: follow_up_compliance, median_response_hours
  (assignment to first follow-up on the same clock as the deadline: business hours
  of the assignment's SLA calendar, elapsed hours without one; the elapsed median
  is given beside it), sla_breaches and the open breaches by rep;
- decisions taken in P: mql_acceptance_rate = accepted / (accepted + rejected),
  rejection reasons by campaign and by source.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from types import SimpleNamespace
from typing import Any

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from smarketing.core.periods import Period, month_of, quarter_of, week_of
from smarketing.core.periods import parse_period as core_parse_period
from smarketing.handoff.business_hours import business_hours_between
from smarketing.handoff.clock import active_sla
from smarketing.handoff.models import SLA, Assignment, Outcome, SlaPeriod, WorkingCalendar
from smarketing.handoff.selectors import with_sla_state
from smarketing.people.models import Contact

MAX_DAYS = 731


def parse_period(
    start: dt.date | None, end: dt.date | None, preset: str | None = None
) -> Period:
    """The scorecard's period: a preset, or both dates, or this month (at most two years)."""
    return core_parse_period(start, end, period=preset, max_days=MAX_DAYS)


def sla_period_containing(day: dt.date, period: str) -> Period:
    """The SLA period (week, month or quarter) that holds `day`."""
    if period == SlaPeriod.WEEK:
        return week_of(day)
    return quarter_of(day) if period == SlaPeriod.QUARTER else month_of(day)


def prorated_target(sla: SLA, period: Period) -> Decimal:
    """The SLA target over P: each SLA period weighs by the share of its days inside P."""
    total = Decimal(0)
    day = period.start
    while day < period.end:
        sla_period = sla_period_containing(day, sla.period)
        overlap_end = min(sla_period.end, period.end)
        total += Decimal(sla.mql_target) * (overlap_end - day).days / sla_period.days
        day = overlap_end
    return total


def target_over(period: Period) -> Decimal | None:
    """The MQL target over P from the SLA versions in force on each day of it: a version
    holds from the day it was published (organisation's zone) until the next one's;
    days before the first version carry no target (None when no day has one)."""
    versions = list(SLA.objects.order_by("created_at", "version"))
    starts = [timezone.localdate(version.created_at) for version in versions]
    total, covered = Decimal(0), False
    for index, version in enumerate(versions):
        first = max(starts[index], period.start)
        last = min(starts[index + 1], period.end) if index + 1 < len(versions) else period.end
        if first < last:
            total += prorated_target(version, Period(first, last))
            covered = True
    return total.quantize(Decimal("0.01")) if covered else None


def ratio(numerator: Any, denominator: Any, places: str = "0.0001") -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal(places), ROUND_HALF_UP)


def _mqls(sla: SLA | None, start: dt.datetime, end: dt.datetime) -> int:
    qs = Contact.objects.filter(became_mql_at__gte=start, became_mql_at__lt=end)
    if sla and sla.segment_region:
        qs = qs.filter(company__region=sla.segment_region)
    if sla and sla.segment_team_id:
        qs = qs.filter(assignments__team_id=sla.segment_team_id).distinct()
    return qs.count()


def marketing_side(period: Period, now: dt.datetime) -> dict[str, Any]:
    sla = active_sla()
    start, end = period.bounds()
    mqls = _mqls(sla, start, end)
    target = target_over(period)
    projected = mqls
    if start < now < end:
        elapsed = Decimal((now - start).total_seconds())
        projected = int(Decimal(mqls) * Decimal((end - start).total_seconds()) / elapsed)
    return {
        "sla_version": sla.version if sla else None,
        "mqls": mqls,
        "mql_target": target,
        "mql_target_attainment": ratio(mqls, target),
        "projected_mqls": projected,
        "projected_attainment": ratio(projected, target),
    }


def _assigned_in(period: Period, now: dt.datetime) -> QuerySet[Assignment]:
    start, end = period.bounds()
    qs = Assignment.objects.filter(assigned_at__gte=start, assigned_at__lt=end)
    return with_sla_state(qs, now)


def _hours(a: dt.datetime, b: dt.datetime) -> float:
    return (b - a).total_seconds() / 3600


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 2) if values else None


ROW_FIELDS = (
    "pk", "rep_id", "contact_id", "assigned_at", "due_at", "follow_up_at",
    "followed_up_in_time", "breached", "open_breach", "sla__calendar_id",
)


def _rows(qs: Any) -> list[SimpleNamespace]:
    """Plain rows (no model instances: the period may hold many thousands)."""
    return [SimpleNamespace(**values) for values in qs.values(*ROW_FIELDS)]


def response_hours(rows: list[Any]) -> list[float]:
    """Hours from assignment to first follow-up on the SLA clock that set each deadline:
    business hours of its SLA version's calendar, elapsed hours without one."""
    ids = {row.sla__calendar_id for row in rows} - {None}
    specs = {c.pk: c.spec() for c in WorkingCalendar.objects.filter(pk__in=ids)}
    return [
        business_hours_between(
            row.assigned_at, row.follow_up_at, specs.get(row.sla__calendar_id)
        )
        for row in rows
    ]


def sales_side(period: Period, now: dt.datetime) -> dict[str, Any]:
    rows = _rows(_assigned_in(period, now))
    measurable = [r for r in rows if r.follow_up_at is not None or r.due_at <= now]
    in_time = [r for r in rows if r.followed_up_in_time]
    followed = [r for r in rows if r.follow_up_at]
    return {
        "assigned": len(rows),
        "follow_up_compliance": ratio(len(in_time), len(measurable)),
        "median_response_hours": _median(response_hours(followed)),
        "median_response_elapsed_hours": _median(
            [_hours(r.assigned_at, r.follow_up_at) for r in followed]
        ),
        "sla_breaches": sum(1 for r in rows if r.breached),
        "open_breaches": _open_breaches_by_rep([r for r in rows if r.open_breach], now),
    }


def _open_breaches_by_rep(rows: list[Any], now: dt.datetime) -> list[dict[str, Any]]:
    reps = dict(User.objects.filter(pk__in={r.rep_id for r in rows}).values_list("pk", "username"))
    contacts = {c.pk: str(c) for c in Contact.objects.filter(pk__in=[r.contact_id for r in rows])
                .only("first_name", "last_name", "email")}
    by_rep: dict[int, dict[str, Any]] = {}
    for row in sorted(rows, key=lambda r: r.due_at):
        entry = by_rep.setdefault(
            row.rep_id, {"rep_id": row.rep_id, "rep": reps[row.rep_id], "items": []}
        )
        entry["items"].append({
            "assignment_id": row.pk, "contact_id": row.contact_id,
            "contact": contacts[row.contact_id], "due_at": row.due_at,
            "hours_overdue": round(_hours(row.due_at, now), 1),
        })
    return sorted(by_rep.values(), key=lambda e: (-len(e["items"]), e["rep"]))


def all_open_breaches(now: dt.datetime) -> list[dict[str, Any]]:
    """Every open breach (whenever assigned) by rep: open, never followed up, overdue."""
    qs: Any = with_sla_state(Assignment.objects.filter(outcome=Outcome.OPEN), now)
    return _open_breaches_by_rep(_rows(qs.filter(open_breach=True)), now)


def decisions_side(period: Period) -> dict[str, Any]:
    start, end = period.bounds()
    decided = Assignment.objects.filter(decided_at__gte=start, decided_at__lt=end)
    outcomes = Counter(decided.values_list("outcome", flat=True))
    accepted, rejected = outcomes[Outcome.ACCEPTED], outcomes[Outcome.REJECTED]
    return {
        "accepted": accepted,
        "rejected": rejected,
        "disqualified": outcomes[Outcome.DISQUALIFIED],
        "mql_acceptance_rate": ratio(accepted, accepted + rejected),
        "rejection_reasons": rejection_reasons(decided.filter(outcome=Outcome.REJECTED)),
    }


def rejection_reasons(rejected: QuerySet[Assignment]) -> dict[str, Any]:
    rows = rejected.values_list(
        "reason__code", "reason__label", "contact__original_campaign", "contact__original_source"
    )
    totals: Counter[str] = Counter()
    labels: dict[str, str] = {}
    by_campaign: dict[str, Counter[str]] = defaultdict(Counter)
    by_source: dict[str, Counter[str]] = defaultdict(Counter)
    for code, label, campaign, source in rows:
        totals[code] += 1
        labels[code] = label
        by_campaign[campaign or "(none)"][code] += 1
        by_source[source or "(none)"][code] += 1
    return {
        "total": [{"code": c, "label": labels[c], "count": n} for c, n in totals.most_common()],
        "by_campaign": _grouped(by_campaign),
        "by_source": _grouped(by_source),
    }


def _grouped(groups: dict[str, Counter[str]]) -> list[dict[str, Any]]:
    return [
        {"key": key, "count": sum(counts.values()), "reasons": dict(counts.most_common())}
        for key, counts in sorted(groups.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    ]


def scorecard(period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    return {
        "start": period.start,
        "end": period.end,
        "marketing": marketing_side(period, now),
        "sales": sales_side(period, now),
        "decisions": decisions_side(period),
    }

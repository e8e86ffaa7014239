"""The funnel of KPI.md "Funnel": stages S1 < S2 < ... (default lead -> mql -> sql ->
opportunity -> customer), in the period or the cohort view, with velocity.

- period view: entered(Si, P) for each stage; conversion = entered(Si) /
  entered(Si-1); median_days over the contacts that entered Si in P: days from
  their reached(Si-1) to reached(Si);
- cohort view: the cohort is entered(S1, P); each later stage counts the cohort's
  contacts that reached it by now, conversion from the previous step, and
  median_days (velocity) between the two steps over the contacts that reached both.

reached(S) is `became_<stage>_at` (analytics/stages.py: the monotone rule, never
cleared by recycling). Counts are one aggregate query per stage (GROUP BY the
breakdown when asked); medians come from one column of durations per step.
Breakdowns: source (original source channel), campaign (original campaign),
region (the company's), owner. Shape: DESIGN.md "Analytics API".
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from smarketing.analytics.measures import DaysBetween, key_of, ratio, rounded
from smarketing.analytics.registry import Unit
from smarketing.analytics.stages import (
    FUNNEL_STAGES,
    REACHABLE,
    cohort_rows,
    entered_rows,
    reached_field,
)
from smarketing.core.errors import ValidationFailed
from smarketing.core.periods import Period
from smarketing.people.models import Contact

VIEWS = ("period", "cohort")
FUNNEL_BREAKDOWNS = {
    "source": "original_source",
    "campaign": "original_campaign",
    "region": "company__region",
    "owner": "owner__username",
}


def parse_stages(stages: Sequence[str] | str | None) -> tuple[str, ...]:
    """Stages in funnel order, at least two, each once (a comma list is accepted)."""
    if stages is None or stages == "" or stages == []:
        return FUNNEL_STAGES
    names = [s.strip() for s in stages.split(",")] if isinstance(stages, str) else list(stages)
    unknown = [s for s in names if s not in REACHABLE]
    if unknown:
        raise ValidationFailed(f"stages: {unknown[0]!r} is not a funnel stage; use "
                               f"{', '.join(REACHABLE)}", field="stages")
    if len(names) < 2 or len(set(names)) != len(names):
        raise ValidationFailed("stages: give at least two different stages", field="stages")
    if names != sorted(names, key=REACHABLE.index):
        raise ValidationFailed(f"stages: list them in funnel order ({' < '.join(REACHABLE)})",
                               field="stages")
    return tuple(names)


def check(view: str, breakdown: str | None) -> None:
    if view not in VIEWS:
        raise ValidationFailed(f"view: {view!r} is not one of {', '.join(VIEWS)}", field="view")
    if breakdown is not None and breakdown not in FUNNEL_BREAKDOWNS:
        raise ValidationFailed(
            f"breakdown: {breakdown!r} is not one of {', '.join(FUNNEL_BREAKDOWNS)}",
            field="breakdown")


def step_rows(view: str, stages: tuple[str, ...], index: int, period: Period) -> QuerySet[Contact]:
    """The contacts counted at step `index`."""
    if view == "period":
        return entered_rows(stages[index], period)
    if index == 0:
        return entered_rows(stages[0], period)
    return cohort_rows(stages[0], stages[index], period)


def _counts(qs: QuerySet[Contact], dimension: str | None) -> dict[str | None, int]:
    if dimension is None:
        return {None: qs.count()}
    rows = qs.order_by().values_list(dimension).annotate(n=Count("pk"))
    result: dict[str | None, int] = defaultdict(int)
    for key, n in rows:
        result[key_of(key)] += n
    return result


def _durations(qs: QuerySet[Contact], before: str, after: str,
               dimension: str | None) -> dict[str | None, list[float]]:
    """Days from reached(before) to reached(after) of the rows that reached both."""
    days = DaysBetween(reached_field(before), reached_field(after))
    both = qs.filter(**{f"{reached_field(before)}__isnull": False,
                        f"{reached_field(after)}__isnull": False}).annotate(days=days)
    result: dict[str | None, list[float]] = defaultdict(list)
    if dimension is None:
        result[None] = list(both.values_list("days", flat=True))
        return result
    for key, value in both.values_list(dimension, "days"):
        result[key_of(key)].append(value)
    return result


def _median(values: list[float]) -> Decimal | None:
    return rounded(statistics.median(values), Unit.DAYS) if values else None


def _steps(stages: tuple[str, ...], counts: list[dict[Any, int]],
           durations: list[dict[Any, list[float]]], key: Any) -> list[dict[str, Any]]:
    steps = []
    for i, stage in enumerate(stages):
        count = counts[i].get(key, 0)
        steps.append({
            "stage": stage, "count": count,
            "conversion": ratio(count, counts[i - 1].get(key, 0)) if i else None,
            "median_days": _median(durations[i].get(key, [])) if i else None,
        })
    return steps


def funnel(period: Period, view: str = "period", stages: Sequence[str] | str | None = None,
           breakdown: str | None = None) -> dict[str, Any]:
    """{"view", "start", "end", "stages", "steps": [...], "breakdown": {key: [steps]}}."""
    check(view, breakdown)
    names = parse_stages(stages)
    dimension = FUNNEL_BREAKDOWNS[breakdown] if breakdown else None
    if view == "cohort":
        counts, durations = _cohort(names, period, dimension)
    else:
        counts, durations = [], []
        for i in range(len(names)):
            rows = step_rows(view, names, i, period)
            counts.append(_counts(rows, None) | (_counts(rows, dimension) if dimension else {}))
            durations.append({} if i == 0 else _merged(rows, names[i - 1], names[i], dimension))
    result = {"view": view, "start": period.start, "end": period.end, "stages": list(names),
              "steps": _steps(names, counts, durations, None), "breakdown": {}}
    if dimension:
        keys = sorted({k for c in counts for k in c if k is not None},
                      key=lambda k: (-counts[0].get(k, 0), k))
        result["breakdown"] = {k: _steps(names, counts, durations, k) for k in keys}
    return result


def _cohort(names: tuple[str, ...], period: Period, dimension: str | None
            ) -> tuple[list[dict[Any, int]], list[dict[Any, list[float]]]]:
    """The cohort view's counts and durations in two passes over entered(S1, P) (each
    `became_<stage>_at` index covers the later stages): step i counts the cohort's
    contacts with reached(Si), its durations are reached(Si-1) -> reached(Si) where both
    are set (DaysBetween is NULL otherwise); by key too when there is a dimension."""
    cohort = entered_rows(names[0], period).order_by()
    return _cohort_counts(cohort, names, dimension), _cohort_days(cohort, names, dimension)


def _cohort_counts(cohort: QuerySet[Contact], names: tuple[str, ...],
                   dimension: str | None) -> list[dict[Any, int]]:
    counts: list[dict[Any, int]] = [defaultdict(int) for _ in names]
    reached = {f"n{i}": Count(reached_field(s)) for i, s in enumerate(names)}
    if dimension:
        rows = list(cohort.values_list(dimension).annotate(**reached)
                    .values_list(dimension, *reached))
    else:
        totals = cohort.aggregate(**reached)
        rows = [(None, *(totals[k] for k in reached))]
    for key, *numbers in rows:
        for i, n in enumerate(numbers):
            counts[i][None] += n
            if dimension:
                counts[i][key_of(key)] += n
    return counts


def _cohort_days(cohort: QuerySet[Contact], names: tuple[str, ...],
                 dimension: str | None) -> list[dict[Any, list[float]]]:
    group = [dimension] if dimension else []
    durations: list[dict[Any, list[float]]] = [defaultdict(list) for _ in names]
    days = {f"d{i}": DaysBetween(reached_field(names[i - 1]), reached_field(names[i]))
            for i in range(1, len(names))}
    any_later = Q()
    for stage in names[1:]:
        any_later |= Q(**{f"{reached_field(stage)}__isnull": False})
    for row in cohort.filter(any_later).annotate(**days).values_list(*group, *days):
        key, values = (row[0], row[1:]) if dimension else (None, row)
        for i, value in enumerate(values, start=1):
            if value is not None:
                durations[i][None].append(value)
                if dimension:
                    durations[i][key_of(key)].append(value)
    return durations


def _merged(rows: QuerySet[Contact], before: str, after: str,
            dimension: str | None) -> dict[str | None, list[float]]:
    if dimension is None:
        return _durations(rows, before, after, None)
    by_key = _durations(rows, before, after, dimension)
    by_key[None] = [d for values in by_key.values() for d in values]
    return by_key


def funnel_records(period: Period, view: str, stages: Sequence[str] | str | None,
                   stage: str) -> QuerySet[Contact]:
    """The contacts behind one step's count (drill-down)."""
    check(view, None)
    names = parse_stages(stages)
    if stage not in names:
        raise ValidationFailed(f"stage: {stage!r} is not one of the funnel's stages",
                               field="stage")
    return step_rows(view, names, names.index(stage), period).order_by("pk")

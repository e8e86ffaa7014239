"""Every KPI of shared/KPI.md, registered once by its exact name.

A family module (analytics/families/<family>.py) registers its KPIs:

    register(Kpi(name="mqls", family="leads", unit=Unit.COUNT,
                 compute=mqls, records=mql_records))

`cohort_records(period)`, for the KPIs KPI.md gives a cohort view, lists the rows
behind the `cohort` part (`records_of(kpi, period, view="cohort")`).

`compute(period)` returns a KpiResult: the headline `value` (DESIGN.md
"Analytics API": the median for sales_cycle_days, the team figure for
quota_attainment, ...) and `parts`, the further keys shown beside it (mean,
weighted, per rep, breakdowns). `records(period)` returns the rows behind the
headline number (drill-down); their count, or the sum of their `amount`, equals
the value. `kpi_values` adds the previous period and the change.

Extensions (all optional on a Kpi): `section` is the KPI.md table the KPI is
defined in (marketing, sales, alignment); `breakdown(period, name)` returns
{key: value} for one of the KPI's `breakdowns` (channel, campaign, region,
owner, team, product). Functions decorated with `shared` are computed once per
`evaluation()` (kpi_values opens one), so KPIs built on the same query (visitors,
sessions, page_views, bounce_rate) run it once per period.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from smarketing.core.errors import NotFound, ValidationFailed
from smarketing.core.periods import Period

Number = int | Decimal | float


class Unit(enum.StrEnum):
    COUNT = "count"
    MONEY = "money"
    RATE = "rate"  # a share in [0, 1]; change is in points
    DAYS = "days"
    HOURS = "hours"


@dataclass(frozen=True)
class KpiResult:
    value: Number | None
    parts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Records:
    """The rows behind a number: column names and an iterable of row tuples.

    `sum_of` names the column whose sum is the value ("" : the number of rows is).
    A ratio's records have a first column `side` ("numerator" / "denominator");
    `sum_of` then applies to the numerator rows and `denominator_sum_of` to the
    others."""

    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]
    sum_of: str = ""
    denominator_sum_of: str = ""


@dataclass(frozen=True)
class Kpi:
    name: str
    family: str
    unit: Unit
    compute: Callable[[Period], KpiResult]
    records: Callable[[Period], Records] | None = None
    label: str = ""
    section: str = ""
    breakdown: Callable[[Period, str], dict[str, Any]] | None = None
    breakdowns: tuple[str, ...] = ()
    cohort_records: Callable[[Period], Records] | None = None
    value: Callable[[Period], Number | None] | None = None  # the headline alone, no parts

    def headline(self, period: Period) -> Number | None:
        """The value without the parts (trends need only that)."""
        return self.value(period) if self.value is not None else self.compute(period).value


VIEWS = ("period", "cohort")


_KPIS: dict[str, Kpi] = {}
FAMILIES = ("web", "leads", "sales", "alignment", "attribution", "funnel")
SECTIONS = ("marketing", "sales", "alignment")
BREAKDOWNS = ("product", "region", "channel", "campaign", "owner", "team")
F = TypeVar("F", bound=Callable[..., Any])
_SCOPE: ContextVar[dict[Any, Any] | None] = ContextVar("kpi_scope", default=None)


@contextmanager
def evaluation() -> Iterator[None]:
    """Share the results of `shared` functions until the block ends (nesting joins)."""
    token = _SCOPE.set({}) if _SCOPE.get() is None else None
    try:
        yield
    finally:
        if token is not None:
            _SCOPE.reset(token)


def shared(function: F) -> F:
    """Compute once per evaluation and arguments (hashable: a Period, strings)."""

    @functools.wraps(function)
    def wrapper(*args: Any) -> Any:
        memo = _SCOPE.get()
        if memo is None:
            return function(*args)
        key = (function.__module__, function.__qualname__, args)
        if key not in memo:
            memo[key] = function(*args)
        return memo[key]

    return wrapper  # type: ignore[return-value]


def register(kpi: Kpi) -> Kpi:
    if kpi.family not in FAMILIES:
        raise ValueError(f"unknown KPI family {kpi.family!r}")
    _KPIS[kpi.name] = kpi
    return kpi


def get(name: str) -> Kpi:
    try:
        return _KPIS[name]
    except KeyError:
        raise NotFound(f"name: no KPI called {name!r}", field="name") from None


def all_kpis(family: str | None = None) -> list[Kpi]:
    if family is not None and family not in FAMILIES:
        raise ValidationFailed(f"family: {family!r} is not one of {', '.join(FAMILIES)}",
                               field="family")
    return [k for k in _KPIS.values() if family is None or k.family == family]


def records_of(kpi: Kpi, period: Period, view: str = "period") -> Records:
    """The rows behind the KPI's value (view "period") or behind its cohort part
    (view "cohort": of entered(first, P), those that reached the later stage)."""
    if view not in VIEWS:
        raise ValidationFailed(f"view: {view!r} is not one of {', '.join(VIEWS)}", field="view")
    chosen = kpi.records if view == "period" else kpi.cohort_records
    if chosen is None:
        raise ValidationFailed(f"view: {kpi.name} has no {view} view", field="view")
    return chosen(period)


def check_breakdown(name: str | None) -> None:
    if name is not None and name not in BREAKDOWNS:
        raise ValidationFailed(f"breakdown: {name!r} is not one of {', '.join(BREAKDOWNS)}",
                               field="breakdown")


def change(unit: Unit, value: Number | None, previous: Number | None) -> Number | None:
    """Points for rates, otherwise the relative change in % (None when undefined)."""
    if value is None or previous is None:
        return None
    if unit is Unit.RATE:
        return (Decimal(str(value)) - Decimal(str(previous))).quantize(Decimal("0.0001"))
    if not previous:
        return None
    relative = (Decimal(str(value)) - Decimal(str(previous))) / Decimal(str(previous)) * 100
    return relative.quantize(Decimal("0.1"))


def kpi_value(kpi: Kpi, period: Period, breakdown: str | None = None) -> dict[str, Any]:
    """{"value", "previous", "change", **parts} for one KPI over the period; with a
    breakdown the KPI supports, also {"breakdown": {key: value}}."""
    check_breakdown(breakdown)
    with evaluation():
        now = kpi.compute(period)
        before = kpi.compute(period.previous())
        result = {"value": now.value, "previous": before.value,
                  "change": change(kpi.unit, now.value, before.value), **now.parts}
        if breakdown and kpi.breakdown and breakdown in kpi.breakdowns:
            result["breakdown"] = kpi.breakdown(period, breakdown)
    return result


def kpi_values(
    period: Period, family: str | None = None, breakdown: str | None = None
) -> dict[str, dict[str, Any]]:
    with evaluation():
        return {kpi.name: kpi_value(kpi, period, breakdown) for kpi in all_kpis(family)}

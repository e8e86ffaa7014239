"""Every KPI of shared/KPI.md, registered once by its exact name.

A family module (analytics/families/<family>.py) registers its KPIs:

    register(Kpi(name="mqls", family="leads", unit=Unit.COUNT,
                 compute=mqls, records=mql_records))

`compute(period)` returns a KpiResult: the headline `value` (DESIGN.md
"Analytics API": the median for sales_cycle_days, the team figure for
quota_attainment, ...) and `parts`, the further keys shown beside it (mean,
weighted, per rep, breakdowns). `records(period)` returns the rows behind the
headline number (drill-down); their count, or the sum of their `amount`, equals
the value. `kpi_values` adds the previous period and the change.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from smarketing.core.errors import NotFound
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
    """The rows behind a number: column names and an iterable of row tuples."""

    columns: tuple[str, ...]
    rows: Iterable[tuple[Any, ...]]


@dataclass(frozen=True)
class Kpi:
    name: str
    family: str
    unit: Unit
    compute: Callable[[Period], KpiResult]
    records: Callable[[Period], Records] | None = None
    label: str = ""


_KPIS: dict[str, Kpi] = {}
FAMILIES = ("web", "leads", "sales", "alignment", "attribution", "funnel")


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
    return [k for k in _KPIS.values() if family is None or k.family == family]


def change(unit: Unit, value: Number | None, previous: Number | None) -> Number | None:
    """Points for rates, otherwise the relative change in % (None when undefined)."""
    if value is None or previous is None:
        return None
    if unit is Unit.RATE:
        return Decimal(str(value)) - Decimal(str(previous))
    if not previous:
        return None
    return (Decimal(str(value)) - Decimal(str(previous))) / Decimal(str(previous)) * 100


def kpi_value(kpi: Kpi, period: Period) -> dict[str, Any]:
    """{"value", "previous", "change", **parts} for one KPI over the period."""
    now = kpi.compute(period)
    before = kpi.compute(period.previous())
    return {"value": now.value, "previous": before.value,
            "change": change(kpi.unit, now.value, before.value), **now.parts}


def kpi_values(period: Period, family: str | None = None) -> dict[str, dict[str, Any]]:
    return {kpi.name: kpi_value(kpi, period) for kpi in all_kpis(family)}

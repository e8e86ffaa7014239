"""Counts and sums over the rows selected for a period: what most KPIs are made of.

A `Measure` names the rows behind a number (a queryset for the period), the
columns its drill-down shows, what it adds up (the rows, or the sum of `amount`)
and the breakdowns it supports ({name: field path, or a function of the rows}).
A `Ratio` divides two measures; its drill-down lists the rows of both sides with
a `side` column ("numerator" / "denominator"), so that count(numerator) /
count(denominator) (or the sums of `amount`) give the value.

Every aggregate runs in the database (COUNT / SUM / GROUP BY), the same SQL on
SQLite and PostgreSQL. A zero denominator gives None ("n/a").
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, FloatField, Func, QuerySet, Sum

from smarketing.analytics.registry import Kpi, KpiResult, Number, Records, Unit, register, shared
from smarketing.core.periods import Period

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
NONE_KEY = "(none)"
PLACES = {Unit.RATE: "0.0001", Unit.MONEY: "0.01", Unit.DAYS: "0.1", Unit.HOURS: "0.01"}

Dimension = str | Callable[[QuerySet[Any], Any], dict[str, Number]]


def ratio(numerator: Any, denominator: Any, unit: Unit = Unit.RATE) -> Decimal | None:
    """numerator / denominator rounded for the unit (4 places for a rate, cents for
    money); None when the denominator is zero or missing."""
    if not denominator or numerator is None:
        return None
    value = Decimal(numerator) / Decimal(denominator)
    return value.quantize(Decimal(PLACES.get(unit, "0.0001")), ROUND_HALF_UP)


def rounded(value: Any, unit: Unit) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(PLACES[unit]), ROUND_HALF_UP)


def median_and_mean(values: Sequence[float], unit: Unit) -> tuple[Decimal | None, Decimal | None]:
    if not values:
        return None, None
    return rounded(statistics.median(values), unit), rounded(statistics.fmean(values), unit)


class DaysBetween(Func):
    """(end - start) in fractional days, computed by the database itself (SQLite's
    julianday, PostgreSQL's epoch), not by a Python function called per row."""

    output_field = FloatField()

    def __init__(self, start: str, end: str) -> None:
        super().__init__(F(end), F(start))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="(julianday(%(expressions)s))", arg_joiner=") - julianday(",
                           **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection,
                           template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)",
                           arg_joiner=" - ", **extra)


def key_of(value: Any) -> str:
    return NONE_KEY if value is None or value == "" else str(value)


@dataclass(frozen=True, eq=False)
class Measure:
    """A count (amount None) or sum of `amount` over `rows(period)`."""

    rows: Callable[[Period], QuerySet[Any]]
    columns: Mapping[str, Any]
    amount: Any = None
    dimensions: Mapping[str, Dimension] = field(default_factory=dict)
    zero: Number = ZERO
    order: tuple[str, ...] = ("pk",)
    # An exact rollup's {key: count} for (period, dimension), or None: group the rows.
    grouped: Callable[[Period, str], Mapping[Any, Number] | None] | None = None
    # An exact rollup's value for the period (None: no value, the zero), instead of the rows.
    stored: Callable[[Period], Number | None] | None = None

    def value(self, period: Period) -> Number:
        return _measure_value(self, period)

    def aggregate(self) -> Any:
        return Count("pk") if self.amount is None else Sum(self.amount)

    def records(self, period: Period) -> Records:
        qs = self.rows(period).order_by(*self.order)
        return Records(tuple(self.columns), qs.values_list(*self.columns.values()),
                       sum_of="" if self.amount is None else "amount")

    def breakdown(self, period: Period, name: str) -> dict[str, Number]:
        return dict(_measure_breakdown(self, period, name))


@shared
def _measure_value(measure: Measure, period: Period) -> Number:
    if measure.stored is not None:
        value = measure.stored(period)
        return measure.zero if value is None else value
    qs = measure.rows(period)
    if measure.amount is None:
        return qs.count()
    total = qs.order_by().aggregate(total=Sum(measure.amount))["total"]
    return measure.zero if total is None else money(total)


@shared
def _measure_breakdown(measure: Measure, period: Period, name: str) -> dict[str, Number]:
    """One GROUP BY per (measure, period, dimension) and evaluation: a measure shared by
    several KPIs (entered(lead) of new_leads and of three rates) is grouped once."""
    dimension = measure.dimensions[name]
    qs = measure.rows(period)
    if callable(dimension):
        return dimension(qs, measure.amount)
    stored = measure.grouped(period, name) if measure.grouped is not None else None
    rows: Iterable[tuple[Any, Any]] = stored.items() if stored is not None else \
        qs.order_by().values_list(dimension).annotate(total=measure.aggregate())
    result: dict[str, Number] = {}
    for key, total in rows:
        result[key_of(key)] = money(result.get(key_of(key), 0) + (total or 0))
    return dict(sorted(result.items(), key=lambda kv: (-kv[1], kv[0])))


def money(value: Any) -> Any:
    """Sums of decimal columns to cents (SQLite returns them without their places)."""
    return value.quantize(CENT) if isinstance(value, Decimal) else value


@dataclass(frozen=True, eq=False)
class Ratio:
    numerator: Measure
    denominator: Measure
    unit: Unit = Unit.RATE

    def value(self, period: Period) -> Decimal | None:
        return ratio(self.numerator.value(period), self.denominator.value(period), self.unit)

    def records(self, period: Period) -> Records:
        return both_sides(self.numerator.records(period), self.denominator.records(period))

    @property
    def dimensions(self) -> tuple[str, ...]:
        return tuple(d for d in self.numerator.dimensions if d in self.denominator.dimensions)

    def breakdown(self, period: Period, name: str) -> dict[str, Number | None]:
        top = self.numerator.breakdown(period, name)
        bottom = self.denominator.breakdown(period, name)
        keys = sorted(set(top) | set(bottom), key=lambda k: (-(bottom.get(k) or 0), k))
        return {k: ratio(top.get(k, 0), bottom.get(k), self.unit) for k in keys}


class Rows:
    """Rows made of several sources (querysets or lists), counted and paged lazily."""

    def __init__(self, parts: Iterable[tuple[Iterable[tuple[Any, ...]], Callable[..., Any]]]):
        self.parts = list(parts)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for rows, shape in self.parts:
            for row in rows:
                yield shape(row)

    def count(self) -> int:
        return sum(count_rows(rows) for rows, _ in self.parts)

    def __getitem__(self, window: slice) -> list[tuple[Any, ...]]:
        return list(itertools.islice(iter(self), window.start, window.stop))


def count_rows(rows: Iterable[Any]) -> int:
    if isinstance(rows, QuerySet | Rows):
        return rows.count()
    return len(list(rows))


def page_rows(rows: Iterable[Any], offset: int, limit: int) -> list[tuple[Any, ...]]:
    if isinstance(rows, QuerySet | Rows):
        return [tuple(r) for r in rows[offset : offset + limit]]
    return [tuple(r) for r in itertools.islice(rows, offset, offset + limit)]


def both_sides(numerator: Records, denominator: Records) -> Records:
    """The rows of a ratio: each side's rows, tagged, over the union of their columns."""
    columns = ("side", *dict.fromkeys((*numerator.columns, *denominator.columns)))

    def shaper(side: str, own: tuple[str, ...]) -> Callable[..., tuple[Any, ...]]:
        positions = [own.index(c) if c in own else None for c in columns[1:]]
        return lambda row: (side, *(None if p is None else row[p] for p in positions))

    return Records(columns, Rows([
        (numerator.rows, shaper("numerator", numerator.columns)),
        (denominator.rows, shaper("denominator", denominator.columns)),
    ]), sum_of=numerator.sum_of, denominator_sum_of=denominator.sum_of)


def register_measure(
    name: str, family: str, section: str, measure: Measure | Ratio, *, unit: Unit,
    label: str = "", parts: Callable[[Period], dict[str, Any]] | None = None,
    cohort: Ratio | None = None,
) -> Kpi:
    """A KPI whose value is the measure's (and optional extra parts); `cohort`, the
    cohort view's ratio, adds the parts `cohort`, `cohort_size`, `cohort_reached` and
    its drill-down."""

    def compute(period: Period) -> KpiResult:
        extra = parts(period) if parts else {}
        if cohort is not None:
            extra = {"cohort": cohort.value(period), "cohort_size":
                     cohort.denominator.value(period),
                     "cohort_reached": cohort.numerator.value(period), **extra}
        return KpiResult(measure.value(period), extra)

    return register(Kpi(
        name=name, family=family, unit=unit, compute=compute, records=measure.records,
        label=label, section=section, breakdown=measure.breakdown,
        breakdowns=tuple(measure.dimensions),
        cohort_records=cohort.records if cohort is not None else None,
        value=measure.value,
    ))

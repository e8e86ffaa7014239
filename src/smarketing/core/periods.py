"""The one definition of a KPI period (shared/KPI.md "Time").

A period is `[start, end)` in whole days of the organisation's time zone
(`SMARKETING_TIME_ZONE`). Presets follow KPI.md: this/last week (ISO, Monday
start), month, quarter, year; anything else is a custom range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from smarketing.core.errors import ValidationFailed

MAX_DAYS = 3 * 366
PRESETS = (
    "this-week", "last-week", "this-month", "last-month",
    "this-quarter", "last-quarter", "this-year", "last-year",
)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # exclusive

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValidationFailed("end: must be after start (end is exclusive)", field="end")

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """The period as aware datetimes at midnight in the organisation's zone."""
        zone = timezone.get_default_timezone()
        return (dt.datetime.combine(self.start, dt.time(), zone),
                dt.datetime.combine(self.end, dt.time(), zone))

    def previous(self) -> Period:
        """The previous period of equal length (KPI.md), ending where this one starts."""
        return Period(self.start - dt.timedelta(days=self.days), self.start)

    def overlap_days(self, first: dt.date, end: dt.date) -> int:
        """Days of `[first, end)` that lie inside the period."""
        return max(0, (min(self.end, end) - max(self.start, first)).days)

    def label(self) -> str:
        last = self.end - dt.timedelta(days=1)
        return f"{self.start.isoformat()} – {last.isoformat()}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first of the month `months` after day's month."""
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def week_of(day: dt.date) -> Period:
    start = day - dt.timedelta(days=day.weekday())
    return Period(start, start + dt.timedelta(days=7))


def month_of(day: dt.date) -> Period:
    start = day.replace(day=1)
    return Period(start, add_months(start, 1))


def quarter_of(day: dt.date) -> Period:
    start = dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return Period(start, add_months(start, 3))


def year_of(day: dt.date) -> Period:
    return Period(dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1))


_UNITS = {"week": week_of, "month": month_of, "quarter": quarter_of, "year": year_of}


def preset(name: str, today: dt.date | None = None) -> Period:
    """`this-month`, `last-week`, ... relative to today in the organisation's zone."""
    if name not in PRESETS:
        raise ValidationFailed(f"period: unknown preset {name!r}; use one of {', '.join(PRESETS)}",
                               field="period")
    which, unit = name.split("-")
    current = _UNITS[unit](today or timezone.localdate())
    return current if which == "this" else _UNITS[unit](current.start - dt.timedelta(days=1))


def parse_period(start: dt.date | None, end: dt.date | None, *, period: str | None = None,
                 default: str = "this-month", max_days: int = MAX_DAYS) -> Period:
    """A request's period: a preset name, or both start and end, or the default preset."""
    if period and (start or end):
        raise ValidationFailed("period: give a preset or start and end, not both", field="period")
    if period:
        return preset(period)
    if start is None and end is None:
        return preset(default)
    if start is None or end is None:
        field = "start" if start is None else "end"
        raise ValidationFailed(f"{field}: give both start and end, or neither", field=field)
    result = Period(start, end)
    if result.days > max_days:
        raise ValidationFailed(f"end: a period is at most {max_days} days", field="end")
    return result


def parse_range(text: str) -> Period:
    """`YYYY-MM-DD..YYYY-MM-DD` (end exclusive) or a preset name, for the CLI."""
    if ".." not in text:
        return preset(text)
    first, _, last = text.partition("..")
    try:
        return Period(dt.date.fromisoformat(first), dt.date.fromisoformat(last))
    except ValueError as exc:
        message = f"period: {text!r} is not YYYY-MM-DD..YYYY-MM-DD"
        raise ValidationFailed(message, field="period") from exc

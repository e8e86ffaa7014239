"""Business-hours arithmetic for the SLA clock.

A calendar is a time zone, the working weekdays (Monday = 0), one working window
per day (start < end, local wall-clock time) and holidays (local dates). Windows
are built from local wall-clock times and converted to UTC before any arithmetic,
so a day on which the clocks change is as long as it really is. Without a calendar
the clock runs in plain elapsed hours.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UTC = dt.UTC
MAX_DAYS = 3 * 366  # a deadline further out than this means a calendar with no working time


@dataclass(frozen=True)
class CalendarSpec:
    time_zone: str = "UTC"
    working_days: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    start: dt.time = dt.time(9, 0)
    end: dt.time = dt.time(17, 0)
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.working_days or not self.working_days <= set(range(7)):
            raise ValueError("working_days: one or more of 0 (Monday) to 6 (Sunday)")
        if self.start >= self.end:
            raise ValueError("end: the working day must end after it starts")
        ZoneInfo(self.time_zone)  # raises for an unknown zone

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def is_working_day(self, day: dt.date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    def window(self, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """The day's working window in UTC (wall-clock start and end in the zone)."""
        start = dt.datetime.combine(day, self.start, tzinfo=self.zone)
        end = dt.datetime.combine(day, self.end, tzinfo=self.zone)
        return start.astimezone(UTC), end.astimezone(UTC)


def _windows_from(
    spec: CalendarSpec, moment: dt.datetime
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Working windows (UTC) that end after `moment`, clipped to start at it, in order."""
    day = moment.astimezone(spec.zone).date()
    for offset in range(MAX_DAYS):
        current = day + dt.timedelta(days=offset)
        if not spec.is_working_day(current):
            continue
        start, end = spec.window(current)
        if end > moment:
            yield max(start, moment), end
    raise ValueError("calendar: no working time within three years")


def _utc(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("datetimes must be aware")
    return moment.astimezone(UTC)


def add_business_hours(start: dt.datetime, hours: float, spec: CalendarSpec | None) -> dt.datetime:
    """The moment `hours` of working time after `start` (plain hours without a calendar)."""
    start = _utc(start)
    remaining = dt.timedelta(hours=hours)
    if spec is None:
        return start + remaining
    if remaining <= dt.timedelta(0):
        return start
    for window_start, window_end in _windows_from(spec, start):
        length = window_end - window_start
        if remaining <= length:
            return window_start + remaining
        remaining -= length
    raise AssertionError("unreachable")  # pragma: no cover


def business_hours_between(
    start: dt.datetime, end: dt.datetime, spec: CalendarSpec | None
) -> float:
    """Working hours from `start` to `end` (negative when end comes first)."""
    start, end = _utc(start), _utc(end)
    if end < start:
        return -business_hours_between(end, start, spec)
    if spec is None:
        return (end - start).total_seconds() / 3600
    total = dt.timedelta(0)
    for window_start, window_end in _windows_from(spec, start):
        if window_start >= end:
            break
        total += min(window_end, end) - window_start
    return total.total_seconds() / 3600

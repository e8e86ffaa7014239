"""The SLA clock counts working time of a calendar: weekends, holidays, DST, zones."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from smarketing.handoff.business_hours import (
    CalendarSpec,
    add_business_hours,
    business_hours_between,
)

UTC = dt.UTC
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def new_york(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=NEW_YORK)


OFFICE_PARIS = CalendarSpec(time_zone="Europe/Paris")
OFFICE_NY = CalendarSpec(time_zone="America/New_York")


def test_without_a_calendar_the_clock_runs_in_plain_hours() -> None:
    start = dt.datetime(2026, 3, 6, 22, 0, tzinfo=UTC)  # a Friday night
    assert add_business_hours(start, 8, None) == start + dt.timedelta(hours=8)
    assert business_hours_between(start, start + dt.timedelta(hours=30), None) == 30


def test_hours_within_one_working_day_add_up_directly() -> None:
    deadline = add_business_hours(paris(2026, 3, 4, 10, 0), 4, OFFICE_PARIS)
    assert deadline == paris(2026, 3, 4, 14, 0)


def test_an_mql_arriving_before_opening_starts_its_clock_at_opening() -> None:
    deadline = add_business_hours(paris(2026, 3, 4, 6, 30), 2, OFFICE_PARIS)
    assert deadline == paris(2026, 3, 4, 11, 0)


def test_hours_left_at_closing_carry_over_to_the_next_working_day() -> None:
    deadline = add_business_hours(paris(2026, 3, 4, 15, 0), 4, OFFICE_PARIS)
    assert deadline == paris(2026, 3, 5, 11, 0)


def test_the_weekend_does_not_count() -> None:
    friday_afternoon = paris(2026, 3, 6, 16, 0)
    assert add_business_hours(friday_afternoon, 2, OFFICE_PARIS) == paris(2026, 3, 9, 10, 0)
    saturday = paris(2026, 3, 7, 12, 0)
    assert add_business_hours(saturday, 1, OFFICE_PARIS) == paris(2026, 3, 9, 10, 0)


def test_holidays_do_not_count() -> None:
    calendar = CalendarSpec(time_zone="Europe/Paris", holidays=frozenset({dt.date(2026, 5, 1)}))
    thursday = paris(2026, 4, 30, 16, 0)  # Friday 1 May is a holiday
    assert add_business_hours(thursday, 3, calendar) == paris(2026, 5, 4, 11, 0)


def test_a_working_day_keeps_its_wall_clock_hours_across_the_spring_dst_change() -> None:
    # Paris moves to summer time on Sunday 29 March 2026: Friday 9:00 + 16 working
    # hours is Monday 17:00 local, 15:00 UTC (a week earlier it was 16:00 UTC).
    friday = paris(2026, 3, 27, 9, 0)
    deadline = add_business_hours(friday, 16, OFFICE_PARIS)
    assert deadline == paris(2026, 3, 30, 17, 0)
    assert deadline.astimezone(UTC) == dt.datetime(2026, 3, 30, 15, 0, tzinfo=UTC)
    week_before = add_business_hours(paris(2026, 3, 20, 9, 0), 16, OFFICE_PARIS)
    assert week_before.astimezone(UTC) == dt.datetime(2026, 3, 23, 16, 0, tzinfo=UTC)


def test_a_calendar_that_works_through_the_night_of_the_autumn_change_counts_real_time() -> None:
    # 00:00-06:00 on 25 October 2026 in Paris is 7 real hours (3:00 happens twice).
    night = CalendarSpec(
        time_zone="Europe/Paris",
        working_days=frozenset(range(7)),
        start=dt.time(0, 0),
        end=dt.time(6, 0),
    )
    assert business_hours_between(paris(2026, 10, 25, 0, 0), paris(2026, 10, 25, 6, 0), night) == 7
    assert business_hours_between(paris(2026, 3, 29, 0, 0), paris(2026, 3, 29, 6, 0), night) == 5


def test_the_calendar_zone_decides_the_working_day_not_the_server_zone() -> None:
    # 22:00 UTC on a Monday is 18:00 in New York (closed) but 23:00 in Paris (closed).
    monday_evening_utc = dt.datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
    assert add_business_hours(monday_evening_utc, 1, OFFICE_NY) == new_york(2026, 3, 3, 10, 0)
    assert add_business_hours(monday_evening_utc, 1, OFFICE_PARIS) == paris(2026, 3, 3, 10, 0)
    # 13:00 UTC is 14:00 in Paris (open) and 8:00 in New York (not yet open).
    midday_utc = dt.datetime(2026, 3, 2, 13, 0, tzinfo=UTC)
    assert add_business_hours(midday_utc, 1, OFFICE_PARIS) == paris(2026, 3, 2, 15, 0)
    assert add_business_hours(midday_utc, 1, OFFICE_NY) == new_york(2026, 3, 2, 10, 0)


def test_hours_between_counts_only_working_time_and_is_the_inverse_of_adding() -> None:
    start = paris(2026, 3, 6, 15, 30)
    for hours in (0.5, 2, 8, 13.25, 40):
        end = add_business_hours(start, hours, OFFICE_PARIS)
        assert business_hours_between(start, end, OFFICE_PARIS) == pytest.approx(hours)
    assert (
        business_hours_between(paris(2026, 3, 6, 17, 0), paris(2026, 3, 9, 9, 0), OFFICE_PARIS) == 0
    )


def test_hours_between_is_negative_when_the_end_comes_first() -> None:
    assert business_hours_between(paris(2026, 3, 4, 12), paris(2026, 3, 4, 10), OFFICE_PARIS) == -2


def test_a_calendar_needs_working_days_a_real_window_and_a_known_zone() -> None:
    with pytest.raises(ValueError, match="working_days"):
        CalendarSpec(working_days=frozenset())
    with pytest.raises(ValueError, match="end"):
        CalendarSpec(start=dt.time(17), end=dt.time(9))
    with pytest.raises(Exception):  # noqa: B017 - zoneinfo raises its own error type
        CalendarSpec(time_zone="Mars/Olympus")


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        add_business_hours(dt.datetime(2026, 3, 4, 10), 1, OFFICE_PARIS)

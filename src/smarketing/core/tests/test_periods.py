import datetime as dt

import pytest

from smarketing.core.errors import ValidationFailed
from smarketing.core.periods import Period, parse_period, parse_range, preset

FRIDAY = dt.date(2026, 11, 27)


def test_last_week_is_the_iso_week_before_starting_monday():
    assert preset("last-week", FRIDAY) == Period(dt.date(2026, 11, 16), dt.date(2026, 11, 23))


def test_last_quarter_crosses_the_year_boundary():
    assert preset("last-quarter", dt.date(2026, 1, 5)) == Period(dt.date(2025, 10, 1),
                                                                 dt.date(2026, 1, 1))


def test_the_previous_period_has_equal_length_and_ends_where_this_one_starts():
    november = Period(dt.date(2026, 11, 1), dt.date(2026, 12, 1))
    assert november.previous() == Period(dt.date(2026, 10, 2), dt.date(2026, 11, 1))


def test_a_period_must_end_after_it_starts():
    with pytest.raises(ValidationFailed) as caught:
        Period(dt.date(2026, 1, 2), dt.date(2026, 1, 2))
    assert caught.value.field == "end"


def test_half_a_range_names_the_missing_field():
    with pytest.raises(ValidationFailed) as caught:
        parse_period(dt.date(2026, 1, 1), None)
    assert caught.value.field == "end"


def test_an_unknown_preset_is_refused():
    with pytest.raises(ValidationFailed) as caught:
        parse_range("next-week")
    assert caught.value.field == "period"


def test_a_cli_range_is_start_inclusive_end_exclusive():
    assert parse_range("2026-01-01..2026-02-01").days == 31

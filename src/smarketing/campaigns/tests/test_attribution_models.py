"""The six models of KPI.md on handcrafted journeys, against hand-computed amounts."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest

from smarketing.campaigns.attribution import (
    MODELS,
    NONE_KEY,
    Journey,
    Touch,
    allocate,
    attribute_journeys,
    weights,
)
from smarketing.core.errors import ValidationFailed

T0 = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def journey(*touch_days, amount="1000.00", converted=None, created=None, lead=None, deal_id=1):
    touches = tuple(Touch(day(d), i + 1, campaign_id=i + 1) for i, d in enumerate(touch_days))
    last = day(max(touch_days, default=0))
    return Journey(deal_id, Decimal(amount), converted or last, created or last,
                   lead, touches)


def amounts(model, j):
    return [str(a) for a in allocate(j.amount, weights(model, j))]


@pytest.mark.parametrize("model", MODELS)
def test_one_touch_gets_everything_in_every_model(model):
    assert amounts(model, journey(0, lead=day(0))) == ["1000.00"]


@pytest.mark.parametrize(("model", "expected"), [
    ("first_touch", ["1000.00", "0.00"]),
    ("last_touch", ["0.00", "1000.00"]),
    ("linear", ["500.00", "500.00"]),
    # first = lead-creation touch (80 %), the other touch gets the 20 %
    ("u_shaped", ["800.00", "200.00"]),
    # first + lead 60 %, deal-creation 30 %, no other touch: 10 % split over both
    ("w_shaped", ["650.00", "350.00"]),
    # ages 7 and 0 days: weights 1/2 and 1, so 1/3 and 2/3; the left-over cent to the larger
    ("time_decay", ["333.33", "666.67"]),
])
def test_two_touches_a_week_apart(model, expected):
    assert amounts(model, journey(0, 7, lead=day(1))) == expected


def test_u_shaped_with_distinct_first_and_lead_touches_and_nothing_else_is_half_half():
    assert amounts("u_shaped", journey(0, 7, lead=day(7))) == ["500.00", "500.00"]


@pytest.mark.parametrize(("model", "expected"), [
    ("first_touch", ["100.00", "0.00", "0.00", "0.00", "0.00"]),
    ("last_touch", ["0.00", "0.00", "0.00", "0.00", "100.00"]),
    ("linear", ["20.00"] * 5),
    # 40 / 40 and 20 / 3 = 6.666... each: the two left-over cents to the earlier ties
    ("u_shaped", ["40.00", "40.00", "6.67", "6.67", "6.66"]),
    # first, lead (day 1), deal creation (day 3) 30 % each; 5 % for days 2 and 4
    ("w_shaped", ["30.00", "30.00", "5.00", "30.00", "5.00"]),
])
def test_many_touches(model, expected):
    j = journey(0, 1, 2, 3, 4, amount="100.00", lead=day(1.5), created=day(3.5),
                converted=day(4))
    assert amounts(model, j) == expected


def test_time_decay_halves_a_touchs_weight_every_seven_days_before_the_conversion():
    j = journey(0, 7, 14, converted=day(14))
    assert weights("time_decay", j) == [Fraction(1, 7), Fraction(2, 7), Fraction(4, 7)]
    assert amounts("time_decay", j) == ["142.86", "285.71", "571.43"]


def test_one_touch_holding_first_and_lead_roles_receives_both_shares():
    j = journey(0, 5, 10, lead=day(0), created=day(10))
    assert weights("w_shaped", j) == [Fraction(6, 10), Fraction(1, 10), Fraction(3, 10)]
    assert weights("u_shaped", j) == [Fraction(8, 10), Fraction(1, 10), Fraction(1, 10)]


def test_a_lead_created_before_any_touch_leaves_the_lead_role_with_the_first_touch():
    j = journey(3, 5, lead=day(0))
    assert weights("u_shaped", j) == [Fraction(8, 10), Fraction(2, 10)]


def test_a_deal_without_touches_goes_to_none_and_the_total_still_reconciles():
    journeys = [journey(amount="10.00", deal_id=1), journey(0, 2, amount="5.01", deal_id=2)]
    total, items = attribute_journeys("linear", journeys, lambda t: f"c{t.campaign_id}")
    assert total == Decimal("15.01")
    assert [(i.key, str(i.amount), sorted(i.deals)) for i in items] == [
        (NONE_KEY, "10.00", [1]), ("c1", "2.51", [2]), ("c2", "2.50", [2]),
    ]


def test_touches_of_the_same_key_add_up_and_count_the_deal_once():
    total, items = attribute_journeys("first_touch", [journey(0, 1, 2)], lambda t: "same")
    assert [(i.key, i.amount, i.deals) for i in items] == [("same", Decimal("1000.00"), {1})]


def test_an_unknown_model_is_refused_naming_the_field():
    with pytest.raises(ValidationFailed) as err:
        weights("position_based", journey(0))
    assert err.value.field == "model"

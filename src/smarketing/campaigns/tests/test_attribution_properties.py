"""Property-based: for random journeys every model sums to the deal amount to the cent,
and no weight or amount is negative."""

import datetime as dt
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from smarketing.campaigns.attribution import MODELS, Journey, Touch, allocate, weights

START = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
moments = st.integers(min_value=0, max_value=400 * 86400).map(
    lambda s: START + dt.timedelta(seconds=s))
amounts = st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2)


@st.composite
def journeys(draw):
    times = sorted(draw(st.lists(moments, min_size=1, max_size=12)))
    touches = tuple(Touch(at, i, campaign_id=i) for i, at in enumerate(times))
    converted = draw(st.one_of(st.just(times[-1]), moments.filter(lambda m: m >= times[-1])))
    created = draw(moments.filter(lambda m: m <= converted) | st.just(converted))
    lead = draw(st.none() | moments)
    return Journey(1, draw(amounts), converted, created, lead, touches)


@settings(max_examples=150, deadline=None)
@given(journeys())
def test_every_model_splits_the_whole_amount_with_no_negative_share(journey):
    for model in MODELS:
        shares = weights(model, journey)
        assert len(shares) == len(journey.touches)
        assert all(share >= 0 for share in shares)
        assert sum(shares) == 1
        parts = allocate(journey.amount, shares)
        assert all(part >= 0 for part in parts)
        assert sum(parts) == journey.amount


@settings(max_examples=150, deadline=None)
@given(amounts, st.lists(st.fractions(min_value=0, max_value=10), min_size=1, max_size=20)
       .filter(lambda shares: sum(shares) > 0))
def test_allocation_is_exact_to_the_cent_and_each_part_within_a_cent_of_its_share(
    amount, shares
):
    parts = allocate(amount, shares)
    assert sum(parts) == amount
    total = sum(shares)
    for part, share in zip(parts, shares, strict=True):
        assert abs(Fraction(part) - Fraction(amount) * share / total) < Fraction(1, 100)

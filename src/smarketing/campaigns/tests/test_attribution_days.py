"""The per-day sums a period is read from stay equal to the per-deal rows through every
kind of change (late events, events stored out of id order, deals changed or
deleted, a campaign's channel changed even without save(), campaigns deleted), and
every read, on any period boundary, equals the Python reference and the one direct
SQL statement the benchmark uses as its limit."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection

from smarketing.campaigns.attribution import (
    BASES,
    BY,
    MODELS,
    NO_CAMPAIGN,
    NONE_KEY,
    attribute_journeys,
    attribution,
    load_journeys,
)
from smarketing.campaigns.attribution import _key_function as key_function
from smarketing.campaigns.attribution_query import direct_statement, sql_moment
from smarketing.campaigns.models import AttributionDay, Campaign, Channel, DealAttribution
from smarketing.campaigns.services import campaign_delete
from smarketing.campaigns.tests.factories import make_campaign, make_event
from smarketing.campaigns.tests.test_touches import day, random_world
from smarketing.campaigns.touches import touches_for_contacts, touches_sync
from smarketing.people.models import Contact
from smarketing.pipeline.models import Deal
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event

pytestmark = pytest.mark.django_db
# whole UTC days, partial days at both edges, and a period shorter than a day
PERIODS = [
    (dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 5, 1, tzinfo=dt.UTC)),
    (dt.datetime(2026, 3, 4, 9, 30, tzinfo=dt.UTC),
     dt.datetime(2026, 3, 25, 17, tzinfo=dt.timezone(dt.timedelta(hours=5)))),
    (day(5) - dt.timedelta(hours=3), day(5) + dt.timedelta(hours=3)),
]


def days_from_rows() -> dict[tuple, tuple[int, int]]:
    """The day sums computed independently in Python from the per-deal rows."""
    cents: dict[tuple, int] = defaultdict(int)
    deals: dict[tuple, set[int]] = defaultdict(set)
    for row in DealAttribution.objects.all():
        on = row.at.astimezone(dt.UTC).date()
        campaign = str(row.campaign_id if row.campaign_id is not None else -1)
        for key in ((row.basis, row.model, "campaign", on, campaign),
                    (row.basis, row.model, "channel", on, row.channel)):
            cents[key] += row.cents
            deals[key].add(row.deal_id)
    return {key: (cents[key], len(deals[key])) for key in cents}


def stored_days() -> dict[tuple, tuple[int, int]]:
    return {(d.basis, d.model, d.kind, d.day, d.item): (d.cents, d.deals)
            for d in AttributionDay.objects.all()}


def direct(model: str, basis: str, by: str, start: dt.datetime, end: dt.datetime) -> list:
    unkeyed = NO_CAMPAIGN if by == "campaign" else str(Channel.CONTENT_SEO)
    start_at, end_at = sql_moment(start), sql_moment(end)
    with connection.cursor() as cursor:
        cursor.execute(direct_statement(model, basis, by),
                       [NONE_KEY, unkeyed, start_at, end_at, start_at, end_at])
        found = [(key, Decimal(int(Decimal(cents))).scaleb(-2), int(deals))
                 for key, cents, deals in cursor]
    return sorted(found, key=lambda item: (-item[1], item[0]))


def assert_exact(models=MODELS) -> None:
    """Every read equals the Python reference and the direct statement; the day sums
    equal the rows."""
    for start, end in PERIODS:
        for basis in BASES:
            journeys = load_journeys(start, end, basis)
            for by in BY:
                key_of = key_function(by)
                for model in models:
                    total, expected = attribute_journeys(model, journeys, key_of)
                    result = attribution(start=start, end=end, model=model, basis=basis, by=by)
                    got = [(i.key, i.amount, i.deal_count) for i in result.items]
                    assert got == [(i.key, i.amount, len(i.deals)) for i in expected], (
                        start, basis, by, model)
                    assert result.total == total == sum(i.amount for i in result.items)
                    assert got == direct(model, basis, by, start, end)
    assert stored_days() == days_from_rows()


@pytest.mark.parametrize("seed", [1, 2])
def test_the_sql_attribution_equals_the_python_reference_for_every_model(users, seed):
    random_world(users, seed)
    assert_exact()


def test_a_period_is_read_from_whole_days_and_its_partial_edges(users):
    ads = make_campaign("Ads", utm_campaign="ads")
    ann, bob = make_contact(at=day(0)), make_contact(at=day(0))
    make_event(ann, day(-1), utm_campaign="ads")
    make_event(bob, day(-1), utm_campaign="ads")
    make_deal(users["rep"], amount="100.00", contacts=[ann], at=day(2) + dt.timedelta(hours=1))
    make_deal(users["rep"], amount="50.00", contacts=[bob], at=day(2) + dt.timedelta(hours=9))
    assert AttributionDay.objects.count() == 0  # computed on the first read
    start = day(2) + dt.timedelta(hours=5)  # the first deal lies before the period
    result = attribution(start=start, end=day(30), model="linear", basis="pipeline")
    assert [(i.key, i.amount, i.deal_count) for i in result.items] == [
        (ads.name, Decimal("50.00"), 1)]
    whole = attribution(start=day(0), end=day(30), model="linear", basis="pipeline")
    assert [(i.key, i.amount, i.deal_count) for i in whole.items] == [
        (ads.name, Decimal("150.00"), 2)]
    assert AttributionDay.objects.filter(kind="campaign", item=str(ads.pk),
                                         model="linear", basis="pipeline").get().deals == 2


def test_a_deal_with_two_campaigns_of_one_channel_counts_once_for_the_channel(users):
    make_campaign("Ads A", utm_campaign="a", channel="paid_search")
    make_campaign("Ads B", utm_campaign="b", channel="paid_search")
    ann = make_contact(at=day(0))
    make_event(ann, day(-2), utm_campaign="a")
    make_event(ann, day(-1), utm_campaign="b")
    deal = make_deal(users["rep"], amount="100.00", contacts=[ann], at=day(1))
    deal_win(deal=deal, actor=users["rep"], at=day(3))
    result = attribution(start=PERIODS[0][0], end=PERIODS[0][1], model="linear", by="channel")
    assert [(i.key, i.amount, i.deal_count) for i in result.items] == [
        ("paid_search", Decimal("100.00"), 1)]
    assert_exact()


@pytest.mark.parametrize("seed", [3, 4])
def test_the_day_sums_stay_exact_through_every_kind_of_change(users, seed):
    rng = random.Random(seed)
    random_world(users, seed)
    assert_exact()
    contacts = list(Contact.objects.filter(deal_links__isnull=False).distinct())
    # a late event, dated before deals were created and won
    make_event(rng.choice(contacts), day(rng.uniform(-5, 10)), utm_campaign="c1")
    # an event stored below the id the touch points were synced to (out of id order, as
    # concurrent ingestion commits on PostgreSQL), seen by ingestion's listener
    touches_sync()
    late = make_event(rng.choice(contacts), day(rng.uniform(-5, 10)), utm_campaign="c2")
    make_event(rng.choice(contacts), day(1), utm_campaign="c3")
    touches_sync()
    Event.objects.filter(pk=late.pk).update(timestamp=day(rng.uniform(-5, 10)))
    gap = Event.objects.get(pk=late.pk)
    gap.delete()
    gap.pk = late.pk
    gap.save(force_insert=True)
    touches_for_contacts([gap.contact_id])
    assert_exact(models=("linear", "w_shaped"))
    # deals changed and deleted, whatever code writes them
    deals = list(Deal.objects.order_by("pk"))
    Deal.objects.filter(pk=deals[0].pk).update(amount="123.45")
    deals[1].delete()
    # a channel changed without save(), and a campaign deleted
    Campaign.objects.filter(name="C1").update(channel="email")
    campaign_delete(campaign=Campaign.objects.get(name="C2"), actor=users["admin"])
    assert_exact()

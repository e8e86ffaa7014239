"""Attribution from the database: touches resolved from events, before the conversion."""

import datetime as dt
from decimal import Decimal

import pytest

from smarketing.campaigns.attribution import NONE_KEY, attribution, load_journeys
from smarketing.campaigns.tests.factories import make_asset, make_campaign, make_event
from smarketing.core.errors import ValidationFailed
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
START, END = dt.datetime(2026, 3, 1, tzinfo=dt.UTC), dt.datetime(2026, 4, 1, tzinfo=dt.UTC)


def day(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def rows(result):
    return [(i.key, str(i.amount), i.deal_count) for i in result.items]


@pytest.fixture
def world(users):
    """Ann: ad click (day 0), webinar asset (day 2), lead (day 2), deal created day 3,
    an email click day 5, won day 10, a late ad click day 12 (after the win)."""
    ads = make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    mail = make_campaign("Newsletter", channel="email", utm_campaign="news")
    webinar = make_campaign("Webinar", channel="events_webinars", utm_campaign="webinar")
    asset = make_asset("Webinar recording", type="webinar", campaign=webinar)
    ann = make_contact(at=day(2))
    make_event(ann, day(0), utm_campaign="ADS", utm_source="google")
    make_event(ann, day(1), utm_campaign="not-a-campaign")
    make_event(ann, day(1.5), referrer="https://google.com")
    make_event(ann, day(2), type="track", name="Asset Viewed",
               properties={"asset_id": asset.pk})
    make_event(ann, day(5), utm_campaign="news", utm_medium="email")
    make_event(ann, day(12), utm_campaign="ads")
    deal = make_deal(users["rep"], amount="900.00", contacts=[ann], at=day(3))
    deal_win(deal=deal, actor=users["rep"], at=day(10))
    bob = make_contact(at=day(1))
    untouched = make_deal(users["rep"], amount="100.00", contacts=[bob], at=day(4))
    deal_win(deal=untouched, actor=users["rep"], at=day(6))
    return {"ads": ads, "mail": mail, "webinar": webinar, "deal": deal}


def test_pipeline_touches_stop_at_deal_creation_and_revenue_touches_at_the_win(world):
    by_deal = {j.deal_id: j for j in load_journeys(START, END, "pipeline")}
    assert len(by_deal[world["deal"].pk].touches) == 2
    by_deal = {j.deal_id: j for j in load_journeys(START, END, "revenue")}
    assert len(by_deal[world["deal"].pk].touches) == 3


def test_revenue_by_campaign_under_linear_and_w_shaped(world):
    linear = attribution(start=START, end=END, model="linear", basis="revenue")
    assert linear.total == Decimal("1000.00")
    assert rows(linear) == [
        ("Newsletter", "300.00", 1), ("Search ads", "300.00", 1), ("Webinar", "300.00", 1),
        (NONE_KEY, "100.00", 1),
    ]
    # ads: first (30 %); webinar asset: lead creation and deal creation (60 %); news: 10 %
    w_shaped = attribution(start=START, end=END, model="w_shaped", basis="revenue")
    assert rows(w_shaped) == [
        ("Webinar", "540.00", 1), ("Search ads", "270.00", 1), (NONE_KEY, "100.00", 1),
        ("Newsletter", "90.00", 1),
    ]


def test_pipeline_by_channel_under_first_and_last_touch(world):
    first = attribution(start=START, end=END, model="first_touch", basis="pipeline",
                        by="channel")
    assert rows(first) == [("paid_search", "900.00", 1), (NONE_KEY, "100.00", 1)]
    last = attribution(start=START, end=END, model="last_touch", basis="pipeline",
                       by="channel")
    assert rows(last) == [("events_webinars", "900.00", 1), (NONE_KEY, "100.00", 1)]


def test_every_model_reconciles_with_won_revenue_in_the_period(world):
    for model in ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped",
                  "time_decay"):
        result = attribution(start=START, end=END, model=model, basis="revenue")
        assert sum(i.amount for i in result.items) == result.total == Decimal("1000.00")


def test_a_period_without_deals_is_empty(world):
    result = attribution(start=END, end=END + dt.timedelta(days=30), model="linear")
    assert (result.total, result.items) == (Decimal("0.00"), [])


def test_a_bad_basis_or_grouping_names_the_field(world):
    with pytest.raises(ValidationFailed) as err:
        attribution(start=START, end=END, model="linear", basis="bookings")
    assert err.value.field == "basis"
    with pytest.raises(ValidationFailed) as err:
        attribution(start=START, end=END, model="linear", by="region")
    assert err.value.field == "by"


def test_the_drill_down_lists_the_deals_and_touches_behind_a_number(world, api_as):
    response = api_as("rep").get("/api/v1/attribution/deals?start=2026-03-01&end=2026-04-01"
                                 "&model=w_shaped&basis=revenue&key=Webinar")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 1
    (deal,) = body["items"]
    assert (deal["deal_id"], deal["amount"], deal["attributed"]) == (
        world["deal"].pk, "900.00", "540.00")
    assert [(t["key"], t["percent"], t["amount"]) for t in deal["touches"]] == [
        ("Search ads", "30.0", "270.00"), ("Webinar", "60.0", "540.00"),
        ("Newsletter", "10.0", "90.00")]
    assert sum(Decimal(t["amount"]) for t in deal["touches"] if t["key"] == "Webinar") == 540


def test_the_drill_down_of_none_lists_the_deals_without_touches(world, api_as):
    response = api_as("marketing").get("/api/v1/attribution/deals?start=2026-03-01"
                                       "&end=2026-04-01&key=(none)")
    (deal,) = response.json()["items"]
    assert (deal["amount"], deal["attributed"], deal["touches"]) == ("100.00", "100.00", [])


def test_the_drill_down_names_a_bad_model(world, api_as):
    response = api_as("rep").get("/api/v1/attribution/deals?key=x&model=magic")
    assert response.status_code == 422
    assert response.json()["field"] == "model"

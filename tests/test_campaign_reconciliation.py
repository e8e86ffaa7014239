"""The campaigns' figures reconcile with the KPI engine for the same period: summed
over the campaign (or channel) rows and the rows no campaign holds, spend is
marketing_spend, leads and MQLs are new_leads and mqls, and revenue under every
attribution model is sales_revenue (a deal without a touch included), through the
selectors and the REST API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from smarketing.analytics.registry import kpi_values
from smarketing.campaigns.attribution import MODELS
from smarketing.campaigns.selectors import (
    campaign_performance,
    channel_performance,
    performance_total,
)
from smarketing.campaigns.services import MetricRow, cost_add, metrics_upsert
from smarketing.campaigns.tests.factories import make_asset, make_campaign, make_event
from smarketing.core.periods import Period
from smarketing.people.lifecycle import contact_transition
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def journeys(users: dict[str, Any]) -> None:
    ads = make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    news = make_campaign("Newsletter", channel="email", utm_campaign="news")
    cost_add(campaign=ads, actor=None, kind="daily", amount="10.00",
             start_date=dt.date(2026, 2, 25), end_date=dt.date(2026, 3, 4))  # 4 days in March
    cost_add(campaign=news, actor=None, kind="lump_sum", amount="99.99",
             start_date=dt.date(2026, 3, 9))
    metrics_upsert(actor=None, rows=[MetricRow(ads.pk, dt.date(2026, 3, 2), clicks=5,
                                               spend=Decimal("0.01"))])
    guide = make_asset("Guide", type="ebook")  # no campaign
    tagged, untouched, reader = (make_contact(at=at(day)) for day in (5, 6, 7))
    make_event(tagged, at(3), utm_campaign="ADS")
    make_event(tagged, at(4), utm_campaign="news")
    make_event(reader, at(6), type="track", name="Asset Viewed",
               properties={"asset_id": guide.pk})
    contact_transition(contact=tagged, actor=None, to_stage="mql", cause="scoring", at=at(8))
    for contact, amount in ((tagged, "1000.01"), (untouched, "500.00"), (reader, "333.33")):
        deal = make_deal(users["rep"], amount=amount, contacts=[contact], at=at(10))
        deal_win(deal=deal, actor=users["rep"], at=at(20))


@pytest.mark.parametrize("rows_of", [campaign_performance, channel_performance])
def test_totals_equal_the_kpis_under_every_model(journeys: None, rows_of: Any) -> None:
    kpis = {**kpi_values(MARCH, family="leads"), **kpi_values(MARCH, family="sales")}
    assert kpis["sales_revenue"]["value"] == Decimal("1833.34")
    for model in MODELS:
        total = performance_total(rows_of(MARCH, model=model))
        assert total["revenue"] == kpis["sales_revenue"]["value"], model
        assert total["spend"] == kpis["marketing_spend"]["value"] == Decimal("140.00")
        assert (total["leads"], total["mqls"]) == (
            kpis["new_leads"]["value"], kpis["mqls"]["value"]) == (3, 3)  # won: via mql
        assert total["cpl"] == kpis["cost_per_lead"]["value"]


def test_deals_without_a_touch_and_assets_without_a_campaign_have_their_own_rows(
    journeys: None
) -> None:
    rows = {r["name"]: r for r in campaign_performance(MARCH, model="first_touch")}
    assert (rows["(none)"]["revenue"], rows["(none)"]["leads"]) == (Decimal("500.00"), 2)
    assert rows["(no campaign)"]["revenue"] == Decimal("333.33")
    assert rows["Search ads"]["revenue"] == Decimal("1000.01")
    channels = {r["key"]: r for r in channel_performance(MARCH, model="first_touch")}
    assert channels["content_seo"]["revenue"] == Decimal("333.33")  # the asset's channel
    assert channels["paid_search"]["spend"] == Decimal("40.01")


def test_the_performance_api_returns_the_total(journeys: None, api_as: Any) -> None:
    body = api_as("manager").get("/api/v1/campaigns/performance", start="2026-03-01",
                                 end="2026-04-01", model="w_shaped", by="channel").json()
    assert (body["total"]["revenue"], body["total"]["spend"]) == ("1833.34", "140.00")

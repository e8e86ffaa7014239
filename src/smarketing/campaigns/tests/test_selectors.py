import datetime as dt
from decimal import Decimal

import pytest

from smarketing.campaigns.selectors import (
    campaign_performance,
    channel_performance,
    spend_by_campaign,
)
from smarketing.campaigns.services import MetricRow, cost_add, metrics_upsert
from smarketing.campaigns.tests.factories import make_campaign, make_event
from smarketing.core.errors import ValidationFailed
from smarketing.core.periods import Period
from smarketing.people.lifecycle import contact_transition
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
D = dt.date
MARCH, APRIL = Period(D(2026, 3, 1), D(2026, 4, 1)), Period(D(2026, 4, 1), D(2026, 5, 1))


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, 12, tzinfo=dt.UTC)


def test_a_daily_cost_is_prorated_day_by_day_across_periods():
    campaign = make_campaign()
    cost_add(campaign=campaign, actor=None, kind="daily", amount="10.00",
             start_date=D(2026, 3, 25), end_date=D(2026, 4, 4))
    assert spend_by_campaign(MARCH) == {campaign.pk: Decimal("70.00")}
    assert spend_by_campaign(APRIL) == {campaign.pk: Decimal("40.00")}
    assert spend_by_campaign(Period(D(2026, 2, 1), D(2026, 3, 1))) == {}


def test_a_lump_sum_counts_whole_in_the_period_of_its_date_and_metrics_spend_adds():
    campaign = make_campaign()
    cost_add(campaign=campaign, actor=None, kind="lump_sum", amount="500.00",
             start_date=D(2026, 3, 31))
    metrics_upsert(actor=None, rows=[
        MetricRow(campaign.pk, D(2026, 3, 31), spend=Decimal("2.50")),
        MetricRow(campaign.pk, D(2026, 4, 1), spend=Decimal("4.00")),
    ])
    assert spend_by_campaign(MARCH) == {campaign.pk: Decimal("502.50")}
    assert spend_by_campaign(APRIL) == {campaign.pk: Decimal("4.00")}


def test_a_period_ends_after_it_starts():
    with pytest.raises(ValidationFailed) as err:
        Period(D(2026, 3, 1), D(2026, 3, 1))
    assert err.value.field == "end"


def test_campaign_kpis_divide_spend_by_the_contacts_it_sourced_and_zero_gives_none(users):
    ads = make_campaign("Ads", channel="paid_search", utm_campaign="ads")
    idle = make_campaign("Idle", channel="paid_search", utm_campaign="idle")
    cost_add(campaign=ads, actor=None, kind="lump_sum", amount="300.00",
             start_date=D(2026, 3, 2))
    cost_add(campaign=idle, actor=None, kind="lump_sum", amount="50.00",
             start_date=D(2026, 3, 2))
    leads = [make_contact(at=at(5)) for _ in range(3)]
    for contact in leads:
        make_event(contact, at(4), utm_campaign="ads")
    contact_transition(contact=leads[0], actor=None, to_stage="mql", cause="scoring", at=at(6))
    deal = make_deal(users["rep"], amount="1200.00", contacts=[leads[0]], at=at(7))
    deal_win(deal=deal, actor=users["rep"], at=at(9))
    rows = {r["name"]: r for r in campaign_performance(MARCH, model="first_touch")}
    assert {k: rows["Ads"][k] for k in ("leads", "mqls", "sqls", "opportunities",
                                         "customers")} == {
        "leads": 3, "mqls": 1, "sqls": 1, "opportunities": 1, "customers": 1}
    assert (rows["Ads"]["cpl"], rows["Ads"]["cost_per_mql"], rows["Ads"]["cac"]) == (
        Decimal("100.00"), Decimal("300.00"), Decimal("300.00"))
    assert (rows["Ads"]["pipeline"], rows["Ads"]["revenue"], rows["Ads"]["roi"]) == (
        Decimal("1200.00"), Decimal("1200.00"), Decimal("4.00"))
    assert (rows["Idle"]["cpl"], rows["Idle"]["roi"]) == (None, Decimal("0.00"))
    channel = channel_performance(MARCH, model="first_touch")
    assert [(r["key"], r["spend"], r["leads"]) for r in channel] == [
        ("paid_search", Decimal("350.00"), 3)]


def test_daily_spend_spreads_daily_costs_and_adds_lump_sums_and_metrics_by_day():
    from smarketing.campaigns.selectors import daily_spend

    campaign = make_campaign("Ads")
    cost_add(campaign=campaign, actor=None, kind="daily", amount="10", start_date=D(2026, 2, 27),
             end_date=D(2026, 3, 2))
    cost_add(campaign=campaign, actor=None, kind="lump_sum", amount="99.50",
             start_date=D(2026, 3, 2))
    metrics_upsert(actor=None, rows=[MetricRow(campaign_id=campaign.pk, day=D(2026, 3, 3),
                                               spend=Decimal("4.25"))])
    days = dict(daily_spend(campaign, Period(D(2026, 3, 1), D(2026, 3, 5))))
    assert days == {D(2026, 3, 1): Decimal("10.00"), D(2026, 3, 2): Decimal("109.50"),
                    D(2026, 3, 3): Decimal("4.25"), D(2026, 3, 4): Decimal("0.00")}

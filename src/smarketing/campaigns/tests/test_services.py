import datetime as dt
from decimal import Decimal

import pytest

from smarketing.campaigns.models import ChannelMetric, CostKind
from smarketing.campaigns.services import (
    MetricRow,
    asset_update,
    campaign_update,
    cost_add,
    cost_update,
    metrics_upsert,
)
from smarketing.campaigns.tests.factories import make_asset, make_campaign
from smarketing.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db
D = dt.date


def test_it_stores_utm_keys_trimmed_and_lower_case():
    campaign = make_campaign("Spring", utm_campaign="  Spring-Sale ", utm_source="Google ")
    assert (campaign.utm_campaign, campaign.utm_source) == ("spring-sale", "google")


def test_two_campaigns_cannot_share_the_same_utm_keys():
    make_campaign("A", utm_campaign="x", utm_source="google")
    with pytest.raises(ValidationFailed) as err:
        make_campaign("B", utm_campaign="X", utm_source="GOOGLE")
    assert err.value.field == "utm_campaign"


def test_the_same_utm_campaign_with_another_source_is_another_campaign():
    make_campaign("A", utm_campaign="x", utm_source="google")
    assert make_campaign("B", utm_campaign="x", utm_source="bing").utm_source == "bing"


def test_it_refuses_an_unknown_channel_a_float_budget_and_reversed_dates():
    with pytest.raises(ValidationFailed) as err:
        make_campaign(channel="tv")
    assert err.value.field == "channel"
    with pytest.raises(ValidationFailed) as err:
        make_campaign(budget=10.5)
    assert err.value.field == "budget"
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        campaign_update(campaign=campaign, actor=None, end_date=D(2025, 1, 1))
    assert err.value.field == "end_date"


def test_a_lump_sum_is_dated_on_one_day_and_a_daily_cost_needs_an_end():
    campaign = make_campaign()
    lump = cost_add(campaign=campaign, actor=None, kind=CostKind.LUMP_SUM, amount="500",
                    start_date=D(2026, 2, 1))
    assert (lump.end_date, lump.amount) == (D(2026, 2, 1), Decimal("500.00"))
    with pytest.raises(ValidationFailed) as err:
        cost_add(campaign=campaign, actor=None, kind=CostKind.DAILY, amount="10",
                 start_date=D(2026, 2, 1))
    assert err.value.field == "end_date"
    with pytest.raises(ValidationFailed) as err:
        cost_add(campaign=campaign, actor=None, kind=CostKind.LUMP_SUM, amount="-1",
                 start_date=D(2026, 2, 1))
    assert err.value.field == "amount"


def test_a_cost_changes_from_lump_sum_to_daily():
    campaign = make_campaign()
    cost = cost_add(campaign=campaign, actor=None, kind=CostKind.LUMP_SUM, amount="5",
                    start_date=D(2026, 2, 1))
    cost = cost_update(cost=cost, actor=None, kind=CostKind.DAILY, end_date=D(2026, 2, 10))
    assert (cost.kind, cost.end_date) == (CostKind.DAILY, D(2026, 2, 10))


def test_metrics_upsert_replaces_a_stored_day_and_keeps_the_last_duplicate():
    campaign = make_campaign()
    metrics_upsert(actor=None, rows=[MetricRow(campaign.pk, D(2026, 3, 1), clicks=5)])
    stored = metrics_upsert(actor=None, rows=[
        MetricRow(campaign.pk, D(2026, 3, 1), clicks=7, spend=Decimal("1.50")),
        MetricRow(campaign.pk, D(2026, 3, 1), clicks=9, impressions=100),
        MetricRow(campaign.pk, D(2026, 3, 2), likes=3),
    ])
    assert stored == 2
    day = ChannelMetric.objects.get(campaign=campaign, day=D(2026, 3, 1))
    assert (day.clicks, day.impressions, day.spend) == (9, 100, Decimal("0.00"))


def test_metrics_upsert_writes_nothing_when_one_row_is_bad():
    campaign = make_campaign()
    with pytest.raises(ValidationFailed) as err:
        metrics_upsert(actor=None, rows=[
            MetricRow(campaign.pk, D(2026, 3, 1), clicks=5),
            MetricRow(campaign.pk, D(2026, 3, 2), clicks=-1),
        ])
    assert err.value.field == "clicks"
    with pytest.raises(ValidationFailed) as err:
        metrics_upsert(actor=None, rows=[MetricRow(campaign.pk + 99, D(2026, 3, 1))])
    assert err.value.field == "campaign_id"
    assert not ChannelMetric.objects.exists()


def test_an_asset_needs_a_known_type_and_a_web_url():
    with pytest.raises(ValidationFailed) as err:
        make_asset(type="podcast")
    assert err.value.field == "type"
    asset = make_asset(campaign=make_campaign(), gated=True)
    with pytest.raises(ValidationFailed) as err:
        asset_update(asset=asset, actor=None, url="ftp://x")
    assert err.value.field == "url"

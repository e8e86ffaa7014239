"""The generated campaigns agree with the contacts' campaigns and attribution reconciles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from smarketing.campaigns.attribution import NONE_KEY, attribution
from smarketing.campaigns.models import (
    AssetShare,
    Campaign,
    CampaignCost,
    ChannelMetric,
    ContentAsset,
)
from smarketing.campaigns.resolution import campaign_ids_for_events, contact_campaigns
from smarketing.people.generate import GenerateOptions, clear_people_data, generate
from smarketing.people.models import Contact
from smarketing.pipeline.models import Deal, DealStatus
from smarketing.tracking.models import Event

END = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def generated() -> list[str]:
    return generate(GenerateOptions(contacts=600, seed=7, end=END)).extra


def test_campaigns_span_channels_with_spend_assets_and_first_touches(generated: list[str]) -> None:
    assert any(line.startswith("Campaigns:") for line in generated)
    channels = set(Campaign.objects.values_list("channel", flat=True))
    assert {"paid_search", "paid_social", "email", "events_webinars",
            "content_seo"} <= channels
    assert ChannelMetric.objects.filter(campaign__channel="paid_search").exists()
    assert CampaignCost.objects.filter(campaign__channel="events_webinars").exists()
    assert ContentAsset.objects.filter(type="ebook", gated=True).exists()
    shares = list(AssetShare.objects.select_related("contact", "activity"))
    assert shares and all(s.shared_by_id == s.contact.owner_id and s.activity.kind == "email"
                          for s in shares)
    # each contact's first touch resolves to its original campaign
    names = dict(Campaign.objects.values_list("pk", "name"))
    contacts = dict(Contact.objects.filter(original_campaign__in=names.values()).values_list(
        "pk", "original_campaign"))
    first = contact_campaigns(contacts)
    assert len(first) == len(contacts) > 100
    assert all(names[ids[0]] == contacts[pk] for pk, ids in first.items())
    tagged = Event.objects.exclude(utm_campaign="")
    assert len(campaign_ids_for_events(tagged)) == tagged.count()


def test_revenue_attribution_reconciles_with_won_deals_and_credits_campaigns(
    generated: list[str]
) -> None:
    won = Deal.objects.filter(status=DealStatus.WON)
    total = won.aggregate(total=Sum("amount"))["total"]
    result = attribution(start=END - dt.timedelta(days=3650), end=END, model="w_shaped",
                         basis="revenue")
    assert result.total == total == sum(i.amount for i in result.items)
    assert any(i.key != NONE_KEY and i.amount > 0 for i in result.items)
    clear_people_data()  # generate --force
    assert not Campaign.objects.exists() and not Event.objects.exists()

import datetime as dt
from decimal import Decimal

import pytest

from smarketing.campaigns.models import Campaign, ChannelMetric
from smarketing.campaigns.selectors import asset_performance
from smarketing.campaigns.tests.factories import make_asset, make_campaign, make_event
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
BODY = {"name": "Spring search", "channel": "paid_search", "utm_campaign": "Spring",
        "utm_source": "google", "start_date": "2026-03-01", "budget": "5000.00"}


def test_marketing_creates_a_campaign_and_a_rep_may_not(api_as, users):
    response = api_as("marketing").post("/api/v1/campaigns", BODY)
    assert response.status_code == 201
    assert response.json()["utm_campaign"] == "spring"
    assert Campaign.objects.get().budget == Decimal("5000.00")
    refused = api_as("rep").post("/api/v1/campaigns", {**BODY, "name": "Other"})
    assert refused.status_code == 403


def test_everyone_reads_campaigns_but_a_rep_changing_one_gets_404(api_as):
    campaign = make_campaign()
    listed = api_as("rep").get("/api/v1/campaigns")
    assert listed.json()["count"] == 1
    assert api_as("rep").patch(f"/api/v1/campaigns/{campaign.pk}",
                               {"name": "Mine"}).status_code == 404
    assert api_as("rep").delete(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    changed = api_as("admin").patch(f"/api/v1/campaigns/{campaign.pk}", {"status": "active"})
    assert changed.json()["status"] == "active"


def test_a_bad_body_names_the_field(api_as):
    response = api_as("marketing").post("/api/v1/campaigns", {**BODY, "owner_id": 999999})
    assert (response.status_code, response.json()["field"]) == (422, "owner_id")
    unknown = api_as("marketing").post("/api/v1/campaigns", {**BODY, "colour": "red"})
    assert unknown.status_code == 422


def test_costs_are_added_listed_changed_and_deleted(api_as):
    campaign = make_campaign()
    api = api_as("marketing")
    added = api.post(f"/api/v1/campaigns/{campaign.pk}/costs", {
        "kind": "daily", "amount": "12.50", "start_date": "2026-03-01",
        "end_date": "2026-03-10"})
    assert added.status_code == 201
    cost_id = added.json()["id"]
    bad = api.post(f"/api/v1/campaigns/{campaign.pk}/costs", {
        "kind": "daily", "amount": "1", "start_date": "2026-03-01"})
    assert (bad.status_code, bad.json()["field"]) == (422, "end_date")
    assert api.patch(f"/api/v1/costs/{cost_id}", {"amount": "20"}).json()["amount"] == "20.00"
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/costs").json()["count"] == 1
    assert api_as("rep").delete(f"/api/v1/costs/{cost_id}").status_code == 404
    assert api.delete(f"/api/v1/costs/{cost_id}").status_code == 204


def test_channel_metrics_arrive_in_bulk_and_read_back_by_period(api_as):
    campaign = make_campaign()
    rows = [{"campaign_id": campaign.pk, "day": f"2026-03-0{d}", "impressions": 1000 * d,
             "clicks": 10 * d, "spend": "3.30"} for d in range(1, 4)]
    stored = api_as("marketing").post("/api/v1/campaigns/metrics", {"items": rows})
    assert stored.json() == {"stored": 3}
    again = api_as("marketing").post("/api/v1/campaigns/metrics", {"items": rows[:1]})
    assert again.json() == {"stored": 1}
    assert ChannelMetric.objects.count() == 3
    read = api_as("rep").get(f"/api/v1/campaigns/{campaign.pk}/metrics",
                             start="2026-03-02", end="2026-04-01")
    assert [r["clicks"] for r in read.json()["items"]] == [20, 30]
    negative = api_as("marketing").post("/api/v1/campaigns/metrics", {
        "items": [{**rows[0], "clicks": -1}]})
    assert negative.status_code == 422


def test_a_day_of_channel_metrics_is_deleted_by_marketing_only(api_as):
    campaign = make_campaign()
    api_as("marketing").post("/api/v1/campaigns/metrics", {"items": [
        {"campaign_id": campaign.pk, "day": "2026-03-02", "clicks": 4}]})
    url = f"/api/v1/campaigns/{campaign.pk}/metrics/2026-03-02"
    assert api_as("rep").delete(url).status_code == 404
    assert api_as("marketing").delete(url).status_code == 204
    gone = api_as("marketing").delete(url)
    assert (gone.status_code, gone.json()["field"]) == (404, "day")
    assert not ChannelMetric.objects.exists()


def test_assets_crud_and_filter_by_campaign(api_as):
    campaign = make_campaign()
    api = api_as("marketing")
    made = api.post("/api/v1/assets", {"title": "CRM buyer's guide", "type": "buyers_guide",
                                       "url": "https://example.com/guide",
                                       "campaign_id": campaign.pk, "gated": True})
    assert made.status_code == 201
    make_asset("Other")
    listed = api_as("rep").get("/api/v1/assets", campaign_id=campaign.pk).json()
    assert [a["title"] for a in listed["items"]] == ["CRM buyer's guide"]
    asset_id = made.json()["id"]
    assert api.patch(f"/api/v1/assets/{asset_id}", {"campaign_id": None}).json()[
        "campaign_id"] is None
    bad = api.patch(f"/api/v1/assets/{asset_id}", {"campaign_id": 99999})
    assert (bad.status_code, bad.json()["field"]) == (422, "campaign_id")
    assert api_as("manager").delete(f"/api/v1/assets/{asset_id}").status_code == 404
    assert api.delete(f"/api/v1/assets/{asset_id}").status_code == 204


def test_attribution_endpoint_returns_the_design_shape(api_as, users):
    make_campaign("Ads", channel="paid_search", utm_campaign="ads")
    contact = make_contact(at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    make_event(contact, dt.datetime(2026, 3, 2, tzinfo=dt.UTC), utm_campaign="ads")
    deal = make_deal(users["rep"], amount="250.00", contacts=[contact],
                     at=dt.datetime(2026, 3, 4, tzinfo=dt.UTC))
    deal_win(deal=deal, actor=users["rep"], at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
    body = api_as("rep").get("/api/v1/attribution", start="2026-03-01", end="2026-04-01",
                             model="u_shaped", basis="revenue", by="channel").json()
    assert body["model"] == "u_shaped" and body["basis"] == "revenue"
    assert Decimal(body["total"]) == Decimal("250.00")
    assert [(i["key"], Decimal(i["amount"]), i["deals"]) for i in body["items"]] == [
        ("paid_search", Decimal("250.00"), 1)]
    bad = api_as("rep").get("/api/v1/attribution", start="2026-03-01", end="2026-04-01",
                            model="nope")
    assert (bad.status_code, bad.json()["field"]) == (422, "model")


def test_performance_lists_spend_and_null_ratios(api_as):
    make_campaign("Quiet")
    body = api_as("rep").get("/api/v1/campaigns/performance", start="2026-03-01",
                             end="2026-04-01", by="channel").json()
    assert body["items"][0]["cpl"] is None and body["items"][0]["key"] == "paid_search"


def test_csv_import_through_the_api_names_the_bad_line(api_as):
    make_campaign("Spring", utm_campaign="spring")
    ok = api_as("marketing").post("/api/v1/campaigns/import/metrics", {
        "csv": "Campaign name,Day,Impressions,Clicks,Spent\nSpring,2026-03-01,10,1,0.50\n",
        "format": "facebook"})
    assert ok.json() == {"imported": 1}
    bad = api_as("marketing").post("/api/v1/campaigns/import/costs", {
        "csv": "campaign,kind,amount,start_date\nSpring,lump_sum,ten,2026-03-01\n"})
    assert (bad.status_code, bad.json()["field"]) == (422, "amount")
    assert bad.json()["detail"].startswith("line 2, column amount:")
    assert api_as("rep").post("/api/v1/campaigns/import/costs", {"csv": "x"}).status_code == 403


def test_a_rep_shares_an_asset_with_a_contact_as_an_email_activity(api_as, users):
    from smarketing.pipeline.models import Activity

    asset = make_asset("CRM buyer's guide", type="buyers_guide", url="https://example.com/g")
    contact = make_contact()
    response = api_as("rep").post(f"/api/v1/assets/{asset.pk}/share",
                                  {"contact_id": contact.pk, "note": "As promised"})
    assert response.status_code == 201
    activity = Activity.objects.get(pk=response.json()["activity_id"])
    assert (activity.kind, activity.subject, activity.owner, activity.contact) == (
        "email", "Shared: CRM buyer's guide", users["rep"], contact)
    assert "https://example.com/g" in activity.body
    assert asset_performance()[asset.pk].shares == 1
    missing = api_as("rep").post(f"/api/v1/assets/{asset.pk}/share", {"contact_id": 999999})
    assert missing.status_code == 404

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from smarketing.campaigns.models import CampaignCost
from smarketing.campaigns.services import MetricRow, cost_add, metrics_upsert
from smarketing.campaigns.tests.factories import make_asset, make_campaign, make_event
from smarketing.people.lifecycle import contact_transition
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2026-03-01", "end": "2026-04-01"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def journey(users):
    ads = make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    mail = make_campaign("Newsletter", channel="email", utm_campaign="news")
    cost_add(campaign=ads, actor=None, kind="lump_sum", amount="400.00",
             start_date=dt.date(2026, 3, 2))
    metrics_upsert(actor=None, rows=[MetricRow(ads.pk, dt.date(2026, 3, 2), clicks=40,
                                               impressions=900, spend=Decimal("12.00"))])
    contact = make_contact(at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    make_event(contact, dt.datetime(2026, 3, 3, tzinfo=dt.UTC), utm_campaign="ads")
    make_event(contact, dt.datetime(2026, 3, 6, tzinfo=dt.UTC), utm_campaign="news")
    deal = make_deal(users["rep"], amount="1000.00", contacts=[contact],
                     at=dt.datetime(2026, 3, 7, tzinfo=dt.UTC))
    deal_win(deal=deal, actor=users["rep"], at=dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    make_asset("Pricing guide", type="buyers_guide", campaign=ads, gated=True)
    return {"ads": ads, "mail": mail}


def test_the_campaign_list_shows_spend_funnel_revenue_and_ratios(users, journey):
    page = client_for(users["rep"]).get("/campaigns/", {**PERIOD, "model": "first_touch"})
    assert page.status_code == 200
    rows = page.context["rows"]
    assert [r["name"] for r in rows] == ["Search ads", "Newsletter"]
    ads = rows[0]
    assert (ads["spend"], ads["leads"], ads["revenue"], ads["cpl"]) == (
        Decimal("412.00"), 1, Decimal("1000.00"), Decimal("412.00"))
    assert b"n/a" in page.content


def test_the_campaign_list_sorts_by_any_column(users, journey):
    page = client_for(users["rep"]).get("/campaigns/", {**PERIOD, "sort": "name"})
    assert [r["name"] for r in page.context["rows"]] == ["Newsletter", "Search ads"]
    page = client_for(users["rep"]).get("/campaigns/", {**PERIOD, "sort": "-spend"})
    assert [r["name"] for r in page.context["rows"]] == ["Search ads", "Newsletter"]


def test_the_campaign_page_shows_attribution_under_each_model(users, journey):
    # ads (day 3) is the first and the lead-creation touch (lead on day 5); news (day 6)
    # the deal-creation touch: U = 40 + 40 %, W = 30 + 30 + 5 %
    page = client_for(users["marketing"]).get(f"/campaigns/{journey['ads'].pk}/", PERIOD)
    by_model = {r["model"]: r["revenue"] for r in page.context["by_model"]}
    assert by_model == {"first_touch": Decimal("1000.00"), "last_touch": Decimal("0.00"),
                        "linear": Decimal("500.00"), "u_shaped": Decimal("800.00"),
                        "w_shaped": Decimal("650.00"), "time_decay": by_model["time_decay"]}
    roi = {r["model"]: r["roi"] for r in page.context["by_model"]}  # spend 412.00
    assert (roi["first_touch"], roi["last_touch"], roi["u_shaped"]) == (
        Decimal("2.43"), Decimal("0.00"), Decimal("1.94"))
    assert b"Pricing guide" in page.content and b"Add cost" in page.content
    assert client_for(users["rep"]).get("/campaigns/99999/").status_code == 404


def test_marketing_adds_a_cost_in_the_ui_and_a_rep_gets_403(users, journey):
    url = f"/campaigns/{journey['ads'].pk}/costs/"
    body = {"kind": "daily", "amount": "5", "start_date": "2026-03-01",
            "end_date": "2026-03-03"}
    assert client_for(users["rep"]).post(url, body).status_code == 403
    response = client_for(users["marketing"]).post(url, body)
    assert response.status_code == 302
    assert CampaignCost.objects.filter(kind="daily", amount=Decimal("5.00")).count() == 1


def test_the_attribution_page_compares_models_and_totals_reconcile(users, journey):
    page = client_for(users["manager"]).get("/attribution/", {**PERIOD, "by": "channel"})
    assert page.context["totals"] == [Decimal("1000.00")] * 6
    rows = {r["key"]: [c["amount"] for c in r["cells"]] for r in page.context["table"]}
    assert rows["paid_search"][:3] == [Decimal("1000.00"), Decimal("0.00"), Decimal("500.00")]


def test_an_attribution_number_opens_the_deals_and_touches_behind_it(users, journey):
    page = client_for(users["rep"]).get("/attribution/", {**PERIOD, "by": "channel"})
    row = next(r for r in page.context["table"] if r["key"] == "paid_search")
    linear = row["cells"][2]
    drill = client_for(users["rep"]).get(linear["url"])
    assert drill.status_code == 200
    assert drill.context["count"] == 1 and drill.context["total"] == linear["amount"]
    (deal,) = drill.context["deals"]
    assert [t.key for t in deal.touches] == ["paid_search", "email"]
    assert b"50.0 %" in drill.content


def test_the_content_library_lists_assets_with_their_campaign(users, journey):
    page = client_for(users["rep"]).get("/content/")
    assert b"Pricing guide" in page.content and b"Search ads" in page.content


def test_the_content_library_counts_won_and_lost_deals_an_asset_appears_in(users):
    from smarketing.pipeline.services import deal_lose
    from smarketing.pipeline.tests.factories import reason

    guide = make_asset("Guide")
    ann, bob, cid = make_contact(), make_contact(), make_contact()
    make_event(ann, dt.datetime(2026, 3, 1, tzinfo=dt.UTC), properties={"asset_id": guide.pk})
    make_event(bob, dt.datetime(2026, 3, 1, tzinfo=dt.UTC), properties={"asset_id": guide.pk})
    make_event(cid, dt.datetime(2026, 3, 30, tzinfo=dt.UTC), properties={"asset_id": guide.pk})
    won = make_deal(users["rep"], contacts=[ann], at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    deal_win(deal=won, actor=users["rep"], at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    lost = make_deal(users["rep"], contacts=[bob], at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    deal_lose(deal=lost, actor=users["rep"], reason=reason(),
              at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    late = make_deal(users["rep"], contacts=[cid], at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    deal_win(deal=late, actor=users["rep"], at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    page = client_for(users["rep"]).get("/content/")
    stats = dict(page.context["rows"])[guide]
    assert (stats.views, len(stats.contacts), stats.won, stats.lost) == (
        3, 3, {won.pk}, {lost.pk})
    assert f'href="/content/{guide.pk}/deals/"'.encode() in page.content
    behind = client_for(users["rep"]).get(f"/content/{guide.pk}/deals/")
    assert {d.pk for d in behind.context["deals"]} == {won.pk, lost.pk}  # not the late one
    assert client_for(users["rep"]).get("/content/99999/deals/").status_code == 404


def test_the_content_library_shows_leads_mqls_and_influenced_pipeline_per_asset(users):
    guide, other = make_asset("Guide"), make_asset("Other")
    day = lambda n: dt.datetime(2026, 3, n, tzinfo=dt.UTC)  # noqa: E731
    ann = make_contact("subscriber", at=day(1))
    make_event(ann, day(2), properties={"asset_id": guide.pk})  # her conversion point
    contact_transition(contact=ann, to_stage="lead", cause="tracking", at=day(2))
    make_event(ann, day(3), properties={"asset_id": other.pk})
    contact_transition(contact=ann, to_stage="mql", cause="scoring", at=day(4))
    won = make_deal(users["rep"], amount="500.00", contacts=[ann], at=day(5))
    deal_win(deal=won, actor=users["rep"], at=day(9))
    page = client_for(users["rep"]).get("/content/")
    stats = dict(page.context["rows"])
    assert (stats[guide].leads, stats[guide].mqls, stats[guide].pipeline,
            stats[guide].revenue) == (1, 1, Decimal("500.00"), Decimal("500.00"))
    assert (stats[other].leads, stats[other].mqls) == (0, 1)
    assert b'data-testid="leads-%d">1<' % guide.pk in page.content


def test_marketing_creates_and_edits_a_campaign_in_the_ui_and_a_rep_gets_403(users):
    from smarketing.campaigns.models import Campaign

    body = {"name": "Spring", "channel": "email", "utm_campaign": " Spring-26 ",
            "start_date": "2026-03-01", "budget": "1000", "status": "active"}
    created = client_for(users["marketing"]).post("/campaigns/new/", body)
    campaign = Campaign.objects.get(name="Spring")
    assert created.status_code == 302 and campaign.utm_campaign == "spring-26"
    edited = client_for(users["marketing"]).post(f"/campaigns/{campaign.pk}/edit/",
                                                 {**body, "budget": "-5"})
    assert edited.status_code == 400 and b'data-field="budget"' in edited.content
    assert client_for(users["rep"]).get("/campaigns/new/").status_code == 403


def test_marketing_creates_and_edits_an_asset_in_the_ui_and_a_rep_gets_403(users):
    from smarketing.campaigns.models import ContentAsset

    campaign = make_campaign("Ads")
    body = {"title": "Buyer guide", "type": "buyers_guide", "url": "https://x.example/g",
            "campaign_id": str(campaign.pk), "gated": "on"}
    assert client_for(users["marketing"]).post("/content/new/", body).status_code == 302
    asset = ContentAsset.objects.get(title="Buyer guide")
    assert (asset.campaign, asset.gated) == (campaign, True)
    bad = client_for(users["marketing"]).post(f"/content/{asset.pk}/edit/",
                                              {**body, "url": "ftp://x"})
    assert bad.status_code == 400 and b'data-field="url"' in bad.content
    assert client_for(users["rep"]).get("/content/new/").status_code == 403

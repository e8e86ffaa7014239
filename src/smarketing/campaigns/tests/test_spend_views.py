"""Costs and channel metrics on the campaign page (HTMX): marketing adds, edits and
deletes costs and enters, corrects and deletes days of metrics; bad values come back
as a 400 naming the field; reps get a 403 page."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from smarketing.campaigns.models import CampaignCost, ChannelMetric
from smarketing.campaigns.services import MetricRow, cost_add, metrics_upsert
from smarketing.campaigns.tests.factories import make_campaign

pytestmark = pytest.mark.django_db
PERIOD = "?start=2026-03-01&end=2026-04-01"
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ads():
    campaign = make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    cost_add(campaign=campaign, actor=None, kind="lump_sum", amount="300.00",
             start_date=dt.date(2026, 3, 2))
    return campaign


def test_marketing_edits_a_cost_and_the_kpis_and_costs_chart_come_back(users, ads):
    cost = ads.costs.get()
    url = f"/campaigns/{ads.pk}/costs/{cost.pk}/{PERIOD}"
    form = client_for(users["marketing"]).get(url, **HTMX)
    assert form.status_code == 200
    assert b"Save cost" in form.content and b'value="300.00"' in form.content
    saved = client_for(users["marketing"]).post(url, {
        "kind": "daily", "amount": "10", "start_date": "2026-03-30", "end_date": "2026-04-02",
        "note": "retargeting"}, **HTMX)
    assert saved.status_code == 200
    cost.refresh_from_db()
    assert (cost.kind, cost.amount, cost.end_date, cost.note) == (
        "daily", Decimal("10.00"), dt.date(2026, 4, 2), "retargeting")
    body = saved.content.decode()
    assert "Cost saved." in body
    assert 'id="campaign-kpis" data-testid="campaign-kpis" hx-swap-oob="true"' in body
    assert 'id="campaign-metrics" data-testid="metrics-section" hx-swap-oob="true"' in body
    assert "20.00" in body  # two days of March at 10.00


def test_a_bad_cost_value_is_a_400_naming_the_field_and_nothing_changes(users, ads):
    cost = ads.costs.get()
    url = f"/campaigns/{ads.pk}/costs/{cost.pk}/{PERIOD}"
    refused = client_for(users["marketing"]).post(url, {
        "kind": "daily", "amount": "12", "start_date": "2026-03-30", "end_date": ""}, **HTMX)
    assert refused.status_code == 400
    assert 'data-testid="error-end_date"' in refused.content.decode()
    bad_amount = client_for(users["admin"]).post(f"/campaigns/{ads.pk}/costs/{PERIOD}", {
        "kind": "lump_sum", "amount": "-5", "start_date": "2026-03-03"}, **HTMX)
    assert bad_amount.status_code == 400
    assert 'data-testid="error-amount"' in bad_amount.content.decode()
    bad_date = client_for(users["admin"]).post(f"/campaigns/{ads.pk}/costs/{PERIOD}", {
        "kind": "lump_sum", "amount": "5", "start_date": "31/03/2026"}, **HTMX)
    assert 'data-testid="error-start_date"' in bad_date.content.decode()
    cost.refresh_from_db()
    assert (cost.kind, cost.amount, ads.costs.count()) == ("lump_sum", Decimal("300.00"), 1)


def test_marketing_deletes_a_cost(users, ads):
    cost = ads.costs.get()
    done = client_for(users["marketing"]).post(
        f"/campaigns/{ads.pk}/costs/{cost.pk}/delete/{PERIOD}", **HTMX)
    assert done.status_code == 200 and b"Cost deleted." in done.content
    assert not CampaignCost.objects.exists()


def test_without_htmx_a_cost_change_returns_to_the_campaign_page(users, ads):
    cost = ads.costs.get()
    done = client_for(users["marketing"]).post(f"/campaigns/{ads.pk}/costs/{cost.pk}/delete/")
    assert done.status_code == 302 and done["Location"] == f"/campaigns/{ads.pk}/"


def test_a_cost_of_another_campaign_is_404(users, ads):
    other = make_campaign("Other")
    cost = ads.costs.get()
    assert client_for(users["marketing"]).post(
        f"/campaigns/{other.pk}/costs/{cost.pk}/delete/").status_code == 404
    assert CampaignCost.objects.count() == 1


def test_reps_and_managers_see_costs_and_metrics_but_change_nothing(users, ads):
    cost = ads.costs.get()
    page = client_for(users["rep"]).get(f"/campaigns/{ads.pk}/{PERIOD}")
    assert b"Add cost" not in page.content and b"Save day" not in page.content
    for role in ("rep", "manager"):
        client = client_for(users[role])
        assert client.post(f"/campaigns/{ads.pk}/costs/{cost.pk}/delete/").status_code == 403
        assert client.get(f"/campaigns/{ads.pk}/costs/{cost.pk}/").status_code == 403
        assert client.post(f"/campaigns/{ads.pk}/metrics/", {
            "day": "2026-03-02", "clicks": "4"}).status_code == 403
        assert client.get(f"/campaigns/{ads.pk}/metrics/{PERIOD}").status_code == 200
    assert CampaignCost.objects.count() == 1 and not ChannelMetric.objects.exists()


def test_marketing_enters_then_corrects_a_day_of_channel_metrics(users, ads):
    url = f"/campaigns/{ads.pk}/metrics/{PERIOD}"
    client = client_for(users["marketing"])
    day = {"day": "2026-03-02", "impressions": "12,000", "clicks": "340", "spend": "17.35",
           "likes": "5", "shares": "2", "comments": "1", "video_views": "80"}
    stored = client.post(url, day, **HTMX)
    assert stored.status_code == 200 and b"Metrics of 2026-03-02 saved." in stored.content
    assert 'data-testid="k-spend">317.35' in stored.content.decode()
    edit = client.get(f"{url}&edit=2026-03-02", **HTMX)
    assert b'value="12000"' in edit.content and b'value="17.35"' in edit.content
    client.post(url, {**day, "clicks": "350", "spend": ""}, **HTMX)
    metric = ChannelMetric.objects.get()
    assert (metric.impressions, metric.clicks, metric.spend, metric.video_views) == (
        12000, 350, Decimal("0.00"), 80)


@pytest.mark.parametrize(("field", "value"), [
    ("clicks", "many"), ("impressions", "-3"), ("spend", "-1"), ("day", ""),
    ("day", "2026-02-30")])
def test_a_bad_metric_value_is_a_400_naming_the_field(users, ads, field, value):
    day = {"day": "2026-03-02", "clicks": "3", field: value}
    refused = client_for(users["marketing"]).post(
        f"/campaigns/{ads.pk}/metrics/{PERIOD}", day, **HTMX)
    assert refused.status_code == 400
    assert f'data-testid="error-{field}"' in refused.content.decode()
    assert not ChannelMetric.objects.exists()


def test_marketing_deletes_a_day_of_metrics(users, ads):
    metrics_upsert(actor=None, rows=[MetricRow(ads.pk, dt.date(2026, 3, 2), clicks=4)])
    client = client_for(users["marketing"])
    done = client.post(f"/campaigns/{ads.pk}/metrics/2026-03-02/delete/{PERIOD}", **HTMX)
    assert done.status_code == 200 and b"No channel metrics in this period." in done.content
    assert client.post(f"/campaigns/{ads.pk}/metrics/2026-03-02/delete/").status_code == 404

"""The campaigns API's lists and single reads: campaign sort and filters, asset sort and
filters, asset shares (filters, pages), one cost, one day of channel metrics."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.campaigns.services import MetricRow, asset_share, cost_add, metrics_upsert
from smarketing.campaigns.tests.factories import make_asset, make_campaign
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)


def _names(response: Any, key: str = "name") -> list[str]:
    assert response.status_code == 200, response.content
    return [item[key] for item in response.json()["items"]]


@pytest.fixture
def campaigns(users: dict[str, Any]) -> None:
    make_campaign("Alpha", start_date=dt.date(2026, 1, 1), budget=300, owner=users["marketing"])
    make_campaign("Beta", start_date=dt.date(2026, 3, 1), budget=100, channel="email")
    make_campaign("Gamma", start_date=dt.date(2026, 2, 1), budget=200, status="active")


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["Beta", "Gamma", "Alpha"]),
    ({"sort": "start_date"}, ["Alpha", "Gamma", "Beta"]),
    ({"sort": "-name"}, ["Gamma", "Beta", "Alpha"]),
    ({"sort": "-budget"}, ["Alpha", "Gamma", "Beta"]),
    ({"sort": "name", "limit": 1, "offset": 1}, ["Beta"]),
    ({"channel": "email"}, ["Beta"]),
    ({"status": "active"}, ["Gamma"]),
])
def test_campaigns_are_sorted_and_filtered(
    api_as: Any, campaigns: None, params: dict[str, Any], expected: list[str]
) -> None:
    assert _names(api_as("rep").get("/api/v1/campaigns", **params)) == expected


def test_campaigns_of_an_owner_and_the_export_in_the_same_order(
    api_as: Any, campaigns: None, users: dict[str, Any]
) -> None:
    api = api_as("marketing")
    assert _names(api.get("/api/v1/campaigns", owner_id=users["marketing"].pk)) == ["Alpha"]
    lines = b"".join(api.get("/api/v1/campaigns/export.csv", sort="name")
                     .streaming_content).decode().splitlines()
    assert [line.split(",")[1] for line in lines[1:]] == ["Alpha", "Beta", "Gamma"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("/api/v1/campaigns", {"sort": "spend"}, "sort"),
    ("/api/v1/campaigns/export.csv", {"sort": "owner"}, "sort"),
    ("/api/v1/campaigns", {"channel": "fax"}, "channel"),
    ("/api/v1/campaigns", {"limit": 501}, "limit"),
    ("/api/v1/assets", {"sort": "url"}, "sort"),
    ("/api/v1/assets", {"type": "poster"}, "type"),
    ("/api/v1/assets/shares", {"sort": "contact"}, "sort"),
    ("/api/v1/assets/shares", {"start": "2026-03-05", "end": "2026-03-01"}, "end"),
    ("/api/v1/assets/shares", {"start": "March"}, "start"),
    ("/api/v1/assets/shares", {"offset": -1}, "offset"),
])
def test_a_bad_list_parameter_is_named(
    api_as: Any, path: str, params: dict[str, Any], field: str
) -> None:
    response = api_as("marketing").get(path, **params)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
    assert response.json()["detail"].startswith(field)


def test_assets_are_sorted_and_filtered(api_as: Any) -> None:
    campaign = make_campaign()
    make_asset("Webinar", type="webinar", campaign=campaign, gated=True)
    make_asset("Checklist", type="ebook")
    make_asset("Ebook", type="ebook", campaign=campaign)
    api = api_as("rep")
    assert _names(api.get("/api/v1/assets"), "title") == ["Checklist", "Ebook", "Webinar"]
    assert _names(api.get("/api/v1/assets", sort="-title", limit=2), "title") == [
        "Webinar", "Ebook"]
    assert _names(api.get("/api/v1/assets", gated="true"), "title") == ["Webinar"]
    assert _names(api.get("/api/v1/assets", type="ebook", campaign_id=campaign.pk),
                  "title") == ["Ebook"]


@pytest.fixture
def shares(users: dict[str, Any]) -> dict[str, Any]:
    ebook, guide = make_asset("Ebook"), make_asset("Guide")
    ann, bob = make_contact(email="ann@example.com"), make_contact(email="bob@example.com")
    made = {
        "first": asset_share(asset=ebook, contact=ann, actor=users["rep"], at=T0),
        "second": asset_share(asset=guide, contact=ann, actor=users["marketing"],
                              at=T0 + dt.timedelta(days=2)),
        "third": asset_share(asset=ebook, contact=bob, actor=users["marketing"],
                             at=T0 + dt.timedelta(days=4)),
    }
    return {**made, "ebook": ebook, "ann": ann}


def test_shares_are_listed_newest_first_with_filters_and_pages(
    api_as: Any, shares: dict[str, Any], users: dict[str, Any]
) -> None:
    api = api_as("manager")

    def ids(**params: Any) -> list[int]:
        return _names(api.get("/api/v1/assets/shares", **params), "id")

    first, second, third = (shares[k].pk for k in ("first", "second", "third"))
    assert ids() == [third, second, first]
    assert ids(asset_id=shares["ebook"].pk) == [third, first]
    assert ids(contact_id=shares["ann"].pk, sort="at") == [first, second]
    assert ids(user_id=users["marketing"].pk) == [third, second]
    assert ids(start="2026-03-03", end="2026-03-06") == [second]
    assert ids(start="2026-03-04") == [third, second]
    body = api.get("/api/v1/assets/shares", limit=1, offset=1).json()
    assert ([i["id"] for i in body["items"]], body["count"]) == ([second], 3)
    assert body["items"][0]["shared_by_id"] == users["marketing"].pk


def test_one_cost_is_read_by_everyone_and_an_unknown_one_is_404(api_as: Any) -> None:
    cost = cost_add(campaign=make_campaign(), actor=None, kind="lump_sum", amount=750,
                    start_date=dt.date(2026, 3, 1))
    got = api_as("rep").get(f"/api/v1/costs/{cost.pk}")
    assert got.status_code == 200
    assert (got.json()["amount"], got.json()["kind"]) == ("750.00", "lump_sum")
    missing = api_as("rep").get("/api/v1/costs/999999")
    assert (missing.status_code, missing.json()["field"]) == (404, "id")


def test_one_day_of_channel_metrics_is_read_and_a_day_without_is_404(api_as: Any) -> None:
    campaign = make_campaign()
    metrics_upsert(actor=None, rows=[MetricRow(campaign_id=campaign.pk, day=dt.date(2026, 3, 2),
                                               impressions=1000, clicks=40, spend=55)])
    api = api_as("rep")
    got = api.get(f"/api/v1/campaigns/{campaign.pk}/metrics/2026-03-02")
    assert got.status_code == 200
    assert (got.json()["clicks"], got.json()["spend"]) == (40, "55.00")
    missing = api.get(f"/api/v1/campaigns/{campaign.pk}/metrics/2026-03-03")
    assert (missing.status_code, missing.json()["field"]) == (404, "day")
    bad_day = api.get(f"/api/v1/campaigns/{campaign.pk}/metrics/tuesday")
    assert (bad_day.status_code, bad_day.json()["field"]) == (422, "day")
    assert api.get("/api/v1/campaigns/999999/metrics/2026-03-02").status_code == 404


def test_a_campaigns_costs_are_listed_by_start_date_in_pages(api_as: Any) -> None:
    campaign = make_campaign()
    for day in (20, 5, 12):
        cost_add(campaign=campaign, actor=None, kind="lump_sum", amount=day,
                 start_date=dt.date(2026, 3, day))
    api = api_as("rep")
    body = api.get(f"/api/v1/campaigns/{campaign.pk}/costs", limit=2, offset=1).json()
    assert ([c["start_date"] for c in body["items"]], body["count"]) == (
        ["2026-03-12", "2026-03-20"], 3)
    bad = api.get(f"/api/v1/campaigns/{campaign.pk}/costs", limit=900)
    assert (bad.status_code, bad.json()["field"]) == (422, "limit")


def test_the_new_reads_are_in_the_openapi_schema(api_as: Any) -> None:
    schema = api_as("rep").get("/api/v1/openapi.json").json()
    assert {"/api/v1/assets/shares", "/api/v1/costs/{cost_id}",
            "/api/v1/campaigns/{campaign_id}/metrics/{day}"} <= set(schema["paths"])
    sort = next(p for p in schema["paths"]["/api/v1/campaigns"]["get"]["parameters"]
                if p["name"] == "sort")
    assert "-start_date" in sort["description"]

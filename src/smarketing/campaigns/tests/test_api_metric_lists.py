"""Channel metrics lists answer like every other list (issue 9): a campaign's
(`GET /campaigns/{id}/metrics`) and every campaign's (`GET /campaigns/metrics`, with its
CSV export): {items, count} pages, a checked `sort` (the day or a metric, either way) and
filters (days in [start, end), a metric above zero, campaign, channel)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from smarketing.campaigns.exports import METRIC_COLUMNS
from smarketing.campaigns.models import Campaign
from smarketing.campaigns.services import MetricRow, metrics_upsert
from smarketing.campaigns.tests.factories import make_campaign
from smarketing.testing.downloads import csv_rows

pytestmark = pytest.mark.django_db
DAYS = {d: dt.date(2026, 3, d) for d in range(1, 5)}


@pytest.fixture
def search(users: dict[str, Any]) -> Campaign:
    search = make_campaign("Search", channel="paid_search")
    social = make_campaign("Social", channel="paid_social")
    rows = [  # campaign, day, impressions, clicks, spend, video views
        (search, 1, 100, 5, "10", 0), (search, 2, 300, 0, "30", 0), (search, 3, 200, 9, "20", 0),
        (social, 2, 50, 2, "5", 40), (social, 4, 500, 1, "0", 10),
    ]
    metrics_upsert(actor=users["marketing"], rows=[
        MetricRow(campaign_id=c.pk, day=DAYS[d], impressions=i, clicks=k, spend=Decimal(s),
                  video_views=v) for c, d, i, k, s, v in rows])
    return search


def _days(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(item["day"][-2:]) for item in response.json()["items"]]


def test_a_campaigns_metrics_page_by_day(search: Campaign, api_as: Any) -> None:
    api = api_as("rep")
    url = f"/api/v1/campaigns/{search.pk}/metrics"
    body = api.get(url, limit=2).json()
    assert body["count"] == 3 and [item["day"] for item in body["items"]] == [
        "2026-03-01", "2026-03-02"]
    assert body["items"][0]["spend"] == "10.00"
    assert _days(api.get(url, limit=2, offset=2)) == [3]


@pytest.mark.parametrize(("sort", "expected"), [
    ("day", [1, 2, 3]), ("-day", [3, 2, 1]), ("spend", [1, 3, 2]), ("-spend", [2, 3, 1]),
    ("impressions", [1, 3, 2]), ("-impressions", [2, 3, 1]), ("clicks", [2, 1, 3]),
    ("-clicks", [3, 1, 2]), ("video_views", [1, 2, 3]), ("-video_views", [3, 2, 1]),
])
def test_a_campaigns_metrics_sort_by_day_or_a_metric_either_way(
    search: Campaign, api_as: Any, sort: str, expected: list[int]
) -> None:
    got = api_as("marketing").get(f"/api/v1/campaigns/{search.pk}/metrics", sort=sort)
    assert _days(got) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"start": "2026-03-02"}, [2, 3]),
    ({"end": "2026-03-03"}, [1, 2]),
    ({"start": "2026-03-02", "end": "2026-03-03"}, [2]),
    ({"metric": "clicks"}, [1, 3]),
    ({"metric": "video_views"}, []),
    ({"metric": "clicks", "start": "2026-03-02", "sort": "-day"}, [3]),
])
def test_a_campaigns_metrics_filter_by_days_and_metric(
    search: Campaign, api_as: Any, params: dict[str, Any], expected: list[int]
) -> None:
    body = api_as("rep").get(f"/api/v1/campaigns/{search.pk}/metrics", **params)
    assert (_days(body), body.json()["count"]) == (expected, len(expected))


def _all(api: Any, **params: Any) -> list[tuple[str, int]]:
    response = api.get("/api/v1/campaigns/metrics", **params)
    assert response.status_code == 200, response.content
    names = dict(Campaign.objects.values_list("pk", "name"))
    return [(names[i["campaign_id"]], int(i["day"][-2:])) for i in response.json()["items"]]


def test_every_campaigns_metrics_page_by_day_then_campaign(search: Campaign, api_as: Any) -> None:
    api = api_as("manager")
    assert _all(api) == [("Search", 1), ("Search", 2), ("Social", 2), ("Search", 3),
                         ("Social", 4)]
    body = api.get("/api/v1/campaigns/metrics", limit=2, offset=1).json()
    assert body["count"] == 5 and len(body["items"]) == 2
    assert _all(api, sort="-day", limit=2) == [("Social", 4), ("Search", 3)]
    assert _all(api, sort="-video_views", limit=2) == [("Social", 2), ("Social", 4)]


@pytest.mark.parametrize(("params", "expected"), [
    ({"channel": "paid_social"}, [("Social", 2), ("Social", 4)]),
    ({"metric": "video_views", "sort": "-spend"}, [("Social", 2), ("Social", 4)]),
    ({"start": "2026-03-02", "end": "2026-03-03"}, [("Search", 2), ("Social", 2)]),
    ({"channel": "paid_search", "metric": "clicks", "sort": "-clicks"},
     [("Search", 3), ("Search", 1)]),
])
def test_every_campaigns_metrics_filter_by_channel_metric_and_days(
    search: Campaign, api_as: Any, params: dict[str, Any], expected: list[tuple[str, int]]
) -> None:
    assert _all(api_as("rep"), **params) == expected


def test_every_campaigns_metrics_filter_by_campaign(search: Campaign, api_as: Any) -> None:
    assert _all(api_as("rep"), campaign_id=search.pk, sort="-impressions") == [
        ("Search", 2), ("Search", 3), ("Search", 1)]


@pytest.mark.parametrize("params", [
    {}, {"channel": "paid_social"}, {"metric": "clicks", "sort": "-clicks"},
    {"start": "2026-03-02", "limit": 1},
])
def test_the_metrics_export_has_the_lists_rows_every_page(
    search: Campaign, api_as: Any, params: dict[str, Any]
) -> None:
    api = api_as("rep")
    listed = api.get("/api/v1/campaigns/metrics", **{**params, "limit": 500}).json()
    exported = csv_rows(api.get("/api/v1/campaigns/metrics/export.csv", **params),
                        METRIC_COLUMNS)
    assert [(r["campaign_id"], r["day"]) for r in exported] == [
        (str(i["campaign_id"]), i["day"]) for i in listed["items"]]
    assert len(exported) == listed["count"]


def test_the_metrics_export_names_the_campaign_and_its_channel(
    search: Campaign, api_as: Any
) -> None:
    rows = csv_rows(api_as("rep").get("/api/v1/campaigns/metrics/export.csv",
                                      channel="paid_social", sort="-day"), METRIC_COLUMNS)
    assert [(r["campaign"], r["channel"], r["day"], r["video_views"], r["spend"])
            for r in rows] == [("Social", "paid_social", "2026-03-04", "10", "0.00"),
                               ("Social", "paid_social", "2026-03-02", "40", "5.00")]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("{id}/metrics", {"sort": "ctr"}, "sort"), ("{id}/metrics", {"metric": "ctr"}, "metric"),
    ("{id}/metrics", {"start": "2026-03-03", "end": "2026-03-02"}, "end"),
    ("{id}/metrics", {"start": "yesterday"}, "start"), ("{id}/metrics", {"limit": 0}, "limit"),
    ("metrics", {"channel": "radio"}, "channel"), ("metrics", {"sort": "campaign"}, "sort"),
    ("metrics", {"end": "2026-03-01", "start": "2026-03-01"}, "end"),
    ("metrics/export.csv", {"metric": "reach"}, "metric"),
])
def test_a_bad_metrics_list_parameter_is_a_422_naming_it(
    search: Campaign, api_as: Any, path: str, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get(f"/api/v1/campaigns/{path.format(id=search.pk)}", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content


def test_the_metrics_of_an_unknown_campaign_are_a_404(search: Campaign, api_as: Any) -> None:
    assert api_as("rep").get("/api/v1/campaigns/999999/metrics").status_code == 404

"""The content library's CSV export: the API's takes the asset list's filters and
returns its rows; the page's Export CSV link carries its type filter."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smarketing.campaigns.exports import ASSET_COLUMNS
from smarketing.campaigns.tests.factories import make_asset, make_campaign
from smarketing.testing.downloads import csv_rows

pytestmark = pytest.mark.django_db


def _rows(response: Any) -> list[dict[str, str]]:
    return csv_rows(response, ASSET_COLUMNS)


@pytest.fixture
def library() -> None:
    campaign = make_campaign("Spring")
    make_asset("Webinar", type="webinar", campaign=campaign, gated=True)
    make_asset("Checklist", type="ebook")
    make_asset("Ebook", type="ebook", campaign=campaign)


@pytest.mark.parametrize("params", [
    {}, {"type": "ebook"}, {"gated": True}, {"sort": "-title"}, {"type": "ebook", "gated": False},
])
def test_the_asset_export_has_the_lists_rows(
    api_as: Any, library: None, params: dict[str, Any]
) -> None:
    api = api_as("rep")
    listed = api.get("/api/v1/assets", **params, limit=500).json()
    exported = _rows(api.get("/api/v1/assets/export.csv", **params))
    assert [r["title"] for r in exported] == [item["title"] for item in listed["items"]]
    assert len(exported) == listed["count"]


def test_the_asset_export_filters_by_campaign(api_as: Any, library: None) -> None:
    spring = make_campaign("Other")
    make_asset("Elsewhere", campaign=spring)
    exported = _rows(api_as("marketing").get("/api/v1/assets/export.csv",
                                             campaign_id=spring.pk))
    assert [(r["title"], r["campaign"], r["gated"]) for r in exported] == [
        ("Elsewhere", "Other", "False")]


def test_a_bad_asset_filter_is_a_422_naming_it(api_as: Any) -> None:
    response = api_as("rep").get("/api/v1/assets/export.csv", type="poster")
    assert response.status_code == 422 and response.json()["field"] == "type"


def test_the_library_page_exports_its_current_type(users: dict[str, Any], library: None) -> None:
    client = Client()
    client.force_login(users["rep"])
    page = client.get("/content/", {"type": "ebook"}).content.decode()
    assert 'content/export.csv?type=ebook"' in page
    exported = _rows(client.get("/content/export.csv", {"type": "ebook"}))
    assert [r["title"] for r in exported] == ["Checklist", "Ebook"]

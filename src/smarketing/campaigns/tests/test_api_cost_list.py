"""A campaign's costs page like every other list (issue 9): {items, count}, a checked
`sort` (start date, amount, creation) and filters `kind` and a start-date range."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.campaigns.models import Campaign
from smarketing.campaigns.services import cost_add
from smarketing.campaigns.tests.factories import make_campaign
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db


@pytest.fixture
def ads(users: dict[str, Any]) -> Campaign:
    ads = make_campaign("Ads")
    rows = [  # created on, kind, amount, start, end
        (3, "lump_sum", "900", dt.date(2026, 3, 1), None),
        (1, "daily", "20", dt.date(2026, 3, 5), dt.date(2026, 3, 31)),
        (2, "lump_sum", "150", dt.date(2026, 4, 1), None),
    ]
    for day, kind, amount, start, end in rows:
        with time_machine.travel(dt.datetime(2026, 2, day, tzinfo=dt.UTC)):
            cost_add(campaign=ads, actor=users["marketing"], kind=kind, amount=amount,
                     start_date=start, end_date=end, note=f"{kind} {amount}")
    make_campaign("Other")  # costs of another campaign stay out
    return ads


def _amounts(api: Any, campaign: Campaign, **params: Any) -> list[str]:
    return list_column(api, f"/api/v1/campaigns/{campaign.pk}/costs", "amount", **params)


def test_costs_page_by_start_date(ads: Campaign, api_as: Any) -> None:
    api = api_as("rep")
    body = api.get(f"/api/v1/campaigns/{ads.pk}/costs", limit=2, offset=1).json()
    assert (body["count"], [c["amount"] for c in body["items"]]) == (3, ["20.00", "150.00"])
    assert _amounts(api, ads) == ["900.00", "20.00", "150.00"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("-start_date", ["150.00", "20.00", "900.00"]), ("amount", ["20.00", "150.00", "900.00"]),
    ("-amount", ["900.00", "150.00", "20.00"]), ("created_at", ["20.00", "150.00", "900.00"]),
    ("-created_at", ["900.00", "150.00", "20.00"]),
])
def test_costs_sort_by_start_amount_or_creation(
    ads: Campaign, api_as: Any, sort: str, expected: list[str]
) -> None:
    assert _amounts(api_as("marketing"), ads, sort=sort) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "lump_sum"}, ["900.00", "150.00"]), ({"kind": "daily"}, ["20.00"]),
    ({"start": "2026-03-02"}, ["20.00", "150.00"]), ({"end": "2026-04-01"}, ["900.00", "20.00"]),
    ({"kind": "lump_sum", "start": "2026-03-02", "end": "2026-05-01"}, ["150.00"]),
])
def test_costs_filter_by_kind_and_start_date(
    ads: Campaign, api_as: Any, params: dict[str, Any], expected: list[str]
) -> None:
    body = api_as("manager").get(f"/api/v1/campaigns/{ads.pk}/costs", **params).json()
    assert ([c["amount"] for c in body["items"]], body["count"]) == (expected, len(expected))


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "note"}, "sort"), ({"kind": "monthly"}, "kind"),
    ({"start": "2026-04-01", "end": "2026-03-01"}, "end"), ({"limit": 501}, "limit"),
])
def test_a_bad_cost_list_parameter_is_a_422_naming_it(
    ads: Campaign, api_as: Any, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get(f"/api/v1/campaigns/{ads.pk}/costs", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content

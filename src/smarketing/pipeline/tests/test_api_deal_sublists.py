"""A deal's stage history and line items page like every other list (issue 9):
{items, count}, a checked `sort` and their filters (history: `to_stage_id` and an `at`
range; line items: `product_id`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.pipeline.models import Deal
from smarketing.pipeline.services import deal_move_stage, line_item_add
from smarketing.pipeline.tests.factories import make_deal, make_product, stage
from smarketing.testing.lists import list_items

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def moved(users: dict[str, Any]) -> Deal:
    """Discovery (T0) -> Demo (+1h) -> Proposal (+2h) -> Demo (+3h)."""
    deal = make_deal(users["rep"], at=T0)
    for hours, name in enumerate(["Demo", "Proposal", "Demo"], start=1):
        deal = deal_move_stage(deal=deal, actor=users["rep"], stage=stage(name),
                               at=T0 + hours * HOUR)
    return deal


def _moves(api: Any, deal: Deal, **params: Any) -> list[str]:
    items = list_items(api, f"/api/v1/deals/{deal.pk}/history", **params)
    return [f"{h['from_stage']}>{h['to_stage']}" for h in items]


def test_a_deals_history_pages_oldest_first_or_newest_first(moved: Deal, api_as: Any) -> None:
    api = api_as("rep")
    body = api.get(f"/api/v1/deals/{moved.pk}/history", limit=2, offset=2).json()
    assert body["count"] == 4
    assert [h["to_stage"] for h in body["items"]] == ["Proposal", "Demo"]
    assert _moves(api, moved) == [">Discovery", "Discovery>Demo", "Demo>Proposal", "Proposal>Demo"]
    assert _moves(api, moved, sort="-at", limit=2) == ["Proposal>Demo", "Demo>Proposal"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"to_stage": "Demo"}, ["Discovery>Demo", "Proposal>Demo"]),
    ({"start": "2026-04-06T11:00:00Z"}, ["Demo>Proposal", "Proposal>Demo"]),
    ({"end": "2026-04-06T10:00:00Z"}, [">Discovery"]),
    ({"to_stage": "Demo", "start": "2026-04-06T10:30:00Z", "end": "2026-04-06T13:00:00Z"},
     ["Proposal>Demo"]),
])
def test_a_deals_history_filters_by_stage_and_time(
    moved: Deal, api_as: Any, params: dict[str, Any], expected: list[str]
) -> None:
    if "to_stage" in params:
        params = {**params, "to_stage_id": stage(params.pop("to_stage")).pk}
    body = api_as("manager").get(f"/api/v1/deals/{moved.pk}/history", **params).json()
    assert (_moves(api_as("manager"), moved, **params), body["count"]) == (
        expected, len(expected))


@pytest.fixture
def lines(users: dict[str, Any]) -> Deal:
    deal = make_deal(users["rep"])
    seats, support = make_product(name="Seats", price="100"), make_product(name="Support",
                                                                           price="250")
    for product, quantity in ((seats, 3), (support, 1), (seats, 1)):
        line_item_add(deal=deal, actor=users["rep"], product=product, quantity=quantity)
    return deal


def _products(api: Any, deal: Deal, **params: Any) -> list[str]:
    items = list_items(api, f"/api/v1/deals/{deal.pk}/line-items", **params)
    return [f"{i['product']} x{i['quantity']}" for i in items]


def test_a_deals_line_items_page_in_the_order_added(lines: Deal, api_as: Any) -> None:
    api = api_as("marketing")
    body = api.get(f"/api/v1/deals/{lines.pk}/line-items", limit=1, offset=1).json()
    assert (body["count"], [i["product"] for i in body["items"]]) == (3, ["Support"])
    assert _products(api, lines) == ["Seats x3", "Support x1", "Seats x1"]
    assert _products(api, lines, sort="-id") == ["Seats x1", "Support x1", "Seats x3"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("amount", ["Seats x1", "Support x1", "Seats x3"]),
    ("-amount", ["Seats x3", "Support x1", "Seats x1"]),
    ("quantity", ["Support x1", "Seats x1", "Seats x3"]),
    ("-quantity", ["Seats x3", "Seats x1", "Support x1"]),
])
def test_a_deals_line_items_sort_by_amount_or_quantity(
    lines: Deal, api_as: Any, sort: str, expected: list[str]
) -> None:
    assert _products(api_as("rep"), lines, sort=sort) == expected


def test_a_deals_line_items_filter_by_product(lines: Deal, api_as: Any) -> None:
    seats = lines.line_items.filter(product__name="Seats").first()
    assert seats is not None
    assert _products(api_as("rep"), lines, product_id=seats.product_id) == [
        "Seats x3", "Seats x1"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("history", {"sort": "stage"}, "sort"), ("history", {"to_stage_id": "demo"}, "to_stage_id"),
    ("history", {"start": "2026-04-07", "end": "2026-04-06"}, "end"),
    ("line-items", {"sort": "product"}, "sort"), ("line-items", {"limit": 0}, "limit"),
    ("line-items", {"product_id": "seats"}, "product_id"),
])
def test_a_bad_deal_sublist_parameter_is_a_422_naming_it(
    moved: Deal, api_as: Any, path: str, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get(f"/api/v1/deals/{moved.pk}/{path}", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content

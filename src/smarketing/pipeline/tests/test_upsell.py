"""Customers, lifetime revenue (CLV), and explained co-occurrence suggestions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from smarketing.people.models import Stage
from smarketing.pipeline.models import Deal, DealType
from smarketing.pipeline.services import deal_win, line_item_add
from smarketing.pipeline.tests.factories import make_deal, make_product
from smarketing.pipeline.upsell import clv, customers, ownership, suggest
from smarketing.testing.factories import make_company, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue() -> dict[str, Any]:
    return {
        "starter": make_product("Starter", price="1000", family="Platform"),
        "pro": make_product("Pro", price="3000", family="Platform"),
        "analytics": make_product("Analytics", price="500", family="Add-ons"),
        "support": make_product("Support", price="200", family="Services"),
    }


def won_customer(owner: Any, name: str, products: list[Any], industry: str = "Software") -> Any:
    company = make_company(name=name, industry=industry)
    deal = make_deal(owner, name=f"{name} deal", company=company,
                     contacts=[make_contact(Stage.SQL, company=company)])
    for product in products:
        line_item_add(deal=deal, actor=owner, product=product)
    deal_win(deal=deal, actor=owner)
    return company


def test_customers_who_own_a_product_suggest_what_they_also_bought(
    users: dict[str, Any], catalogue: dict[str, Any]
) -> None:
    rep, c = users["rep"], catalogue
    for name in ("A", "B", "C"):
        won_customer(rep, name, [c["starter"], c["analytics"]])
    lone = won_customer(rep, "D", [c["starter"]])
    products = {p.pk: p for p in c.values()}
    found = suggest(lone.pk, ownership(), products)
    assert [(s.product.name, s.share, s.deal_type) for s in found] == [
        ("Analytics", 1.0, DealType.CROSS_SELL)]
    assert found[0].explanation == (
        "3 of 3 other customers who own Starter also bought Analytics")


def test_the_industry_signal_explains_itself(
    users: dict[str, Any], catalogue: dict[str, Any]
) -> None:
    rep, c = users["rep"], catalogue
    won_customer(rep, "Bank 1", [c["pro"]], industry="Banking")
    won_customer(rep, "Bank 2", [c["pro"]], industry="Banking")
    newcomer = won_customer(rep, "Bank 3", [c["support"]], industry="Banking")
    found = suggest(newcomer.pk, ownership(), {p.pk: p for p in c.values()})
    assert [(s.product.name, s.explanation) for s in found] == [
        ("Pro", "2 of 2 other Banking customers own Pro")]


def test_clv_is_won_revenue_over_customers_and_the_list_ranks_by_revenue(
    users: dict[str, Any], catalogue: dict[str, Any]
) -> None:
    rep, c = users["rep"], catalogue
    won_customer(rep, "Small", [c["starter"]])
    won_customer(rep, "Big", [c["pro"], c["analytics"]])
    assert clv() == {"value": Decimal("2250.00"), "revenue": Decimal("4500.00"),
                     "customers": 2}
    rows, count = customers()
    assert count == 2 and [(r.company.name, r.revenue) for r in rows] == [
        ("Big", Decimal("3500.00")), ("Small", Decimal("1000.00"))]


def test_one_click_opens_a_cross_sell_deal_with_the_product(
    users: dict[str, Any], catalogue: dict[str, Any]
) -> None:
    rep, c = users["rep"], catalogue
    for name in ("A", "B"):
        won_customer(rep, name, [c["starter"], c["analytics"]])
    lone = won_customer(rep, "D", [c["starter"]])
    client = Client()
    client.login(username="rep1", password="pw-for-tests")
    page = client.get("/customers/")
    assert page.status_code == 200 and b"also bought Analytics" in page.content
    response = client.post(f"/customers/{lone.pk}/suggestions/{c['analytics'].pk}/",
                           {"type": "cross_sell"})
    deal = Deal.objects.get(name="D – Analytics")
    assert response.url == f"/deals/{deal.pk}/"
    assert (deal.type, deal.amount, deal.owner, deal.company) == ("cross_sell",
                                                                  Decimal("500.00"), rep, lone)
    assert deal.deal_contacts.get().is_primary
    marketing = Client()
    marketing.login(username="marketing", password="pw-for-tests")
    refused = marketing.post(f"/customers/{lone.pk}/suggestions/{c['analytics'].pk}/",
                             {"type": "cross_sell"})
    assert refused.status_code == 403


def test_the_customers_api_lists_what_they_own_and_why_a_product_is_suggested(
    users: dict[str, Any], catalogue: dict[str, Any], api_as: Any
) -> None:
    rep, c = users["rep"], catalogue
    for name in ("A", "B"):
        won_customer(rep, name, [c["starter"], c["analytics"]])
    lone = won_customer(rep, "D", [c["starter"]])
    body = api_as("marketing").get("/api/v1/customers").json()
    assert body["count"] == 3
    assert body["clv"] == {"value": "1333.33", "revenue": "4000.00", "customers": 3}
    row = next(r for r in body["items"] if r["company_id"] == lone.pk)
    assert (row["revenue"], row["deals_won"]) == ("1000.00", 1)
    assert [p["name"] for p in row["owns"]] == ["Starter"]
    assert row["suggestions"] == [{
        "product_id": c["analytics"].pk, "product": "Analytics", "deal_type": "cross_sell",
        "share": 1.0, "explanation": "2 of 2 other customers who own Starter also bought Analytics",
    }]


def test_a_suggestion_becomes_a_deal_through_the_api(
    users: dict[str, Any], catalogue: dict[str, Any], api_as: Any
) -> None:
    rep, c = users["rep"], catalogue
    lone = won_customer(rep, "D", [c["starter"]])
    url = f"/api/v1/customers/{lone.pk}/suggestions/{c['pro'].pk}/deal"
    created = api_as("rep").post(url, {"type": "upsell", "expected_close_date": "2026-09-30"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["type"], body["amount"], body["owner_id"]) == ("upsell", "3000.00", rep.pk)
    assert body["expected_close_date"] == "2026-09-30"
    refused = api_as("rep").post(url, {"type": "renewal"})
    assert (refused.status_code, refused.json()["field"]) == (422, "type")
    missing = api_as("rep").post(f"/api/v1/customers/{lone.pk}/suggestions/999999/deal",
                                 {"type": "upsell"})
    assert (missing.status_code, missing.json()["field"]) == (422, "product_id")
    assert api_as("marketing").post(url, {"type": "upsell"}).status_code == 403


def test_the_customers_api_sorts_both_ways_filters_and_refuses_an_unknown_sort(
    users: dict[str, Any], catalogue: dict[str, Any], api_as: Any
) -> None:
    rep, c = users["rep"], catalogue
    won_customer(rep, "Beta", [c["pro"]], industry="Banking")
    won_customer(rep, "Alpha", [c["starter"]])
    won_customer(rep, "Gamma", [c["support"]])
    api = api_as("marketing")

    def names(query: str) -> list[str]:
        return [r["company"] for r in api.get(f"/api/v1/customers?{query}").json()["items"]]

    assert names("") == ["Beta", "Alpha", "Gamma"]  # highest revenue first, as before
    assert names("sort=revenue") == ["Gamma", "Alpha", "Beta"]
    assert names("sort=company") == ["Alpha", "Beta", "Gamma"]
    assert names("sort=-company") == ["Gamma", "Beta", "Alpha"]
    assert names("industry=Banking") == ["Beta"]
    assert names("q=MM&sort=company") == ["Gamma"]
    refused = api.get("/api/v1/customers?sort=size")
    assert refused.status_code == 422 and refused.json()["field"] == "sort"
    assert "-revenue, revenue, -deals_won" in refused.json()["detail"]
    csv = api.get("/api/v1/customers/export.csv?sort=company&industry=Software")
    assert [line.split(",")[1] for line in b"".join(csv.streaming_content).decode()
            .splitlines()[1:]] == ["Alpha", "Gamma"]

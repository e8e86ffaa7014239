"""CSV exports of the product, quota and customer lists: the API's take the list's
filters and return its rows (all pages); the pages' Export CSV links carry their filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from smarketing.pipeline.exports import CUSTOMER_COLUMNS, PRODUCT_COLUMNS, QUOTA_COLUMNS
from smarketing.pipeline.services import product_update, quota_set
from smarketing.pipeline.tests.factories import make_product
from smarketing.pipeline.tests.test_upsell import won_customer
from smarketing.testing.downloads import csv_rows

pytestmark = pytest.mark.django_db



@pytest.fixture
def products() -> None:
    make_product("Starter", price="1000", family="Platform")
    make_product("Pro", price="3000", family="Platform")
    make_product("Support", price="200", family="Services")
    product_update(product=make_product("Legacy", price="50", family="Platform"), actor=None,
                   active=False)


@pytest.mark.parametrize("params", [
    {}, {"family": "Platform"}, {"active": False}, {"q": "pro", "sort": "-list_price"},
    {"family": "Platform", "active": True, "sort": "name"},
])
def test_the_product_export_has_the_lists_rows(
    api_as: Any, products: None, params: dict[str, Any]
) -> None:
    api = api_as("rep")
    listed = api.get("/api/v1/products", **params, limit=500).json()
    exported = csv_rows(api.get("/api/v1/products/export.csv", **params), PRODUCT_COLUMNS)
    assert [r["name"] for r in exported] == [item["name"] for item in listed["items"]]
    assert len(exported) == listed["count"]


def test_the_product_export_filters_and_formats_prices(api_as: Any, products: None) -> None:
    exported = csv_rows(api_as("rep").get("/api/v1/products/export.csv", family="Platform",
                                       active=True, sort="-list_price"), PRODUCT_COLUMNS)
    assert [(r["name"], r["list_price"], r["active"]) for r in exported] == [
        ("Pro", "3000.00", "True"), ("Starter", "1000.00", "True")]


def test_a_bad_product_sort_is_a_422_naming_it(api_as: Any) -> None:
    response = api_as("rep").get("/api/v1/products/export.csv", sort="colour")
    assert response.status_code == 422 and response.json()["field"] == "sort"


def test_the_products_page_exports_the_catalogue_to_those_who_keep_it(
    users: dict[str, Any], products: None
) -> None:
    client = Client()
    client.force_login(users["manager"])
    assert b'data-testid="export-csv"' in client.get("/products/").content
    exported = csv_rows(client.get("/products/export.csv", {"active": "false"}), PRODUCT_COLUMNS)
    assert [r["name"] for r in exported] == ["Legacy"]
    client.force_login(users["rep"])
    assert client.get("/products/export.csv").status_code == 403


@pytest.fixture
def quotas(users: dict[str, Any]) -> None:
    for user, amount in (("rep", 100), ("rep_b", 200), ("rep_other", 300)):
        quota_set(actor=None, owner=users[user], period="quarter", start=dt.date(2026, 1, 1),
                  amount=amount)
    quota_set(actor=None, owner=users["rep"], period="quarter", start=dt.date(2025, 10, 1),
              amount=50)


@pytest.mark.parametrize("params", [{}, {"year": 2026}, {"year": 2025}, {"period": "quarter"},
                                    {"owner_id": "rep"}])
def test_the_quota_export_has_the_lists_rows(
    api_as: Any, users: dict[str, Any], quotas: None, params: dict[str, Any]
) -> None:
    if params.get("owner_id") == "rep":
        params = {"owner_id": users["rep"].pk}
    api = api_as("manager")
    listed = api.get("/api/v1/quotas", **params, limit=500).json()
    exported = csv_rows(api.get("/api/v1/quotas/export.csv", **params), QUOTA_COLUMNS)
    assert [int(r["id"]) for r in exported] == [item["id"] for item in listed["items"]]
    assert len(exported) == listed["count"]


def test_the_quota_export_filters(api_as: Any, users: dict[str, Any], quotas: None) -> None:
    exported = csv_rows(api_as("manager").get("/api/v1/quotas/export.csv", year=2025),
                     QUOTA_COLUMNS)
    assert [(r["owner"], r["start"], r["amount"]) for r in exported] == [
        (users["rep"].username, "2025-10-01", "50.00")]
    bad = api_as("manager").get("/api/v1/quotas/export.csv", period="week")
    assert bad.status_code == 422 and bad.json()["field"] == "period"


def test_the_quotas_page_exports_its_year_for_the_managers_team_only(
    users: dict[str, Any], quotas: None
) -> None:
    client = Client()
    client.force_login(users["manager"])
    assert b"/quotas/export.csv?year=2026" in client.get("/quotas/", {"year": 2026}).content
    exported = csv_rows(client.get("/quotas/export.csv", {"year": 2026}), QUOTA_COLUMNS)
    assert sorted(r["owner"] for r in exported) == sorted(
        [users["rep"].username, users["rep_b"].username])
    client.force_login(users["admin"])
    assert len(csv_rows(client.get("/quotas/export.csv", {"year": 2026}), QUOTA_COLUMNS)) == 3
    assert client.get("/quotas/export.csv", {"year": "soon"}).status_code == 400
    client.force_login(users["rep"])
    assert client.get("/quotas/export.csv").status_code == 403


@pytest.fixture
def customers(users: dict[str, Any]) -> None:
    starter = make_product("Starter", price="1000")
    pro = make_product("Pro", price="3000")
    won_customer(users["rep"], "Small", [starter])
    won_customer(users["rep"], "Big", [pro, starter], industry="Banking")


def test_the_customer_export_has_every_customer_by_revenue(
    api_as: Any, customers: None
) -> None:
    api = api_as("rep")
    listed = api.get("/api/v1/customers", limit=1).json()
    exported = csv_rows(api.get("/api/v1/customers/export.csv"), CUSTOMER_COLUMNS)
    assert [(r["company"], r["industry"], r["revenue"], r["deals_won"]) for r in exported] == [
        ("Big", "Banking", "4000.00", "1"), ("Small", "Software", "1000.00", "1")]
    assert len(exported) == listed["count"]
    assert exported[0]["company_id"] == str(listed["items"][0]["company_id"])


def test_the_customers_page_links_its_export(users: dict[str, Any], customers: None) -> None:
    client = Client()
    client.force_login(users["rep"])
    assert b'data-testid="export-csv"' in client.get("/customers/").content
    exported = csv_rows(client.get("/customers/export.csv"), CUSTOMER_COLUMNS)
    assert [r["company"] for r in exported] == ["Big", "Small"]

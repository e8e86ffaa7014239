"""/api/v1/companies: CRUD, filters, pagination and bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.people.models import Company, Contact
from smarketing.testing.factories import make_company, make_contact

T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db



def assert_domain_error(response: Any, status: int, field: str, code: str = "invalid") -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["field"], body["code"]) == (field, code), body


def assert_pydantic_error(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    assert any(e["loc"][-1] == field for e in response.json()["errors"]), response.json()


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_a_rep_creates_a_company_they_own_with_normalised_fields(
    api_as: Any, users: Any
) -> None:
    response = api_as("rep").post("/api/v1/companies", {
        "name": "Acme Corp", "domain": " WWW.Acme.COM ", "industry": "Software",
        "employee_count": 250, "annual_revenue": "12500000.50", "country": "us",
        "region": "NA",
    })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["domain"], body["country"], body["owner_id"]) == ("acme.com", "US",
                                                                   users["rep"].pk)
    company = Company.objects.get(pk=body["id"])
    assert company.annual_revenue == Decimal("12500000.50")
    assert (company.employee_count, company.region, company.industry) == (250, "NA", "Software")


def test_marketing_creates_an_unowned_company(api_as: Any) -> None:
    response = api_as("marketing").post("/api/v1/companies", {"name": "Globex"})
    assert response.status_code == 201
    assert response.json()["owner_id"] is None and response.json()["domain"] == ""


def test_companies_without_a_domain_do_not_clash(api_as: Any) -> None:
    for name in ("One", "Two"):
        assert api_as("rep").post("/api/v1/companies", {"name": name}).status_code == 201
    assert Company.objects.filter(domain="").count() == 2


def test_a_duplicate_domain_is_refused_naming_domain(api_as: Any) -> None:
    make_company(name="Acme", domain="acme.com")
    response = api_as("rep").post("/api/v1/companies", {"name": "Acme 2", "domain": "ACME.com"})
    assert_domain_error(response, 422, "domain")
    assert Company.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "   "}, "name"),
        ({"name": "A", "region": "MARS"}, "region"),
        ({"name": "A", "country": "1A"}, "country"),
        ({"name": "A", "owner_id": 999999}, "owner_id"),
        ({"name": "A", "properties": {"tier": "gold"}}, "properties.tier"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(
    api_as: Any, payload: dict[str, Any], field: str
) -> None:
    assert_domain_error(api_as("rep").post("/api/v1/companies", payload), 422, field)
    assert not Company.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "A", "country": "USA"}, "country"),
        ({"name": "A", "employee_count": -1}, "employee_count"),
        ({"name": "A", "annual_revenue": "-5"}, "annual_revenue"),
        ({"name": "A", "annual_revenue": "1.234"}, "annual_revenue"),
        ({"name": "A", "ticker": "ACME"}, "ticker"),
    ],
)
def test_it_refuses_a_malformed_body_naming_the_field(
    api_as: Any, payload: dict[str, Any], field: str
) -> None:
    assert_pydantic_error(api_as("rep").post("/api/v1/companies", payload), field)
    assert not Company.objects.exists()


def test_anyone_reads_a_company_and_a_missing_one_is_404(api_as: Any, users: Any) -> None:
    company = make_company(name="Initech", owner=users["rep_other"])
    assert api_as("rep").get(f"/api/v1/companies/{company.pk}").json()["name"] == "Initech"
    assert_domain_error(api_as("rep").get("/api/v1/companies/999999"), 404, "id", "not_found")


def test_a_rep_updates_their_company_and_null_clears_text(api_as: Any, users: Any) -> None:
    company = make_company(name="Acme", industry="Software", region="NA", owner=users["rep"])
    response = api_as("rep").patch(f"/api/v1/companies/{company.pk}", {
        "name": "Acme Inc", "industry": None, "region": None, "employee_count": 30,
    })
    assert response.status_code == 200, response.json()
    company.refresh_from_db()
    assert (company.name, company.industry, company.region) == ("Acme Inc", "", "")
    assert company.employee_count == 30


def test_an_update_to_a_taken_domain_or_an_empty_name_changes_nothing(
    api_as: Any, users: Any
) -> None:
    make_company(domain="taken.com")
    company = make_company(name="Mine", domain="mine.com", owner=users["rep"])
    path = f"/api/v1/companies/{company.pk}"
    assert_domain_error(api_as("rep").patch(path, {"domain": "taken.com", "name": "X"}),
                        422, "domain")
    assert_pydantic_error(api_as("rep").patch(path, {"name": ""}), "name")
    company.refresh_from_db()
    assert (company.name, company.domain) == ("Mine", "mine.com")


def test_deleting_a_company_keeps_its_contacts(api_as: Any, users: Any) -> None:
    company = make_company(owner=users["rep"])
    contact = make_contact(company=company)
    assert api_as("manager").delete(f"/api/v1/companies/{company.pk}").status_code == 204
    assert not Company.objects.exists()
    contact.refresh_from_db()
    assert contact.company is None


@pytest.fixture
def companies(users: Any) -> dict[str, Company]:
    made = {}
    specs = [
        ("acme", "Acme Corp", "acme.com", "NA", "rep"),
        ("acorn", "acorn labs", "acornlabs.io", "EMEA", None),
        ("globex", "Globex", "globex.com", "NA", "rep_b"),
        ("zeta", "Zeta", "zeta-ac.com", "APAC", None),
    ]
    for n, (key, name, domain, region, owner) in enumerate(specs):
        with time_machine.travel(T0 + dt.timedelta(hours=n), tick=False):
            made[key] = make_company(
                name=name, domain=domain, region=region, owner=users[owner] if owner else None,
            )
    return made


def test_the_list_returns_items_and_count_sorted_by_name(
    api_as: Any, companies: dict[str, Company]
) -> None:
    body = api_as("rep").get("/api/v1/companies").json()
    assert body["count"] == 4
    names = [item["name"] for item in body["items"]]
    assert names == ["Acme Corp", "acorn labs", "Globex", "Zeta"]


def test_the_list_pages_and_sorts_newest_first(
    api_as: Any, companies: dict[str, Company]
) -> None:
    api = api_as("rep")
    first = api.get("/api/v1/companies", sort="-created_at", limit=3).json()
    rest = api.get("/api/v1/companies", sort="-created_at", limit=3, offset=3).json()
    order = [i["id"] for i in first["items"] + rest["items"]]
    assert order == [companies[k].pk for k in ("zeta", "globex", "acorn", "acme")]
    assert first["count"] == rest["count"] == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "ac"}, {"acme", "acorn"}),
        ({"q": "ACORN"}, {"acorn"}),
        ({"q": "globex.c"}, {"globex"}),
        ({"q": "corp"}, set()),
        ({"region": "NA"}, {"acme", "globex"}),
        ({"q": "a", "region": "EMEA"}, {"acorn"}),
    ],
)
def test_the_list_filters(
    api_as: Any, companies: dict[str, Company], params: dict[str, Any], expected: set[str]
) -> None:
    found = set(ids(api_as("marketing").get("/api/v1/companies", **params)))
    assert found == {companies[k].pk for k in expected}


def test_the_list_filters_by_owner(
    api_as: Any, users: Any, companies: dict[str, Company]
) -> None:
    found = ids(api_as("rep").get("/api/v1/companies", owner_id=users["rep_b"].pk))
    assert found == [companies["globex"].pk]


@pytest.mark.parametrize(("params", "field"), [({"sort": "domain"}, "sort"),
                                               ({"limit": 1000}, "limit")])
def test_bad_list_parameters_are_refused_naming_them(
    api_as: Any, companies: dict[str, Company], params: dict[str, Any], field: str
) -> None:
    assert_domain_error(api_as("rep").get("/api/v1/companies", **params), 422, field)


def test_contacts_can_be_listed_by_company(api_as: Any, companies: dict[str, Company]) -> None:
    inside = make_contact(company=companies["acme"])
    make_contact(company=companies["globex"])
    found = ids(api_as("rep").get("/api/v1/contacts", company_id=companies["acme"].pk))
    assert found == [inside.pk]
    assert Contact.objects.count() == 2

"""Custom properties: typed definitions, values checked on write, filters on read."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Role
from smarketing.people.models import Company, Contact, PropertyDefinition, PropertyObject
from smarketing.people.services import (
    company_update,
    contact_create,
    contact_update,
    property_define,
)
from smarketing.testing.factories import make_company, make_contact, make_user

pytestmark = pytest.mark.django_db
CONTACT, COMPANY = PropertyObject.CONTACT, PropertyObject.COMPANY



@pytest.fixture
def defined(db: Any) -> dict[str, PropertyDefinition]:
    """One contact property of each type, and two company ones."""
    admin = make_user(Role.ADMIN)
    specs = [
        (CONTACT, "nickname", "text", []),
        (CONTACT, "seats", "number", []),
        (CONTACT, "renewal", "date", []),
        (CONTACT, "vip", "bool", []),
        (CONTACT, "plan", "choice", ["free", "pro", "enterprise"]),
        (COMPANY, "tier", "choice", ["smb", "mid", "ent"]),
        (COMPANY, "arr", "number", []),
    ]
    return {
        f"{obj}.{name}": property_define(
            actor=admin, object_type=obj, name=name, label=name.title(), type=type_,
            choices=choices,
        )
        for obj, name, type_, choices in specs
    }


def set_props(values: dict[str, Any]) -> Contact:
    return make_contact(properties=values)


def refused_prop(name: str, values: dict[str, Any]) -> ValidationFailed:
    before = Contact.objects.count()
    with pytest.raises(ValidationFailed) as err:
        set_props(values)
    assert err.value.field == f"properties.{name}"
    assert err.value.message.startswith(f"properties.{name}: ")
    assert Contact.objects.count() == before
    return err.value


# --- definitions -------------------------------------------------------------------------


def test_an_admin_defines_a_property_of_each_type(defined: dict[str, Any]) -> None:
    plan = defined["contact.plan"]
    assert (plan.object_type, plan.name, plan.label, plan.type) == ("contact", "plan", "Plan",
                                                                    "choice")
    assert plan.choices == ["free", "pro", "enterprise"]
    assert PropertyDefinition.objects.count() == 7


def test_the_same_name_may_be_used_once_per_object_type(defined: dict[str, Any]) -> None:
    admin = make_user(Role.ADMIN)
    property_define(actor=admin, object_type=COMPANY, name="seats", label="", type="number")
    with pytest.raises(ValidationFailed) as err:
        property_define(actor=admin, object_type=CONTACT, name="seats", label="", type="text")
    assert err.value.field == "name"
    assert PropertyDefinition.objects.filter(name="seats").count() == 2
    assert PropertyDefinition.objects.get(object_type=COMPANY, name="seats").label == "seats"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "Plan"}, "name"),
        ({"name": "2nd_plan"}, "name"),
        ({"name": "plan name"}, "name"),
        ({"name": "plán"}, "name"),
        ({"name": "p" * 61}, "name"),
        ({"name": ""}, "name"),
        ({"type": "money"}, "type"),
        ({"type": ""}, "type"),
        ({"object_type": "deal"}, "object_type"),
        ({"object_type": ""}, "object_type"),
        ({"type": "choice", "choices": []}, "choices"),
        ({"type": "choice", "choices": ["a", "a"]}, "choices"),
        ({"type": "choice", "choices": ["a", " "]}, "choices"),
        ({"type": "text", "choices": ["a"]}, "choices"),
    ],
)
def test_it_refuses_a_bad_definition_naming_the_field(
    db: Any, changes: dict[str, Any], field: str
) -> None:
    spec = {"object_type": CONTACT, "name": "plan", "label": "Plan", "type": "text",
            "choices": [], **changes}
    with pytest.raises(ValidationFailed) as err:
        property_define(actor=None, **spec)
    assert err.value.field == field
    assert not PropertyDefinition.objects.exists()


# --- values ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "given", "stored"),
    [
        ("nickname", "Pat", "Pat"),
        ("nickname", 42, "42"),
        ("seats", 12, 12),
        ("seats", "12", 12),
        ("seats", " 2.50 ", 2.5),
        ("seats", -3, -3),
        ("seats", "1e3", 1000),
        ("renewal", "2026-03-01", "2026-03-01"),
        ("renewal", dt.date(2026, 3, 1), "2026-03-01"),
        ("vip", True, True),
        ("vip", "yes", True),
        ("vip", "FALSE", False),
        ("vip", 0, False),
        ("plan", "pro", "pro"),
    ],
)
def test_it_stores_a_valid_value_in_its_canonical_form(
    defined: dict[str, Any], name: str, given: Any, stored: Any
) -> None:
    contact = set_props({name: given})
    contact.refresh_from_db()
    assert contact.properties == {name: stored}
    assert type(contact.properties[name]) is type(stored)


@pytest.mark.parametrize(
    ("name", "given"),
    [
        ("nickname", True),
        ("nickname", ["a"]),
        ("nickname", {"a": 1}),
        ("nickname", "x" * 1001),
        ("seats", "twelve"),
        ("seats", True),
        ("seats", "NaN"),
        ("seats", "inf"),
        ("seats", "1e400"),
        ("seats", [1]),
        ("renewal", "03/01/2026"),
        ("renewal", "2026-02-30"),
        ("renewal", 20260301),
        ("vip", "maybe"),
        ("vip", 2),
        ("plan", "platinum"),
        ("plan", "Pro"),
        ("plan", 1),
    ],
)
def test_it_refuses_a_value_of_the_wrong_type_naming_the_property(
    defined: dict[str, Any], name: str, given: Any
) -> None:
    refused_prop(name, {name: given})


def test_it_refuses_an_undefined_property(defined: dict[str, Any]) -> None:
    error = refused_prop("shoe_size", {"shoe_size": 42})
    assert "define it first" in error.message


def test_a_company_property_is_not_a_contact_property(defined: dict[str, Any]) -> None:
    refused_prop("tier", {"tier": "smb"})


def test_none_or_empty_removes_a_value_and_an_update_keeps_the_others(
    defined: dict[str, Any],
) -> None:
    contact = set_props({"nickname": "Pat", "seats": 3, "plan": "pro"})
    contact_update(contact=contact, actor=None, properties={"nickname": None, "seats": ""})
    contact_update(contact=contact, actor=None, properties={"vip": "yes"})
    contact.refresh_from_db()
    assert contact.properties == {"plan": "pro", "vip": True}


def test_a_refused_update_changes_nothing(defined: dict[str, Any]) -> None:
    contact = set_props({"plan": "pro"})
    with pytest.raises(ValidationFailed):
        contact_update(contact=contact, actor=None, title="CEO",
                       properties={"seats": 5, "plan": "gold"})
    contact.refresh_from_db()
    assert contact.properties == {"plan": "pro"} and contact.title == ""


def test_company_values_are_checked_against_company_definitions(
    defined: dict[str, Any],
) -> None:
    company = make_company(properties={"tier": "mid", "arr": "125000.50"})
    assert company.properties == {"tier": "mid", "arr": 125000.5}
    with pytest.raises(ValidationFailed) as err:
        company_update(company=company, actor=None, properties={"tier": "huge"})
    assert err.value.field == "properties.tier"
    company.refresh_from_db()
    assert company.properties["tier"] == "mid"


def test_properties_must_be_an_object(defined: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as err:
        contact_create(actor=None, cause="import", email="a@b.co", properties=["plan"])
    assert err.value.field == "properties"


# --- API: definitions and writes ---------------------------------------------------------


def test_the_api_lets_an_admin_define_a_property(api_as: Any) -> None:
    response = api_as("admin").post("/api/v1/properties", {
        "object_type": "contact", "name": "plan", "label": "Plan", "type": "choice",
        "choices": ["free", "pro"],
    })
    assert response.status_code == 201, response.json()
    assert response.json()["choices"] == ["free", "pro"]
    listed = api_as("rep").get("/api/v1/properties", object_type="contact").json()
    assert [p["name"] for p in listed["items"]] == ["plan"] and listed["count"] == 1
    assert api_as("rep").get("/api/v1/properties", object_type="company").json()["count"] == 0


def test_the_api_lists_definitions_by_type_and_name_in_pages(api_as: Any) -> None:
    for object_type, name in (("contact", "tier"), ("company", "arr"), ("contact", "plan")):
        property_define(actor=None, object_type=object_type, name=name, label=name,
                        type="text")
    api = api_as("rep")
    body = api.get("/api/v1/properties", limit=2, offset=1).json()
    assert ([p["name"] for p in body["items"]], body["count"]) == (["plan", "tier"], 3)
    bad = api.get("/api/v1/properties", object_type="deal")
    assert (bad.status_code, bad.json()["field"]) == (422, "object_type")


@pytest.mark.parametrize("role", ["marketing", "manager", "rep"])
def test_the_api_refuses_a_definition_from_anyone_but_an_admin(api_as: Any, role: str) -> None:
    response = api_as(role).post("/api/v1/properties", {
        "object_type": "contact", "name": "plan", "label": "Plan", "type": "text",
    })
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert not PropertyDefinition.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"object_type": "contact", "name": "Bad Name", "type": "text"}, "name"),
        ({"object_type": "contact", "name": "plan", "type": "money"}, "type"),
        ({"object_type": "deal", "name": "plan", "type": "text"}, "object_type"),
        ({"object_type": "contact", "name": "plan", "type": "choice"}, "choices"),
    ],
)
def test_the_api_names_the_field_of_a_bad_definition(
    api_as: Any, payload: dict[str, Any], field: str
) -> None:
    response = api_as("admin").post("/api/v1/properties", payload)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_the_api_validates_property_values_on_contact_writes(
    api_as: Any, defined: dict[str, Any], users: Any
) -> None:
    created = api_as("rep").post("/api/v1/contacts", {
        "email": "a@acme.com", "properties": {"seats": "7", "vip": "true"},
    })
    assert created.status_code == 201, created.json()
    assert created.json()["properties"] == {"seats": 7, "vip": True}
    bad = api_as("rep").post("/api/v1/contacts", {
        "email": "b@acme.com", "properties": {"seats": "seven"},
    })
    assert bad.status_code == 422
    assert bad.json()["field"] == "properties.seats"
    assert not Contact.objects.filter(email="b@acme.com").exists()
    patched = api_as("rep").patch(
        f"/api/v1/contacts/{created.json()['id']}", {"properties": {"vip": None, "plan": "pro"}}
    )
    assert patched.json()["properties"] == {"seats": 7, "plan": "pro"}


# --- filters -----------------------------------------------------------------------------


@pytest.fixture
def catalogue(defined: dict[str, Any]) -> dict[str, Contact]:
    return {
        "ann": set_props({"seats": 5, "renewal": "2026-01-15", "vip": True, "plan": "pro",
                          "nickname": "Annie"}),
        "bob": set_props({"seats": 50, "renewal": "2026-06-30", "vip": False, "plan": "free",
                          "nickname": "Bobby"}),
        "cy": set_props({"seats": 2.5, "plan": "enterprise", "nickname": "Cyan"}),
        "dee": set_props({}),
    }


def listed(api: Any, path: str, *props: str) -> set[int]:
    response = api.client.get(path, {"prop": list(props), "limit": 500})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["count"] == len(body["items"])
    return {item["id"] for item in body["items"]}


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        (["plan:pro"], {"ann"}),
        (["plan:eq:free"], {"bob"}),
        (["seats:5"], {"ann"}),
        (["seats:2.5"], {"cy"}),
        (["seats:gte:5"], {"ann", "bob"}),
        (["seats:lte:5"], {"ann", "cy"}),
        (["seats:gte:3", "seats:lte:10"], {"ann"}),
        (["renewal:gte:2026-02-01"], {"bob"}),
        (["renewal:lte:2026-01-15"], {"ann"}),
        (["vip:true"], {"ann"}),
        (["vip:no"], {"bob"}),
        (["nickname:contains:ANN"], {"ann"}),
        (["nickname:Bobby", "plan:free"], {"bob"}),
        (["nickname:Bobby", "plan:pro"], set()),
    ],
)
def test_the_contacts_list_filters_by_custom_property(
    api_as: Any, catalogue: dict[str, Contact], props: list[str], expected: set[str]
) -> None:
    ids = {catalogue[name].pk for name in expected}
    assert listed(api_as("rep"), "/api/v1/contacts", *props) == ids


@pytest.mark.parametrize(
    "prop",
    ["shoe_size:42", "seats", "seats:between:1", "seats:gte:many", "vip:perhaps",
     "plan:gold", "renewal:gte:soon"],
)
def test_a_bad_property_filter_is_refused_naming_prop(
    api_as: Any, catalogue: dict[str, Contact], prop: str
) -> None:
    response = api_as("rep").get("/api/v1/contacts", prop=prop)
    assert response.status_code == 422
    assert response.json()["field"] == "prop"
    assert response.json()["detail"].startswith("prop: ")


def test_the_companies_list_filters_by_custom_property(
    api_as: Any, defined: dict[str, Any]
) -> None:
    small = make_company(properties={"tier": "smb", "arr": 20000})
    big = make_company(properties={"tier": "ent", "arr": 2_000_000})
    make_company()
    api = api_as("marketing")
    assert listed(api, "/api/v1/companies", "tier:ent") == {big.pk}
    assert listed(api, "/api/v1/companies", "arr:gte:100000") == {big.pk}
    assert listed(api, "/api/v1/companies", "arr:lte:100000") == {small.pk}
    assert api.get("/api/v1/companies", prop="seats:5").json()["field"] == "prop"


@pytest.mark.parametrize("name", ["contains", "exact", "in", "date", "isnull", "gte"])
def test_a_property_named_like_a_lookup_filters_by_its_key(api_as: Any, name: str) -> None:
    property_define(actor=None, object_type=CONTACT, name=name, label=name, type="text")
    match = make_contact(properties={name: "x"})
    make_contact(properties={name: "y"})
    make_contact()
    assert listed(api_as("rep"), "/api/v1/contacts", f"{name}:x") == {match.pk}
    assert listed(api_as("rep"), "/api/v1/contacts", f"{name}:contains:X") == {match.pk}


def test_property_filters_combine_with_other_filters(
    api_as: Any, catalogue: dict[str, Contact], users: Any
) -> None:
    Contact.objects.filter(pk=catalogue["bob"].pk).update(owner=users["rep"])
    response = api_as("rep").get(
        "/api/v1/contacts", prop="seats:gte:1", owner_id=users["rep"].pk
    ).json()
    assert [item["id"] for item in response["items"]] == [catalogue["bob"].pk]
    assert Company.objects.count() == 0

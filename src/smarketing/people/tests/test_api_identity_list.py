"""GET /api/v1/contacts/{id}/identities answers like every other list (issue 9):
{items, count} pages, a checked `sort` (created_at, kind, value, either way) and the
filters `kind` and `q` (value contains)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.people.models import Contact
from smarketing.people.services import identity_add
from smarketing.testing.factories import make_contact
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
OLDEST_FIRST = ["ann@example.com", "anon-b7", "u-42", "ann@home.example"]


@pytest.fixture
def ann(users: dict[str, Any]) -> Contact:
    with time_machine.travel(T0):
        ann = make_contact(email="ann@example.com", owner=users["rep"])
    for hours, (kind, value) in enumerate(
        [("anonymous_id", "anon-b7"), ("user_id", "u-42"), ("email", "ann@home.example")],
        start=1,
    ):
        with time_machine.travel(T0 + dt.timedelta(hours=hours)):
            identity_add(contact=ann, kind=kind, value=value)
    make_contact(email="bob@example.com")  # another contact's identities stay out
    return ann


def _values(api: Any, contact: Contact, **params: Any) -> list[str]:
    return list_column(api, f"/api/v1/contacts/{contact.pk}/identities", "value", **params)


def test_identities_page_oldest_first_with_the_count_of_every_one(
    ann: Contact, api_as: Any
) -> None:
    api = api_as("rep")
    assert _values(api, ann) == OLDEST_FIRST
    body = api.get(f"/api/v1/contacts/{ann.pk}/identities", limit=2, offset=1).json()
    assert body["count"] == 4
    assert [(i["kind"], i["value"]) for i in body["items"]] == [
        ("anonymous_id", "anon-b7"), ("user_id", "u-42")]


@pytest.mark.parametrize(("sort", "expected"), [
    ("created_at", OLDEST_FIRST), ("-created_at", OLDEST_FIRST[::-1]),
    ("kind", ["anon-b7", "ann@example.com", "ann@home.example", "u-42"]),
    ("-kind", ["u-42", "ann@home.example", "ann@example.com", "anon-b7"]),
    ("value", ["ann@example.com", "ann@home.example", "anon-b7", "u-42"]),
    ("-value", ["u-42", "anon-b7", "ann@home.example", "ann@example.com"]),
])
def test_identities_sort_by_creation_kind_or_value_either_way(
    ann: Contact, api_as: Any, sort: str, expected: list[str]
) -> None:
    assert _values(api_as("marketing"), ann, sort=sort) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"kind": "email"}, ["ann@example.com", "ann@home.example"]),
    ({"kind": "user_id"}, ["u-42"]),
    ({"q": "HOME"}, ["ann@home.example"]),
    ({"q": "an", "kind": "anonymous_id"}, ["anon-b7"]),
    ({"q": "nobody"}, []),
])
def test_identities_filter_by_kind_and_value(
    ann: Contact, api_as: Any, params: dict[str, Any], expected: list[str]
) -> None:
    body = api_as("manager").get(f"/api/v1/contacts/{ann.pk}/identities", **params).json()
    assert ([i["value"] for i in body["items"]], body["count"]) == (expected, len(expected))


@pytest.mark.parametrize(("params", "field"), [
    ({"kind": "phone"}, "kind"), ({"sort": "contact"}, "sort"), ({"limit": 0}, "limit"),
])
def test_a_bad_identity_list_parameter_is_a_422_naming_it(
    ann: Contact, api_as: Any, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get(f"/api/v1/contacts/{ann.pk}/identities", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content


def test_the_identities_of_an_unknown_contact_are_a_404(api_as: Any, users: Any) -> None:
    assert api_as("rep").get("/api/v1/contacts/999999/identities").status_code == 404

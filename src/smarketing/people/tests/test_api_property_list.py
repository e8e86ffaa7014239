"""The custom property definitions list takes a checked `sort` (issue 9): by object
type then name (as before), name, label, type or creation, both ways, an unknown value
a 422 naming `sort`; filters `object_type`, `type` and `q` (name or label contains)."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.people.services import property_define
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db
URL = "/api/v1/properties"


@pytest.fixture
def definitions() -> None:
    for object_type, name, label, kind in (("contact", "tier", "Customer tier", "choice"),
                                           ("company", "arr", "Annual revenue", "number"),
                                           ("contact", "birthday", "Birthday", "date")):
        property_define(actor=None, object_type=object_type, name=name, label=label,
                        type=kind, choices=["gold", "silver"] if kind == "choice" else None)


def _names(api: Any, **params: Any) -> list[str]:
    return list_column(api, URL, "name", **params)


@pytest.mark.parametrize(("sort", "expected"), [
    (None, ["arr", "birthday", "tier"]), ("-object_type", ["tier", "birthday", "arr"]),
    ("name", ["arr", "birthday", "tier"]), ("-name", ["tier", "birthday", "arr"]),
    ("label", ["arr", "birthday", "tier"]), ("-label", ["tier", "birthday", "arr"]),
    ("type", ["tier", "birthday", "arr"]), ("-type", ["arr", "birthday", "tier"]),
    ("created_at", ["tier", "arr", "birthday"]), ("-created_at", ["birthday", "arr", "tier"]),
])
def test_properties_sort_both_ways(definitions: None, api_as: Any, sort: str | None,
                                   expected: list[str]) -> None:
    params = {} if sort is None else {"sort": sort}
    assert _names(api_as("rep"), **params) == expected


def test_properties_filter_and_refuse_an_unknown_sort(definitions: None, api_as: Any) -> None:
    api = api_as("rep")
    assert _names(api, object_type="contact") == ["birthday", "tier"]
    assert _names(api, type="number") == ["arr"]
    assert _names(api, q="TIER") == ["tier"]
    assert _names(api, q="revenue") == ["arr"]
    assert api.get(URL, type="money").status_code == 422
    refused = api.get(URL, sort="size")
    assert refused.status_code == 422 and refused.json()["field"] == "sort"
    assert "object_type, -object_type, name, -name, label" in refused.json()["detail"]

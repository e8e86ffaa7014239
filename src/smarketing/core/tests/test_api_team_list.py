"""GET /api/v1/teams pages like every other list (issue 9): {items, count}, a checked
`sort` (name, created_at, members: the active members) and filters `region`, `q`."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.testing.factories import make_team, make_user
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db


@pytest.fixture
def four_teams(users: dict[str, Any]) -> None:
    """East (NA, 3 active members) and West (EMEA, 1) of the users fixture, then
    Nordics (EMEA, 2 active of 3) and Apac (APAC, none)."""
    nordics = make_team("Nordics", "EMEA")
    make_user("sales_rep", username="wes", team=nordics)
    make_user("sales_rep", username="nia", team=nordics)
    idle = make_user("sales_rep", username="idle", team=nordics)
    idle.is_active = False
    idle.save()
    make_team("Apac", "APAC")


def _names(api: Any, **params: Any) -> list[str]:
    return list_column(api, "/api/v1/teams", "name", **params)


def test_teams_page_by_name_with_their_active_members(four_teams: None, api_as: Any) -> None:
    api = api_as("rep")
    body = api.get("/api/v1/teams", limit=2, offset=1).json()
    assert body["count"] == 4
    assert [(t["name"], t["region"], t["members"]) for t in body["items"]] == [
        ("East", "NA", 3), ("Nordics", "EMEA", 2)]
    assert _names(api) == ["Apac", "East", "Nordics", "West"]


@pytest.mark.parametrize(("sort", "expected"), [
    ("-name", ["West", "Nordics", "East", "Apac"]),
    ("members", ["Apac", "West", "Nordics", "East"]),
    ("-members", ["East", "Nordics", "West", "Apac"]),
    ("created_at", ["East", "West", "Nordics", "Apac"]),
    ("-created_at", ["Apac", "Nordics", "West", "East"]),
])
def test_teams_sort_by_name_creation_or_active_members(
    four_teams: None, api_as: Any, sort: str, expected: list[str]
) -> None:
    assert _names(api_as("manager"), sort=sort) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"region": "EMEA"}, ["Nordics", "West"]), ({"q": "ST"}, ["East", "West"]),
    ({"region": "EMEA", "q": "st"}, ["West"]), ({"region": "LATAM"}, []),
])
def test_teams_filter_by_region_and_name(
    four_teams: None, api_as: Any, params: dict[str, Any], expected: list[str]
) -> None:
    body = api_as("marketing").get("/api/v1/teams", **params).json()
    assert ([t["name"] for t in body["items"]], body["count"]) == (expected, len(expected))


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "region"}, "sort"), ({"region": "MARS"}, "region"), ({"limit": 0}, "limit"),
])
def test_a_bad_team_list_parameter_is_a_422_naming_it(
    api_as: Any, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get("/api/v1/teams", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content

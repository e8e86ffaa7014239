"""GET /api/v1/users/{id} and GET /api/v1/teams (issue 9, REST completeness)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smarketing.testing.factories import make_team, make_user

pytestmark = pytest.mark.django_db


def test_any_api_user_reads_one_user_with_role_and_team(
    api_as: Any, users: dict[str, Any]
) -> None:
    rep = users["rep"]
    body = api_as("marketing").get(f"/api/v1/users/{rep.pk}").json()
    assert (body["username"], body["role"]) == (rep.username, "sales_rep")
    assert (body["team"], body["team_id"]) == (rep.profile.team.name, rep.profile.team_id)


def test_an_inactive_or_unknown_user_is_404_naming_id(
    api_as: Any, users: dict[str, Any]
) -> None:
    gone = users["rep_b"]
    gone.is_active = False
    gone.save()
    api = api_as("admin")
    for user_id in (gone.pk, gone.pk + 99):
        response = api.get(f"/api/v1/users/{user_id}")
        assert (response.status_code, response.json()["field"]) == (404, "id")


def test_a_user_id_that_is_not_a_number_is_refused_naming_it(api_as: Any) -> None:
    response = api_as("rep").get("/api/v1/users/ada")
    assert response.status_code == 422
    assert response.json()["field"] == "user_id"


def test_teams_list_by_name_with_their_active_members(
    api_as: Any, users: dict[str, Any]
) -> None:
    nordics = make_team("Nordics", "EMEA")
    make_user("sales_rep", username="wes", team=nordics)
    idle = make_user("sales_rep", username="idle", team=nordics)
    idle.is_active = False
    idle.save()
    body = api_as("rep").get("/api/v1/teams").json()
    teams = {t["name"]: t for t in body["items"]}
    assert body["count"] == len(teams) and [t["name"] for t in body["items"]] == sorted(teams)
    assert (teams["Nordics"]["region"], teams["Nordics"]["members"]) == ("EMEA", 1)
    team_id = users["rep"].profile.team_id
    mine = next(t for t in body["items"] if t["id"] == team_id)
    assert mine["members"] == users["rep"].profile.team.members.count()


def test_users_and_teams_need_a_token() -> None:
    assert Client().get("/api/v1/teams").status_code == 401
    assert Client().get("/api/v1/users/1").status_code == 401

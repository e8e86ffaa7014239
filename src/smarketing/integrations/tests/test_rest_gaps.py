"""Endpoints added for REST completeness: users list, one activity, deleting one."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.pipeline.models import Activity
from smarketing.pipeline.services import activity_log
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def test_the_users_list_filters_by_role_and_team(api_as: Any, users: dict[str, Any]) -> None:
    api = api_as("rep")
    everyone = api.get("/api/v1/users").json()
    assert everyone["count"] == 6
    reps = api.get("/api/v1/users", role="sales_rep").json()["items"]
    assert [u["username"] for u in reps] == ["rep1", "rep2", "rep3"]
    team = users["rep"].profile.team_id
    assert {u["username"] for u in api.get("/api/v1/users", team_id=team).json()["items"]} == {
        "manager", "rep1", "rep2",
    }
    assert api.get("/api/v1/users", role="boss").json()["field"] == "role"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("rep", 204), ("manager", 204), ("admin", 204), ("rep_b", 404), ("rep_other", 404),
     ("marketing", 404)],
)
def test_who_may_delete_an_activity(
    api_as: Any, users: dict[str, Any], role: str, expected: int
) -> None:
    call = activity_log(actor=users["rep"], kind="call", subject="Intro",
                        contact=make_contact(email="a@example.com"))
    api = api_as(role)
    assert api.get(f"/api/v1/activities/{call.pk}").json()["subject"] == "Intro"
    assert api.delete(f"/api/v1/activities/{call.pk}").status_code == expected
    assert Activity.objects.filter(pk=call.pk).exists() == (expected != 204)

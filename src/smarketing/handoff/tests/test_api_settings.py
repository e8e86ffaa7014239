"""The settings over the API: rule order, reps' capacity and away, rejection reasons,
working calendars; errors name the field, other roles are refused."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.handoff.models import RoutingRule
from smarketing.handoff.tests.helpers import make_rule

pytestmark = pytest.mark.django_db


def test_rules_move_and_reps_capacity_over_the_api(
    api_as: Any, users: dict[str, Any], team: Any
) -> None:
    first, second = make_rule(team, 1, name="First"), make_rule(team, 2, name="Second")
    moved = api_as("manager").post(f"/api/v1/routing/rules/{second.pk}/move", {"direction": "up"})
    assert (moved.status_code, moved.json()["position"]) == (200, 1)
    assert RoutingRule.objects.get(pk=first.pk).position == 2
    bad = api_as("admin").post(f"/api/v1/routing/rules/{second.pk}/move", {"direction": "left"})
    assert (bad.status_code, bad.json()["field"]) == (422, "direction")
    rep = users["rep"]
    body = api_as("manager").client.put(
        f"/api/v1/routing/reps/{rep.pk}", {"capacity": 7, "is_away": True},
        content_type="application/json").json()
    assert body == {"user_id": rep.pk, "capacity": 7, "is_away": True}
    refused = api_as("rep").client.put(
        f"/api/v1/routing/reps/{rep.pk}", {"capacity": 99}, content_type="application/json")
    assert (refused.status_code, refused.json()["field"]) == (403, "capacity")


def test_reasons_and_calendars_over_the_api(api_as: Any, team: Any) -> None:
    make_rule(team)  # seeds the default reasons
    admin = api_as("admin")
    added = admin.post("/api/v1/rejection-reasons", {"code": "wrong_language", "label": "Lang"})
    assert added.status_code == 201
    retired = admin.patch(f"/api/v1/rejection-reasons/{added.json()['id']}", {"is_active": False})
    assert (retired.json()["is_active"], retired.json()["label"]) == (False, "Lang")
    codes = [r["code"] for r in admin.get("/api/v1/rejection-reasons").json()["items"]]
    assert "wrong_language" not in codes and "no_budget" in codes
    everything = admin.get("/api/v1/rejection-reasons", include_retired="true").json()["items"]
    assert "wrong_language" in [r["code"] for r in everything]
    calendar = admin.post("/api/v1/sla/calendars", {
        "name": "Paris", "time_zone": "Europe/Paris", "day_start": "08:30:00",
        "holidays": [{"date": "2026-05-01", "name": "Labour Day"}]})
    assert calendar.status_code == 201
    assert calendar.json()["holidays"] == [{"date": "2026-05-01", "name": "Labour Day"}]
    zone = admin.post("/api/v1/sla/calendars", {"name": "Moon", "time_zone": "Moon/Base"})
    assert (zone.status_code, zone.json()["field"]) == (422, "time_zone")
    denied = api_as("manager").post("/api/v1/rejection-reasons", {"code": "x", "label": "X"})
    assert denied.status_code == 403

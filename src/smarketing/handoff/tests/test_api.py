"""The handoff API: inbox, decisions with conflicts, follow-ups, SLA, routing, scorecard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.handoff.models import Assignment
from smarketing.handoff.routing import route_mql
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def assigned(users: dict[str, Any], team: Any) -> Assignment:
    make_rule(team)
    make_sla(follow_up_hours=8, mql_target=31)
    profile = users["rep_b"].profile
    profile.capacity = 0
    profile.save()
    with time_machine.travel(NOON, tick=False):
        assignment = route_mql(contact_id=make_mql(at=NOON).pk)
    assert assignment is not None
    return assignment


def test_a_rep_lists_their_open_mqls(api_as: Any, assigned: Assignment) -> None:
    body = api_as("rep").get("/api/v1/assignments", mine=True, outcome="open").json()
    assert [item["id"] for item in body["items"]] == [assigned.pk]
    assert body["items"][0]["due_at"].startswith("2026-03-04T20:00")
    assert api_as("rep_b").get("/api/v1/assignments").json()["items"] == []


def test_another_teams_rep_cannot_see_the_assignment(api_as: Any, assigned: Assignment) -> None:
    response = api_as("rep_other").get(f"/api/v1/assignments/{assigned.pk}")
    assert response.status_code == 404


def test_marketing_sees_but_cannot_decide(api_as: Any, assigned: Assignment) -> None:
    marketing = api_as("marketing")
    assert marketing.get(f"/api/v1/assignments/{assigned.pk}").status_code == 200
    response = marketing.post(f"/api/v1/assignments/{assigned.pk}/accept")
    assert response.status_code == 403


def test_the_second_decision_is_a_409_conflict(api_as: Any, assigned: Assignment) -> None:
    accept = api_as("rep").post(f"/api/v1/assignments/{assigned.pk}/accept", {"note": "hot"})
    assert accept.status_code == 200
    assert accept.json()["outcome"] == "accepted"
    late = api_as("manager").post(
        f"/api/v1/assignments/{assigned.pk}/reject", {"reason": "no_budget"}
    )
    assert late.status_code == 409
    assert late.json() == {
        "detail": "outcome: this MQL was already accepted by rep1",
        "field": "outcome",
        "code": "conflict",
    }


def test_a_rejection_without_a_known_reason_is_refused(api_as: Any, assigned: Assignment) -> None:
    response = api_as("rep").post(f"/api/v1/assignments/{assigned.pk}/reject", {"reason": "nope"})
    assert (response.status_code, response.json()["field"]) == (422, "reason")
    reasons = api_as("rep").get("/api/v1/rejection-reasons").json()
    assert len(reasons["items"]) == reasons["count"] == 10


def test_logging_a_call_stops_the_clock(api_as: Any, assigned: Assignment) -> None:
    response = api_as("rep").post(
        f"/api/v1/assignments/{assigned.pk}/follow-ups", {"kind": "call", "subject": "Intro"}
    )
    assert response.status_code == 201
    assert response.json()["first_follow_up_at"] is not None


def test_admins_publish_sla_versions_others_cannot(api_as: Any, assigned: Assignment) -> None:
    denied = api_as("manager").post("/api/v1/sla", {"mql_target": 50})
    assert denied.status_code == 403
    created = api_as("admin").post("/api/v1/sla", {"follow_up_hours": "4", "period": "week"})
    assert created.status_code == 201
    body = created.json()
    assert (body["version"], body["mql_target"], body["period"]) == (2, 31, "week")
    versions = api_as("rep").get("/api/v1/sla").json()["items"]
    assert [(v["version"], v["is_active"]) for v in versions] == [(2, True), (1, False)]
    bad = api_as("admin").post("/api/v1/sla", {"warning_share": "1.5"})
    assert (bad.status_code, bad.json()["field"]) == (422, "warning_share")


def test_admins_manage_routing_rules(api_as: Any, users: dict[str, Any], team: Any) -> None:
    admin = api_as("admin")
    created = admin.post(
        "/api/v1/routing/rules",
        {"name": "EMEA", "team_id": team.pk, "conditions": {"region": ["EMEA"]}},
    )
    assert created.status_code == 201
    rule_id = created.json()["id"]
    bad = admin.patch(f"/api/v1/routing/rules/{rule_id}", {"conditions": {"planet": ["Mars"]}})
    assert (bad.status_code, bad.json()["field"]) == (422, "conditions")
    assert (
        api_as("rep").post("/api/v1/routing/rules", {"name": "x", "team_id": team.pk}).status_code
        == 403
    )
    assert admin.delete(f"/api/v1/routing/rules/{rule_id}").status_code == 204


def test_a_rep_marks_themselves_away(api_as: Any, users: dict[str, Any]) -> None:
    rep = users["rep"]
    response = api_as("rep").client.put(
        f"/api/v1/routing/availability/{rep.pk}",
        {"is_away": True},
        content_type="application/json",
    )
    assert response.json() == {"user_id": rep.pk, "is_away": True}
    other = api_as("rep_b").client.put(
        f"/api/v1/routing/availability/{rep.pk}",
        {"is_away": False},
        content_type="application/json",
    )
    assert other.status_code == 403


def test_the_scorecard_endpoint_reports_both_sides(api_as: Any, assigned: Assignment) -> None:
    with time_machine.travel(NOON + dt.timedelta(days=1), tick=False):
        api_as("rep").post(f"/api/v1/assignments/{assigned.pk}/accept")
    with time_machine.travel(dt.datetime(2026, 3, 11, tzinfo=UTC), tick=False):
        body = (
            api_as("manager")
            .get("/api/v1/sla/scorecard", start="2026-03-01", end="2026-04-01")
            .json()
        )
    assert body["marketing"]["mqls"] == 1
    assert body["marketing"]["mql_target"] == "31.00"
    assert body["sales"]["sla_breaches"] == 1  # accepted without a follow-up, deadline passed
    assert body["decisions"]["mql_acceptance_rate"] == "1.0000"
    bad = api_as("manager").get("/api/v1/sla/scorecard", start="2026-04-01", end="2026-03-01")
    assert (bad.status_code, bad.json()["field"]) == (422, "end")
    with time_machine.travel(dt.datetime(2026, 4, 2, tzinfo=UTC), tick=False):
        last_month = api_as("manager").get("/api/v1/sla/scorecard", period="last-month").json()
    assert (last_month["start"], last_month["end"]) == ("2026-03-01", "2026-04-01")
    assert last_month["marketing"]["mqls"] == 1
    unknown = api_as("manager").get("/api/v1/sla/scorecard", period="someday")
    assert (unknown.status_code, unknown.json()["field"]) == (422, "period")

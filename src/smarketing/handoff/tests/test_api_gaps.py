"""REST gaps filled for issue 9: one routing rule (and the rule list's filters), the
reps' availability list, one calendar, deleting a calendar and a holiday, and the
assignment list's `sort`, contact and team filters and its count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.handoff.configure import calendar_save, rep_routing_set
from smarketing.handoff.models import Holiday, WorkingCalendar
from smarketing.handoff.routing import route_mql
from smarketing.handoff.services import assignment_accept
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.testing.factories import make_team

pytestmark = pytest.mark.django_db


def _calendar(admin: Any, name: str = "Paris") -> WorkingCalendar:
    return calendar_save(
        actor=admin, name=name, time_zone="Europe/Paris", working_days=[0, 1, 2, 3, 4],
        day_start=dt.time(9), day_end=dt.time(17),
        holidays=[(dt.date(2026, 5, 1), "Labour Day"), (dt.date(2026, 7, 14), "Bastille")],
    )


def test_anyone_reads_one_routing_rule_and_an_unknown_one_is_404_naming_rule_id(
    api_as: Any, team: Any
) -> None:
    rule = make_rule(team, 3, name="Enterprise", conditions={"region": ["NA"]})
    body = api_as("rep").get(f"/api/v1/routing/rules/{rule.pk}").json()
    assert (body["name"], body["position"], body["team_id"]) == ("Enterprise", 3, team.pk)
    assert body["conditions"] == {"region": ["NA"]}
    missing = api_as("rep").get("/api/v1/routing/rules/999999")
    assert (missing.status_code, missing.json()["field"]) == (404, "rule_id")


def test_the_rule_list_filters_by_team_and_active(api_as: Any, team: Any) -> None:
    west = make_team("Westside", "EMEA")
    make_rule(team, 1, name="East")
    make_rule(west, 2, name="West")
    make_rule(west, 3, name="Old west", is_active=False)
    api = api_as("marketing")
    names = [r["name"] for r in api.get("/api/v1/routing/rules", team_id=west.pk).json()["items"]]
    assert names == ["West", "Old west"]
    active = api.get("/api/v1/routing/rules", team_id=west.pk, is_active="true").json()
    assert [r["name"] for r in active["items"]] == ["West"] and active["count"] == 1


def test_the_availability_list_says_who_is_away_by_team_and_user(
    api_as: Any, users: dict[str, Any]
) -> None:
    rep_routing_set(actor=users["admin"], user=users["rep_b"], is_away=True)
    api = api_as("rep")
    everyone = api.get("/api/v1/routing/availability").json()
    rows = {row["username"]: row for row in everyone["items"]}
    assert set(rows) == {users[r].username for r in ("rep", "rep_b", "rep_other")}
    assert everyone["count"] == 3
    assert rows[users["rep_b"].username]["is_away"] is True
    assert rows[users["rep_b"].username]["changed_at"] is not None
    assert (rows[users["rep"].username]["is_away"], rows[users["rep"].username]["changed_at"]
            ) == (False, None)
    away = api.get("/api/v1/routing/availability", is_away="true").json()
    assert [row["user_id"] for row in away["items"]] == [users["rep_b"].pk]
    team = users["rep"].profile.team_id
    same_team = api.get("/api/v1/routing/availability", team_id=team).json()
    assert {row["user_id"] for row in same_team["items"]} == {users["rep"].pk, users["rep_b"].pk}
    one = api.get("/api/v1/routing/availability", user_id=users["rep_other"].pk).json()
    assert [row["user_id"] for row in one["items"]] == [users["rep_other"].pk]
    first = api.get("/api/v1/routing/availability", limit=1, offset=1).json()
    assert (len(first["items"]), first["count"]) == (1, 3)


def test_a_bad_availability_page_names_the_field(api_as: Any) -> None:
    response = api_as("rep").get("/api/v1/routing/availability", limit=0)
    assert (response.status_code, response.json()["field"]) == (422, "limit")


def test_anyone_reads_one_calendar(api_as: Any, users: dict[str, Any]) -> None:
    calendar = _calendar(users["admin"])
    body = api_as("rep").get(f"/api/v1/sla/calendars/{calendar.pk}").json()
    assert (body["name"], len(body["holidays"])) == ("Paris", 2)
    missing = api_as("rep").get("/api/v1/sla/calendars/999999")
    assert (missing.status_code, missing.json()["field"]) == (404, "calendar_id")


def test_an_admin_deletes_a_calendar_no_sla_uses_with_its_holidays(
    api_as: Any, users: dict[str, Any]
) -> None:
    calendar = _calendar(users["admin"])
    response = api_as("admin").delete(f"/api/v1/sla/calendars/{calendar.pk}")
    assert response.status_code == 204, response.content
    assert not WorkingCalendar.objects.filter(pk=calendar.pk).exists()
    assert not Holiday.objects.exists()


def test_a_calendar_an_sla_version_uses_is_kept_with_a_409_naming_the_versions(
    api_as: Any, users: dict[str, Any]
) -> None:
    calendar = _calendar(users["admin"])
    make_sla(version=1, calendar=calendar)
    make_sla(version=2)
    response = api_as("admin").delete(f"/api/v1/sla/calendars/{calendar.pk}")
    body = response.json()
    assert (response.status_code, body["field"], body["code"]) == (409, "calendar", "conflict")
    assert "v1" in body["detail"] and "v2" not in body["detail"]
    assert WorkingCalendar.objects.filter(pk=calendar.pk).exists()


def test_an_admin_removes_one_holiday_and_an_unknown_date_is_404_naming_date(
    api_as: Any, users: dict[str, Any]
) -> None:
    calendar = _calendar(users["admin"])
    url = f"/api/v1/sla/calendars/{calendar.pk}/holidays"
    assert api_as("admin").delete(f"{url}/2026-05-01").status_code == 204
    assert list(calendar.holidays.values_list("name", flat=True)) == ["Bastille"]
    missing = api_as("admin").delete(f"{url}/2026-12-25")
    assert (missing.status_code, missing.json()["field"]) == (404, "date")
    bad = api_as("admin").delete(f"{url}/not-a-day")
    assert (bad.status_code, bad.json()["field"]) == (422, "date")


def test_only_admins_delete_calendars_and_holidays(api_as: Any, users: dict[str, Any]) -> None:
    calendar = _calendar(users["admin"])
    for role in ("manager", "marketing", "rep"):
        api = api_as(role)
        assert api.delete(f"/api/v1/sla/calendars/{calendar.pk}").status_code == 403, role
        holiday = api.delete(f"/api/v1/sla/calendars/{calendar.pk}/holidays/2026-05-01")
        assert holiday.status_code == 403, role
    assert calendar.holidays.count() == 2
    assert WorkingCalendar.objects.filter(pk=calendar.pk).exists()


def test_the_assignment_list_sorts_filters_by_contact_and_counts_every_match(
    api_as: Any, users: dict[str, Any], team: Any
) -> None:
    make_rule(team)
    make_sla(follow_up_hours=8)
    noon = dt.datetime(2026, 3, 4, 12, tzinfo=dt.UTC)
    routed = []
    for hours in (0, 1, 2):
        at = noon + dt.timedelta(hours=hours)
        with time_machine.travel(at, tick=False):
            assignment = route_mql(contact_id=make_mql(at=at).pk)
        assert assignment is not None
        routed.append(assignment)
    with time_machine.travel(noon + dt.timedelta(hours=3), tick=False):
        assignment_accept(assignment=routed[1], actor=users["admin"])
    api = api_as("admin")
    newest = api.get("/api/v1/assignments", sort="-assigned_at").json()
    assert [a["id"] for a in newest["items"]] == [a.pk for a in reversed(routed)]
    decided = api.get("/api/v1/assignments", sort="-decided_at").json()
    assert decided["items"][0]["id"] == routed[1].pk
    one = api.get("/api/v1/assignments", contact_id=routed[2].contact_id).json()
    assert [a["id"] for a in one["items"]] == [routed[2].pk]
    page = api.get("/api/v1/assignments", limit=1).json()
    assert (len(page["items"]), page["count"]) == (1, 3)


def test_a_bad_assignment_sort_or_outcome_names_the_field(api_as: Any) -> None:
    sort = api_as("admin").get("/api/v1/assignments", sort="contact")
    assert (sort.status_code, sort.json()["field"]) == (422, "sort")
    outcome = api_as("admin").get("/api/v1/assignments", outcome="maybe")
    assert (outcome.status_code, outcome.json()["field"]) == (422, "outcome")

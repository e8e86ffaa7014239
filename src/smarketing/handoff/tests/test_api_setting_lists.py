"""The handoff settings' lists (SLA versions, routing rules, rejection reasons, working
calendars) answer like every other list (issue 9): {items, count} pages (`limit`,
`offset`), a checked `sort` (a 422 naming `sort`) and their filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.handoff.configure import calendar_save, reason_save
from smarketing.handoff.models import RejectionReason, WorkingCalendar
from smarketing.handoff.reasons import DEFAULT_REASONS, ensure_default_reasons
from smarketing.handoff.tests.helpers import make_rule, make_sla
from smarketing.testing.factories import make_team
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db


def _get(api: Any, path: str, field: str, **params: Any) -> list[Any]:
    return list_column(api, f"/api/v1/{path}", field, **params)


def _calendar(admin: Any, name: str, zone: str, day: int) -> WorkingCalendar:
    with time_machine.travel(dt.datetime(2026, 1, day, tzinfo=dt.UTC)):
        return calendar_save(actor=admin, name=name, time_zone=zone, working_days=[0, 1, 2, 3, 4],
                             day_start=dt.time(9), day_end=dt.time(17),
                             holidays=[(dt.date(2026, 5, 1), "Labour Day")])


@pytest.fixture
def three_slas(users: dict[str, Any]) -> WorkingCalendar:
    calendar = _calendar(users["admin"], "Paris", "Europe/Paris", 1)
    make_sla(version=1, mql_target=100)
    make_sla(version=2, mql_target=50, period="week", segment_region="EMEA")
    make_sla(version=3, mql_target=80, period="quarter", calendar=calendar)
    return calendar


def test_sla_versions_page_newest_first_and_sort_by_target(
    three_slas: WorkingCalendar, api_as: Any
) -> None:
    api = api_as("rep")
    first = api.get("/api/v1/sla", limit=2).json()
    assert (first["count"], [v["version"] for v in first["items"]]) == (3, [3, 2])
    assert _get(api, "sla", "version", limit=2, offset=2) == [1]
    assert _get(api, "sla", "version", sort="version") == [1, 2, 3]
    assert _get(api, "sla", "version", sort="mql_target") == [2, 3, 1]
    assert _get(api, "sla", "version", sort="-mql_target") == [1, 3, 2]


def test_sla_versions_filter_by_active_period_segment_and_calendar(
    three_slas: WorkingCalendar, api_as: Any
) -> None:
    api = api_as("manager")
    assert _get(api, "sla", "version", is_active="true") == [3]
    assert _get(api, "sla", "version", is_active="false") == [2, 1]
    assert _get(api, "sla", "version", period="week") == [2]
    assert _get(api, "sla", "version", segment_region="EMEA") == [2]
    assert _get(api, "sla", "version", calendar_id=three_slas.pk) == [3]


@pytest.fixture
def three_rules(team: Any, users: dict[str, Any]) -> None:
    west = make_team("Westside", "EMEA")
    make_rule(team, 1, name="East")
    make_rule(west, 2, name="West")
    make_rule(west, 3, name="Old west", is_active=False, fallback_owner=users["manager"])


def test_routing_rules_page_in_the_order_tried_and_sort_by_name(
    three_rules: None, api_as: Any
) -> None:
    api = api_as("marketing")
    body = api.get("/api/v1/routing/rules", limit=1, offset=1).json()
    assert (body["count"], [r["name"] for r in body["items"]]) == (3, ["West"])
    assert _get(api, "routing/rules", "name") == ["East", "West", "Old west"]
    assert _get(api, "routing/rules", "name", sort="-position") == ["Old west", "West", "East"]
    assert _get(api, "routing/rules", "name", sort="name") == ["East", "Old west", "West"]
    assert _get(api, "routing/rules", "name", sort="-name") == ["West", "Old west", "East"]


def test_routing_rules_filter_by_name_and_fallback_owner(
    three_rules: None, api_as: Any, users: dict[str, Any]
) -> None:
    api = api_as("rep")
    assert _get(api, "routing/rules", "name", q="WEST") == ["West", "Old west"]
    owner = users["manager"].pk
    assert _get(api, "routing/rules", "name", fallback_owner_id=owner) == ["Old west"]
    assert _get(api, "routing/rules", "name", q="west", is_active="true") == ["West"]


@pytest.fixture
def duplicate_retired(users: dict[str, Any]) -> None:
    ensure_default_reasons()
    duplicate = RejectionReason.objects.get(code="duplicate")
    reason_save(actor=users["admin"], reason=duplicate, label=duplicate.label,
                is_active=False, position=duplicate.position)


def test_rejection_reasons_page_the_active_ones_in_position_order(
    duplicate_retired: None, api_as: Any
) -> None:
    api = api_as("rep")
    body = api.get("/api/v1/rejection-reasons", limit=3).json()
    assert (body["count"], [r["code"] for r in body["items"]]) == (
        9, ["not_a_fit", "no_budget", "no_authority"])
    codes = [code for code, _, _ in DEFAULT_REASONS]
    assert _get(api, "rejection-reasons", "code", include_retired="true", limit=500) == codes
    assert _get(api, "rejection-reasons", "code", include_retired="true",
                sort="-position")[:2] == ["other", "existing_customer"]
    assert _get(api, "rejection-reasons", "code", include_retired="true",
                sort="code")[:3] == sorted(codes)[:3]
    assert _get(api, "rejection-reasons", "label", sort="-label")[0] == "Student or job seeker"


def test_rejection_reasons_filter_by_active_note_and_text(
    duplicate_retired: None, api_as: Any
) -> None:
    api = api_as("manager")
    assert _get(api, "rejection-reasons", "code", is_active="false") == ["duplicate"]
    assert _get(api, "rejection-reasons", "code", needs_note="true") == ["other"]
    assert _get(api, "rejection-reasons", "code", q="budget") == ["no_budget"]
    assert _get(api, "rejection-reasons", "code", q="job SEEKER") == ["student_job_seeker"]
    assert _get(api, "rejection-reasons", "code", q="dup") == []
    assert _get(api, "rejection-reasons", "code", q="dup", include_retired="true") == [
        "duplicate"]


@pytest.fixture
def three_calendars(users: dict[str, Any]) -> None:
    _calendar(users["admin"], "Paris", "Europe/Paris", 3)
    _calendar(users["admin"], "Berlin", "Europe/Berlin", 1)
    _calendar(users["admin"], "New York", "America/New_York", 2)


def test_calendars_page_by_name_with_their_holidays(three_calendars: None, api_as: Any) -> None:
    api = api_as("rep")
    body = api.get("/api/v1/sla/calendars", limit=2).json()
    assert (body["count"], [c["name"] for c in body["items"]]) == (3, ["Berlin", "New York"])
    assert body["items"][0]["holidays"] == [{"date": "2026-05-01", "name": "Labour Day"}]
    assert _get(api, "sla/calendars", "name", offset=2) == ["Paris"]
    assert _get(api, "sla/calendars", "name", sort="-name") == ["Paris", "New York", "Berlin"]
    assert _get(api, "sla/calendars", "name", sort="created_at") == [
        "Berlin", "New York", "Paris"]
    assert _get(api, "sla/calendars", "name", sort="-created_at") == [
        "Paris", "New York", "Berlin"]


def test_calendars_filter_by_name_and_time_zone(three_calendars: None, api_as: Any) -> None:
    api = api_as("marketing")
    assert _get(api, "sla/calendars", "name", q="york") == ["New York"]
    assert _get(api, "sla/calendars", "name", time_zone="Europe/Berlin") == ["Berlin"]


@pytest.mark.parametrize(("path", "params", "field"), [
    ("sla", {"sort": "created_at"}, "sort"), ("sla", {"period": "year"}, "period"),
    ("sla", {"segment_region": "MARS"}, "segment_region"), ("sla", {"limit": 0}, "limit"),
    ("routing/rules", {"sort": "team"}, "sort"),
    ("routing/rules", {"is_active": "maybe"}, "is_active"),
    ("routing/rules", {"offset": -1}, "offset"),
    ("rejection-reasons", {"sort": "needs_note"}, "sort"),
    ("rejection-reasons", {"needs_note": "often"}, "needs_note"),
    ("sla/calendars", {"sort": "time_zone"}, "sort"),
    ("sla/calendars", {"limit": 1000}, "limit"),
])
def test_a_bad_settings_list_parameter_is_a_422_naming_it(
    users: dict[str, Any], api_as: Any, path: str, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get(f"/api/v1/{path}", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content

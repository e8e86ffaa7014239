"""The assignment (MQL queue) CSV exports: the API's takes the list's filters and
scoping, the inbox page's exports the rows the inbox shows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from smarketing.handoff.exports import ASSIGNMENT_COLUMNS
from smarketing.handoff.models import Assignment
from smarketing.testing.downloads import csv_rows
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _rows(response: Any) -> list[dict[str, str]]:
    return csv_rows(response, ASSIGNMENT_COLUMNS)


def _assign(rep: Any, email: str, hours: int, outcome: str = "open") -> Assignment:
    return Assignment.objects.create(
        contact=make_contact(email=email), rep=rep, routed_by="manual", assigned_at=T0,
        due_at=T0 + dt.timedelta(hours=hours), warn_at=T0 + dt.timedelta(hours=hours - 1),
        outcome=outcome, decided_at=None if outcome == "open" else T0,
    )


@pytest.fixture
def queue(users: dict[str, Any]) -> None:
    _assign(users["rep"], "late@x.io", 8)
    _assign(users["rep"], "early@x.io", 2)
    _assign(users["rep"], "won@x.io", 4, outcome="accepted")
    _assign(users["rep_b"], "team@x.io", 3)
    _assign(users["rep_other"], "other@x.io", 1)



def _emails(response: Any) -> list[str]:
    return [row["contact_email"] for row in _rows(response)]


@pytest.mark.parametrize(("role", "params"), [
    ("marketing", {}),
    ("marketing", {"outcome": "open", "sort": "-due_at"}),
    ("manager", {}),
    ("rep", {"outcome": "open"}),
    ("rep", {"mine": True}),
    ("marketing", {"rep_id": "rep"}),
])
def test_the_export_has_the_lists_rows_in_its_order(
    api_as: Any, users: dict[str, Any], queue: None, role: str, params: dict[str, Any]
) -> None:
    api = api_as(role)
    if params.get("rep_id") == "rep":
        params = {"rep_id": users["rep"].pk}
    listed = api.get("/api/v1/assignments", **params, limit=500).json()
    exported = _rows(api.get("/api/v1/assignments/export.csv", **params))
    assert [int(row["id"]) for row in exported] == [item["id"] for item in listed["items"]]
    assert len(exported) == listed["count"]


def test_a_rep_exports_only_their_own_assignments(api_as: Any, queue: None) -> None:
    exported = _emails(api_as("rep").get("/api/v1/assignments/export.csv"))
    assert sorted(exported) == ["early@x.io", "late@x.io", "won@x.io"]


def test_a_manager_exports_the_teams_assignments_and_no_other(api_as: Any, queue: None) -> None:
    exported = _emails(api_as("manager").get("/api/v1/assignments/export.csv"))
    assert "team@x.io" in exported
    assert "other@x.io" not in exported
    assert len(exported) == 4


def test_filters_are_respected(api_as: Any, queue: None) -> None:
    exported = _rows(api_as("marketing").get("/api/v1/assignments/export.csv",
                                              outcome="accepted"))
    assert [(r["contact_email"], r["outcome"]) for r in exported] == [("won@x.io", "accepted")]
    assert exported[0]["due_at"] == "2026-03-02T13:00:00+00:00"


def test_a_bad_filter_is_a_422_naming_it(api_as: Any) -> None:
    response = api_as("marketing").get("/api/v1/assignments/export.csv", outcome="won")
    assert response.status_code == 422
    assert response.json()["field"] == "outcome"


def test_the_inbox_exports_the_users_open_mqls_nearest_deadline_first(
    users: dict[str, Any], queue: None
) -> None:
    client = Client()
    client.force_login(users["rep"])
    page = client.get("/inbox/")
    assert b'data-testid="export-csv"' in page.content
    assert _emails(client.get("/inbox/export.csv")) == ["early@x.io", "late@x.io"]

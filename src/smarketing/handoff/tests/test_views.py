"""The inbox, scorecard and lead quality pages, through the real URLs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from smarketing.handoff.models import Assignment, Outcome
from smarketing.handoff.routing import route_mql
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def assigned(users: dict[str, Any], team: Any) -> Assignment:
    make_rule(team)
    make_sla(follow_up_hours=8)
    profile = users["rep_b"].profile
    profile.capacity = 0
    profile.save()
    assignment = route_mql(contact_id=make_mql(original_campaign="spring").pk)
    assert assignment is not None
    return assignment


def test_the_inbox_lists_the_reps_open_mqls_with_a_deadline(
    users: dict[str, Any], assigned: Assignment
) -> None:
    page = _client(users["rep"]).get("/inbox/").content.decode()
    assert str(assigned.contact) in page
    assert f'data-due="{assigned.due_at.isoformat()}"'.replace("+00:00", "+00:00") in page
    assert str(assigned.contact) not in _client(users["rep_b"]).get("/inbox/").content.decode()


def test_a_rep_logs_a_call_and_accepts_from_the_inbox(
    users: dict[str, Any], assigned: Assignment
) -> None:
    client = _client(users["rep"])
    client.post(f"/inbox/{assigned.pk}/follow-up/", {"kind": "call"})
    response = client.post(f"/inbox/{assigned.pk}/accept/", follow=True)
    assert "accepted" in response.content.decode()
    assigned.refresh_from_db()
    assert assigned.outcome == Outcome.ACCEPTED and assigned.first_follow_up_at is not None


def test_a_rejection_without_a_reason_shows_the_error(
    users: dict[str, Any], assigned: Assignment
) -> None:
    response = _client(users["rep"]).post(f"/inbox/{assigned.pk}/reject/", {}, follow=True)
    assert "a rejection needs a reason" in response.content.decode()
    assigned.refresh_from_db()
    assert assigned.outcome == Outcome.OPEN


def test_another_teams_rep_gets_a_403(users: dict[str, Any], assigned: Assignment) -> None:
    response = _client(users["rep_other"]).post(f"/inbox/{assigned.pk}/accept/")
    assert response.status_code == 403


def test_the_scorecard_and_lead_quality_pages_show_the_period(
    users: dict[str, Any], assigned: Assignment
) -> None:
    client = _client(users["rep"])
    client.post(f"/inbox/{assigned.pk}/reject/", {"reason": "no_budget"})
    today = dt.date.today()
    params = {"start": today.isoformat(), "end": (today + dt.timedelta(days=1)).isoformat()}
    card = _client(users["marketing"]).get("/sla/", params).content.decode()
    assert 'data-testid="assigned">1<' in card
    quality = _client(users["marketing"]).get("/lead-quality/", params).content.decode()
    assert "spring" in quality and "No budget (1)" in quality
    bad = _client(users["marketing"]).get("/sla/", {"start": "2026-05-01", "end": "2026-04-01"})
    assert "must be after start" in bad.content.decode()


def test_the_bell_counts_unread_notifications_until_they_are_read(
    users: dict[str, Any], assigned: Assignment
) -> None:
    client = _client(users["rep"])
    assert 'data-testid="unread-count">1<' in client.get("/inbox/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert f"New MQL: {assigned.contact}" in page
    client.post("/notifications/")
    assert 'data-testid="unread-count"' not in client.get("/inbox/").content.decode()

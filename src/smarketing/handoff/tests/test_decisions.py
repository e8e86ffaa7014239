"""Accept, reject with a reason, disqualify: one decision per MQL, by the right people."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.db import connection

from smarketing.core.errors import Conflict, PermissionDenied, ValidationFailed
from smarketing.handoff.models import Assignment, Outcome
from smarketing.handoff.routing import route_mql
from smarketing.handoff.selectors import inbox, with_sla_state
from smarketing.handoff.services import (
    assignment_accept,
    assignment_disqualify,
    assignment_reassign,
    assignment_reject,
    follow_up_log,
)
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.people.models import LeadStatus, Stage
from smarketing.pipeline.services import activity_log

pytestmark = pytest.mark.django_db
UTC = dt.UTC
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def assigned(users: dict[str, Any], team: Any) -> Assignment:
    """An MQL assigned to `rep` at noon with an 8-hour SLA."""
    make_rule(team)
    make_sla(follow_up_hours=8)
    profile = users["rep_b"].profile
    profile.capacity = 0
    profile.save()
    with time_machine.travel(NOON, tick=False):
        assignment = route_mql(contact_id=make_mql().pk)
    assert assignment is not None and assignment.rep == users["rep"]
    return assignment


def test_accepting_makes_the_contact_an_sql(users: dict[str, Any], assigned: Assignment) -> None:
    assignment_accept(assignment=assigned, actor=users["rep"])
    assigned.contact.refresh_from_db()
    assert assigned.contact.lifecycle_stage == Stage.SQL
    assert assigned.contact.stage_changes.get(to_stage=Stage.SQL).cause == "handoff"
    assert (assigned.outcome, assigned.decided_by) == (Outcome.ACCEPTED, users["rep"])


def test_rejecting_needs_a_managed_reason_and_recycles_to_nurture(
    users: dict[str, Any], assigned: Assignment
) -> None:
    with pytest.raises(ValidationFailed) as missing:
        assignment_reject(assignment=assigned, actor=users["rep"], reason="")
    assert missing.value.field == "reason"
    with pytest.raises(ValidationFailed):
        assignment_reject(assignment=assigned, actor=users["rep"], reason="made_up")
    with pytest.raises(ValidationFailed) as note:
        assignment_reject(assignment=assigned, actor=users["rep"], reason="other")
    assert note.value.field == "note"
    assignment_reject(assignment=assigned, actor=users["rep"], reason="no_budget", note="FY27")
    contact = assigned.contact
    contact.refresh_from_db()
    assert (contact.lifecycle_stage, contact.lead_status) == (Stage.LEAD, LeadStatus.RECYCLED)
    assert contact.lead_status_reason == "Rejected: No budget (FY27)"
    assert assigned.reason.code == "no_budget"


def test_disqualifying_marks_the_lead_unqualified(
    users: dict[str, Any], assigned: Assignment
) -> None:
    assignment_disqualify(assignment=assigned, actor=users["manager"], reason="competitor")
    assigned.contact.refresh_from_db()
    assert assigned.contact.lead_status == LeadStatus.UNQUALIFIED
    assert assigned.outcome == Outcome.DISQUALIFIED


def test_the_second_decision_gets_a_clear_conflict(
    users: dict[str, Any], assigned: Assignment
) -> None:
    stale = Assignment.objects.get(pk=assigned.pk)
    assignment_accept(assignment=assigned, actor=users["rep"])
    with pytest.raises(Conflict, match="already accepted by rep1"):
        assignment_reject(assignment=stale, actor=users["manager"], reason="no_budget")
    stale.contact.refresh_from_db()
    assert stale.contact.lifecycle_stage == Stage.SQL


def test_only_the_owner_their_manager_or_an_admin_decides(
    users: dict[str, Any], assigned: Assignment
) -> None:
    for name in ("rep_b", "rep_other", "marketing"):
        with pytest.raises(PermissionDenied):
            assignment_accept(assignment=assigned, actor=users[name])
    assignment_accept(assignment=assigned, actor=users["admin"])


def test_managers_reassign_within_their_team_with_a_fresh_clock(
    users: dict[str, Any], assigned: Assignment
) -> None:
    with pytest.raises(PermissionDenied):
        assignment_reassign(assignment=assigned, actor=users["rep"], to_rep=users["rep_b"])
    with pytest.raises(PermissionDenied):
        assignment_reassign(assignment=assigned, actor=users["manager"], to_rep=users["rep_other"])
    moved = assignment_reassign(assignment=assigned, actor=users["manager"], to_rep=users["rep_b"])
    assigned.refresh_from_db()
    assert assigned.outcome == Outcome.REASSIGNED
    assert (moved.rep, moved.outcome, moved.routed_by) == (users["rep_b"], Outcome.OPEN, "manual")


def test_the_first_follow_up_stops_the_clock(users: dict[str, Any], assigned: Assignment) -> None:
    with time_machine.travel(NOON + dt.timedelta(hours=2), tick=False):
        follow_up_log(assignment=assigned, actor=users["rep"], kind="call")
    with time_machine.travel(NOON + dt.timedelta(hours=3), tick=False):
        follow_up_log(assignment=assigned, actor=users["rep"], kind="email")
    assigned.refresh_from_db()
    assert assigned.first_follow_up_at == NOON + dt.timedelta(hours=2)
    with pytest.raises(ValidationFailed):
        follow_up_log(assignment=assigned, actor=users["rep"], kind="note")


def _state(assignment: Assignment, now: dt.datetime) -> Any:
    return with_sla_state(Assignment.objects.filter(pk=assignment.pk), now).get()


def test_breaches_are_derived_without_any_background_process(
    users: dict[str, Any], assigned: Assignment
) -> None:
    before, after = NOON + dt.timedelta(hours=7), NOON + dt.timedelta(hours=9)
    assert not _state(assigned, before).breached
    late = _state(assigned, after)
    assert late.breached and late.open_breach


def test_an_activity_logged_anywhere_counts_as_the_follow_up(
    users: dict[str, Any], assigned: Assignment
) -> None:
    activity_log(
        actor=users["rep"],
        kind="meeting",
        subject="Intro",
        contact=assigned.contact,
        at=NOON + dt.timedelta(hours=9),
    )
    state = _state(assigned, NOON + dt.timedelta(hours=10))
    assert state.follow_up_at == NOON + dt.timedelta(hours=9)
    assert state.breached and not state.open_breach and not state.followed_up_in_time
    activity_log(
        actor=users["rep"],
        kind="note",
        subject="Earlier note",
        contact=assigned.contact,
        at=NOON + dt.timedelta(hours=1),
    )
    assert _state(assigned, NOON).follow_up_at == NOON + dt.timedelta(hours=9)


def test_the_inbox_lists_open_mqls_nearest_deadline_first(
    users: dict[str, Any], assigned: Assignment
) -> None:
    with time_machine.travel(NOON - dt.timedelta(hours=5), tick=False):
        earlier = route_mql(contact_id=make_mql().pk)
    assert list(inbox(users["rep"])) == [earlier, assigned]
    assignment_accept(assignment=earlier, actor=users["rep"])
    assert list(inbox(users["rep"])) == [assigned]


@pytest.mark.django_db(transaction=True)
def test_two_people_deciding_at_once_one_wins_the_other_gets_a_conflict(
    users: dict[str, Any], team: Any
) -> None:
    make_rule(team)
    contact = make_mql()  # routed by the lifecycle listener when its transaction commits
    assignment = Assignment.objects.get(contact=contact)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def decide(name: str, action: Any) -> None:
        barrier.wait()
        try:
            action(assignment=Assignment.objects.get(pk=assignment.pk), actor=users[name])
            results[name] = "won"
        except Conflict:
            results[name] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(name, assignment_accept))
        for name in ("manager", "admin")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == ["conflict", "won"]
    assert Assignment.objects.get(pk=assignment.pk).outcome == Outcome.ACCEPTED

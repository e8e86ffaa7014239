"""Writes of the handoff: decisions on an assignment, follow-ups, reassignment, setup.

Decisions close the open assignment with one conditional UPDATE (`outcome = open`),
so of two people deciding at once exactly one wins and the other gets a Conflict
naming who decided first; the lifecycle move happens in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from smarketing.core.errors import Conflict, PermissionDenied, ValidationFailed
from smarketing.handoff import permissions
from smarketing.handoff.models import Assignment, Outcome, RejectionReason, RoutedBy
from smarketing.handoff.routing import RouteChoice, create_assignment
from smarketing.handoff.selectors import FOLLOW_UP_KINDS
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import Cause, Contact, LeadStatus, Stage
from smarketing.pipeline.models import Activity
from smarketing.pipeline.services import activity_log


def _check_decider(actor: Any, assignment: Assignment) -> None:
    if not permissions.can_decide(actor, assignment):
        raise PermissionDenied(
            "Only the assigned rep, their manager or an admin decides this MQL", field="rep"
        )


def _conflict(assignment: Assignment) -> Conflict:
    current = Assignment.objects.select_related("decided_by").get(pk=assignment.pk)
    who = current.decided_by.username if current.decided_by else "someone"
    return Conflict(
        f"outcome: this MQL was already {current.get_outcome_display().lower()} by {who}",
        field="outcome",
    )


def _close(
    *,
    assignment: Assignment,
    actor: Any,
    outcome: str,
    at: dt.datetime,
    reason: RejectionReason | None = None,
    note: str = "",
) -> Assignment:
    """Close the assignment if it is still open (one conditional UPDATE), else Conflict."""
    _check_decider(actor, assignment)
    won = Assignment.objects.filter(pk=assignment.pk, outcome=Outcome.OPEN).update(
        outcome=outcome, decided_at=at, decided_by=actor, reason=reason, note=note.strip()
    )
    if not won:
        raise _conflict(assignment)
    assignment.refresh_from_db()
    return assignment


@transaction.atomic
def assignment_accept(
    *, assignment: Assignment, actor: Any, note: str = "", at: dt.datetime | None = None
) -> Assignment:
    """Accept the MQL: the contact becomes an SQL (cause handoff)."""
    at = at or timezone.now()
    assignment = _close(
        assignment=assignment, actor=actor, outcome=Outcome.ACCEPTED, at=at, note=note
    )
    contact_transition(
        contact=assignment.contact,
        to_stage=Stage.SQL,
        cause=Cause.HANDOFF,
        actor=actor,
        reason="Accepted by sales",
        at=at,
    )
    return assignment


def _reason(code: str, note: str) -> RejectionReason:
    reason = RejectionReason.objects.filter(code=code, is_active=True).first()
    if reason is None:
        raise ValidationFailed(
            f"reason: {code!r} is not an active rejection reason", field="reason"
        )
    if reason.needs_note and not note.strip():
        raise ValidationFailed(f"note: the reason {reason.label!r} needs a note", field="note")
    return reason


@transaction.atomic
def assignment_reject(
    *,
    assignment: Assignment,
    actor: Any,
    reason: str,
    note: str = "",
    at: dt.datetime | None = None,
) -> Assignment:
    """Reject with a managed reason: the contact is recycled to lead (back to nurture)."""
    if not reason:
        raise ValidationFailed("reason: a rejection needs a reason", field="reason")
    chosen = _reason(reason, note)
    at = at or timezone.now()
    assignment = _close(
        assignment=assignment,
        actor=actor,
        outcome=Outcome.REJECTED,
        at=at,
        reason=chosen,
        note=note,
    )
    text = f"Rejected: {chosen.label}" + (f" ({note.strip()})" if note.strip() else "")
    contact_recycle(contact=assignment.contact, actor=actor, reason=text, at=at)
    return assignment


@transaction.atomic
def assignment_disqualify(
    *,
    assignment: Assignment,
    actor: Any,
    reason: str = "",
    note: str = "",
    at: dt.datetime | None = None,
) -> Assignment:
    """Disqualify: recycled out of the MQL stage with lead status `unqualified` (no nurture)."""
    chosen = _reason(reason, note) if reason else None
    at = at or timezone.now()
    assignment = _close(
        assignment=assignment,
        actor=actor,
        outcome=Outcome.DISQUALIFIED,
        at=at,
        reason=chosen,
        note=note,
    )
    label = chosen.label if chosen else note.strip() or "no reason given"
    contact_recycle(contact=assignment.contact, actor=actor, reason=f"Disqualified: {label}", at=at)
    Contact.objects.filter(pk=assignment.contact_id).update(
        lead_status=LeadStatus.UNQUALIFIED, lead_status_reason=f"Disqualified: {label}"[:300]
    )
    return assignment


def _first_follow_up(assignment: Assignment, at: dt.datetime) -> None:
    if at >= assignment.assigned_at:
        Assignment.objects.filter(pk=assignment.pk, first_follow_up_at__isnull=True).update(
            first_follow_up_at=at
        )


@transaction.atomic
def follow_up_log(
    *,
    assignment: Assignment,
    actor: Any,
    kind: str,
    subject: str = "",
    body: str = "",
    at: dt.datetime | None = None,
) -> Activity:
    """Log a call, email or meeting on the MQL (the first one stops the SLA clock)."""
    _check_decider(actor, assignment)
    if kind not in FOLLOW_UP_KINDS:
        raise ValidationFailed("kind: a follow-up is a call, email or meeting", field="kind")
    activity = activity_log(
        actor=actor,
        kind=kind,
        subject=subject or f"{kind.capitalize()} (MQL follow-up)",
        body=body,
        at=at,
        contact=assignment.contact,
    )
    _first_follow_up(assignment, activity.at)
    assignment.refresh_from_db()
    return activity


@transaction.atomic
def assignment_reassign(
    *, assignment: Assignment, actor: Any, to_rep: Any, at: dt.datetime | None = None
) -> Assignment:
    """A manager moves an open MQL to another rep: a new assignment with a fresh clock."""
    if not permissions.can_reassign(actor, assignment, to_rep.pk):
        raise PermissionDenied("Only the rep's manager or an admin reassigns", field="rep_id")
    if to_rep.pk == assignment.rep_id:
        raise ValidationFailed("rep_id: the MQL is already assigned to this rep", field="rep_id")
    at = at or timezone.now()
    _close(assignment=assignment, actor=actor, outcome=Outcome.REASSIGNED, at=at)
    contact = Contact.objects.get(pk=assignment.contact_id)
    return create_assignment(
        contact=contact, choice=RouteChoice(rep=to_rep, routed_by=RoutedBy.MANUAL), at=at
    )

"""Writes of the handoff: decisions on an assignment, follow-ups, reassignment, setup.

Decisions close the open assignment with one conditional UPDATE (`outcome = open`),
so of two people deciding at once exactly one wins and the other gets a Conflict
naming who decided first; the lifecycle move happens in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from smarketing.core.errors import Conflict, PermissionDenied, ValidationFailed
from smarketing.core.models import Team
from smarketing.core.roles import is_admin, manages
from smarketing.handoff import permissions
from smarketing.handoff.models import (
    SLA,
    Assignment,
    Outcome,
    RejectionReason,
    RepAvailability,
    RoutedBy,
    RoutingRule,
    SlaPeriod,
)
from smarketing.handoff.notify import decision_made
from smarketing.handoff.routing import CONDITION_KEYS, RouteChoice, create_assignment
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
    decision_made(assignment)
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


SLA_FIELDS = frozenset(
    {
        "mql_target",
        "period",
        "segment_region",
        "segment_team_id",
        "follow_up_hours",
        "warning_share",
        "calendar_id",
        "change_note",
    }
)


def _check_sla(values: dict[str, Any]) -> None:
    unknown = set(values) - SLA_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(f"{field}: not an SLA field", field=field)
    if values.get("period", SlaPeriod.MONTH) not in SlaPeriod.values:
        raise ValidationFailed("period: week, month or quarter", field="period")
    if not 0 < Decimal(str(values.get("warning_share", "0.75"))) < 1:
        raise ValidationFailed("warning_share: between 0 and 1", field="warning_share")
    if Decimal(str(values.get("follow_up_hours", 24))) <= 0:
        raise ValidationFailed("follow_up_hours: must be positive", field="follow_up_hours")
    if values.get("segment_region") and values.get("segment_team_id"):
        raise ValidationFailed(
            "segment_team_id: one segment, region or team", field="segment_team_id"
        )


@transaction.atomic
def sla_publish(*, actor: Any, **values: Any) -> SLA:
    """A new SLA version, built on the active one, becomes the one active version."""
    permissions.check_configure(actor)
    current = SLA.objects.select_for_update().filter(is_active=True).first()
    base = {name: getattr(current, name) for name in SLA_FIELDS} if current else {}
    merged = {**base, **{k: v for k, v in values.items() if v is not None}}
    merged.setdefault("change_note", "")
    if "mql_target" not in merged:
        raise ValidationFailed("mql_target: the first SLA needs a target", field="mql_target")
    _check_sla(merged)
    SLA.objects.filter(is_active=True).update(is_active=False)
    version = (SLA.objects.aggregate(top=Max("version"))["top"] or 0) + 1
    return SLA.objects.create(
        version=version, is_active=True, created_at=timezone.now(), created_by=actor, **merged
    )


def _check_conditions(conditions: dict[str, Any]) -> None:
    unknown = set(conditions) - CONDITION_KEYS
    if unknown:
        raise ValidationFailed(
            f"conditions: unknown key {sorted(unknown)[0]!r}", field="conditions"
        )
    for key in ("company_size_min", "company_size_max"):
        if key in conditions and not isinstance(conditions[key], int):
            raise ValidationFailed(f"conditions.{key}: a whole number", field="conditions")
    for key in ("region", "country", "industry", "source"):
        if key in conditions and not isinstance(conditions[key], list):
            raise ValidationFailed(f"conditions.{key}: a list of values", field="conditions")
    if not isinstance(conditions.get("properties", {}), dict):
        raise ValidationFailed("conditions.properties: {name: [values]}", field="conditions")


def _next_position() -> int:
    return (RoutingRule.objects.aggregate(top=Max("position"))["top"] or 0) + 1


RULE_FIELDS = frozenset(
    {"name", "position", "is_active", "conditions", "team_id", "fallback_owner_id"}
)


def _check_rule_editor(actor: Any, team_id: int | None) -> None:
    if not permissions.can_edit_rule(actor, team_id):
        raise PermissionDenied(
            "Only admins, or the sales manager of the rule's team, change routing rules",
            field="team_id",
        )


@transaction.atomic
def routing_rule_save(*, actor: Any, rule: RoutingRule | None = None, **values: Any) -> RoutingRule:
    """Create (rule=None) or change a routing rule; `position` orders the rules."""
    if rule is not None:
        _check_rule_editor(actor, rule.team_id)
    rule = rule or RoutingRule(position=values.pop("position", None) or _next_position())
    for name, value in values.items():
        if name not in RULE_FIELDS:
            raise ValidationFailed(f"{name}: not a routing rule field", field=name)
        setattr(rule, name, value)
    _check_rule_editor(actor, rule.team_id)
    _check_conditions(rule.conditions or {})
    if not rule.name.strip():
        raise ValidationFailed("name: a rule needs a name", field="name")
    if not Team.objects.filter(pk=rule.team_id).exists():
        raise ValidationFailed("team_id: no such team", field="team_id")
    if RoutingRule.objects.filter(position=rule.position).exclude(pk=rule.pk).exists():
        raise ValidationFailed("position: another rule holds this position", field="position")
    rule.save()
    return rule


@transaction.atomic
def routing_rule_delete(*, actor: Any, rule: RoutingRule) -> None:
    _check_rule_editor(actor, rule.team_id)
    rule.delete()


def availability_set(*, actor: Any, user: Any, is_away: bool) -> RepAvailability:
    """Mark a rep away (no new MQLs) or back: the rep, their manager or an admin."""
    if not (actor.pk == user.pk or is_admin(actor) or manages(actor, user.pk)):
        raise PermissionDenied("Only the rep, their manager or an admin", field="user_id")
    availability, _ = RepAvailability.objects.update_or_create(
        user=user, defaults={"is_away": is_away}
    )
    return availability

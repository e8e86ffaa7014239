"""The lifecycle state machine of shared/KPI.md: one table, one transition service.

Stages move forward only; `recycle` is the one backward move. `other` sits
outside the order: anyone may move a contact there, and out of it again, but
only to a stage at or after the one it held before `other` (so `other` is no
back door around the forward-only rule). Entering a stage counts as reaching
every earlier stage at the same instant (monotone funnel rule), recorded in the
denormalised `became_<stage>_at` fields (first time only), which always agree
with the StageChange history.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from smarketing.core.errors import TransitionRefused
from smarketing.core.models import Role
from smarketing.core.roles import role_of
from smarketing.people.events import publish_stage_change, publish_stage_changes
from smarketing.people.models import (
    ORDERED_STAGES,
    Cause,
    Contact,
    LeadStatus,
    Stage,
    StageChange,
    stage_rank,
)

ALL_ROLES = frozenset(Role.values)
SALES_OR_ADMIN = frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN})

# Which causes may move a contact INTO a stage ("who moves it" in KPI.md).
ALLOWED_CAUSES: dict[str, frozenset[str]] = {
    Stage.SUBSCRIBER: frozenset({Cause.TRACKING, Cause.IMPORT}),
    Stage.LEAD: frozenset({Cause.TRACKING, Cause.IMPORT, Cause.MANUAL}),
    Stage.MQL: frozenset({Cause.SCORING, Cause.IMPORT, Cause.MANUAL}),
    Stage.SQL: frozenset({Cause.HANDOFF, Cause.IMPORT, Cause.MANUAL}),
    Stage.OPPORTUNITY: frozenset({Cause.PIPELINE, Cause.IMPORT}),
    Stage.CUSTOMER: frozenset({Cause.PIPELINE, Cause.IMPORT}),
    Stage.EVANGELIST: frozenset({Cause.IMPORT, Cause.MANUAL}),
    Stage.OTHER: frozenset({Cause.IMPORT, Cause.MANUAL}),
}

# Which roles may make a move by hand (cause MANUAL), or act for the handoff.
MANUAL_ROLES: dict[str, frozenset[str]] = {
    Stage.LEAD: ALL_ROLES,
    Stage.MQL: frozenset({Role.MARKETING, Role.ADMIN}),
    Stage.SQL: SALES_OR_ADMIN,
    Stage.EVANGELIST: ALL_ROLES,
    Stage.OTHER: ALL_ROLES,
}
CAUSES_NEEDING_ACTOR: dict[str, frozenset[str]] = {
    Cause.MANUAL: ALL_ROLES,
    Cause.HANDOFF: SALES_OR_ADMIN,
    Cause.RECYCLE: SALES_OR_ADMIN,
}
RECYCLABLE = frozenset({Stage.MQL, Stage.SQL})


def _refuse(message: str, field: str) -> TransitionRefused:
    return TransitionRefused(message, field=field)


def check_transition(*, current: str, to_stage: str, cause: str, actor: Any) -> None:
    """Raise TransitionRefused (naming the field) when the move is not allowed."""
    if to_stage not in Stage.values:
        raise _refuse(f"to_stage: {to_stage!r} is not a lifecycle stage", "to_stage")
    if cause not in Cause.values or cause in {Cause.RECYCLE, Cause.MERGE}:
        raise _refuse(f"cause: {cause!r} cannot move a stage forward", "cause")
    if current and _is_backward(current, to_stage):
        raise _refuse(
            f"to_stage: {to_stage} comes before {current}; only recycle moves backward",
            "to_stage",
        )
    if cause not in ALLOWED_CAUSES[to_stage]:
        raise _refuse(f"cause: {cause} may not move a contact to {to_stage}", "cause")
    _check_actor(cause=cause, actor=actor, allowed=MANUAL_ROLES.get(to_stage, frozenset()))


def _is_backward(current: str, to_stage: str) -> bool:
    return stage_rank(to_stage) >= 0 and stage_rank(to_stage) < stage_rank(current)


def _check_actor(*, cause: str, actor: Any, allowed: frozenset[str]) -> None:
    needed = CAUSES_NEEDING_ACTOR.get(cause)
    if needed is None:
        return
    role = role_of(actor)
    if role is None:
        raise _refuse(f"actor: a {cause} move needs a signed-in user", "actor")
    roles = needed & allowed if cause == Cause.MANUAL else needed
    if role not in roles:
        raise _refuse(f"actor: the {role} role may not make this move", "actor")


def funnel_position(contact: Contact) -> str:
    """The stage that bounds the next move: the current one, or for a contact in
    `other`, the stage it held before entering `other` ("" if it was created there)."""
    if contact.lifecycle_stage != Stage.OTHER:
        return contact.lifecycle_stage
    entry = (
        contact.stage_changes.filter(to_stage=Stage.OTHER)
        .order_by("-at", "-id").values_list("from_stage", flat=True).first()
    )
    return entry or ""


def _check_time(contact: Contact, at: datetime) -> None:
    last = contact.stage_changes.order_by("-at").values_list("at", flat=True).first()
    if last is not None and at < last:
        raise _refuse("at: before the contact's last stage change", "at")


_REACHED = {
    stage: tuple(f"became_{earlier}_at" for earlier in ORDERED_STAGES[: rank + 1])
    for rank, stage in enumerate(ORDERED_STAGES)
}


def reached_fields(stage: str) -> list[str]:
    """The `became_<s>_at` fields that entering `stage` sets where still empty: its own
    and every earlier stage's (the monotone funnel rule); none for `other`."""
    return list(_REACHED.get(stage, ()))


def mark_reached(contact: Contact, stage: str, at: datetime) -> list[str]:
    """Set `became_<s>_at` for `stage` and every earlier stage not reached yet."""
    changed = []
    for field in reached_fields(stage):
        if getattr(contact, field) is None:
            setattr(contact, field, at)
            changed.append(field)
    return changed


# Lead status set on entering a stage: (status, only when the contact has none).
LEAD_STATUS_ON_ENTRY: dict[str, tuple[str, bool]] = {
    Stage.LEAD: (LeadStatus.NEW, True),
    Stage.OPPORTUNITY: (LeadStatus.OPEN_DEAL, False),
}


def _lead_status_on_entry(contact: Contact, stage: str) -> list[str]:
    status, only_if_empty = LEAD_STATUS_ON_ENTRY.get(stage, ("", False))
    if not status or (only_if_empty and contact.lead_status):
        return []
    contact.lead_status = status
    return ["lead_status"]


# Apps that act when a contact enters a stage (handoff routes new MQLs) register a
# listener in their AppConfig.ready(); people never imports them. A listener gets
# (contact_id, to_stage, stage_change_id) after the transaction commits; its
# optional batch form gets the list of those triples of a bulk move at once.
StageListener = Callable[[int, str, int], None]
BatchListener = Callable[[list[tuple[int, str, int]]], None]
_STAGE_LISTENERS: list[tuple[StageListener, BatchListener | None]] = []


def on_stage_entered(listener: StageListener, *, batch: BatchListener | None = None) -> None:
    if all(known != listener for known, _ in _STAGE_LISTENERS):
        _STAGE_LISTENERS.append((listener, batch))


def _announce(change: StageChange) -> None:
    for listener, _ in _STAGE_LISTENERS:
        def call(listener: StageListener = listener) -> None:
            listener(change.contact_id, change.to_stage, change.pk)

        transaction.on_commit(call, robust=True)


def _announce_all(changes: list[StageChange]) -> None:
    """A bulk move: each listener's batch form once (its per-change form otherwise)."""
    triples = [(c.contact_id, c.to_stage, c.pk) for c in changes]
    for listener, batch in _STAGE_LISTENERS:
        def call(listener: StageListener = listener, batch: BatchListener | None = batch
                 ) -> None:
            if batch is not None:
                batch(triples)
                return
            for triple in triples:
                listener(*triple)

        transaction.on_commit(call, robust=True)


def record_entry(
    *, contact: Contact, from_stage: str, to_stage: str, cause: str,
    actor: Any, reason: str, at: datetime,
) -> StageChange:
    """Write the history row and the denormalised fields of a move (already checked)."""
    change = StageChange.objects.create(
        contact=contact, from_stage=from_stage, to_stage=to_stage, at=at,
        actor=actor if role_of(actor) else None, cause=cause, reason=reason[:500],
    )
    _announce(change)
    contact.lifecycle_stage = to_stage
    fields = ["lifecycle_stage", "updated_at", *mark_reached(contact, to_stage, at)]
    fields += _lead_status_on_entry(contact, to_stage)
    contact.save(update_fields=fields)
    publish_stage_change(contact, change)
    return change


@transaction.atomic
def contact_transition(
    *, contact: Contact, to_stage: str, cause: str, actor: Any = None,
    reason: str = "", at: datetime | None = None,
) -> StageChange | None:
    """Move `contact` forward to `to_stage`. Idempotent: the same stage writes nothing."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.lifecycle_stage == to_stage:
        return None
    check_transition(
        current=funnel_position(contact), to_stage=to_stage, cause=cause, actor=actor
    )
    at = at or timezone.now()
    _check_time(contact, at)
    return record_entry(
        contact=contact, from_stage=contact.lifecycle_stage, to_stage=to_stage,
        cause=cause, actor=actor, reason=reason, at=at,
    )


def _movable(rows: list[tuple[int, str]], to_stage: str, cause: str, actor: Any
             ) -> list[tuple[int, str]]:
    """The (id, stage) rows that check_transition lets move (asked once per stage; a
    contact in `other` is asked with its funnel position)."""
    verdicts: dict[str, bool] = {}

    def allowed(current: str) -> bool:
        if current not in verdicts:
            try:
                check_transition(current=current, to_stage=to_stage, cause=cause, actor=actor)
                verdicts[current] = True
            except TransitionRefused:
                verdicts[current] = False
        return verdicts[current]

    return [(pk, stage) for pk, stage in rows if allowed(
        funnel_position(Contact(pk=pk, lifecycle_stage=stage)) if stage == Stage.OTHER
        else stage)]


def _bulk_update_entered(ids: list[int], to_stage: str, at: datetime) -> None:
    """The denormalised fields of a bulk move, set-based (what record_entry sets)."""
    fields: dict[str, Any] = {"lifecycle_stage": to_stage, "updated_at": at}
    fields |= {field: Coalesce(F(field), Value(at)) for field in reached_fields(to_stage)}
    status, only_if_empty = LEAD_STATUS_ON_ENTRY.get(to_stage, ("", False))
    if status:
        fields["lead_status"] = Case(When(lead_status="", then=Value(status)),
                                     default=F("lead_status")) if only_if_empty else status
    for start in range(0, len(ids), 1000):
        Contact.objects.filter(pk__in=ids[start : start + 1000]).update(**fields)


@transaction.atomic
def contacts_transition(
    *, reasons: dict[int, str], to_stage: str, cause: str, actor: Any = None,
    at: datetime | None = None,
) -> list[StageChange]:
    """contact_transition for many contacts at once, set-based: `reasons` maps contact
    id -> reason. The same rules (check_transition), history rows, `became_<s>_at`
    (monotone rule) and lead status; listeners and domain events after commit (a
    listener's batch form once). Contacts already there, refused moves, and contacts
    with a stage change after `at` are skipped; returns the history rows written."""
    at = at or timezone.now()
    locked = Contact.objects.select_for_update().filter(pk__in=list(reasons)).exclude(
        lifecycle_stage=to_stage).exclude(stage_changes__at__gt=at)
    rows = _movable(list(locked.values_list("id", "lifecycle_stage")), to_stage, cause, actor)
    changes = StageChange.objects.bulk_create(
        StageChange(contact_id=pk, from_stage=stage, to_stage=to_stage, at=at, cause=cause,
                    actor=actor if role_of(actor) else None, reason=reasons[pk][:500])
        for pk, stage in rows)
    _bulk_update_entered([pk for pk, _ in rows], to_stage, at)
    _announce_all(changes)
    publish_stage_changes(
        Contact.objects.select_related("scores").in_bulk([pk for pk, _ in rows]), changes)
    return changes


@transaction.atomic
def contact_recycle(
    *, contact: Contact, actor: Any, reason: str, at: datetime | None = None,
) -> StageChange:
    """Send an MQL or SQL back to `lead` with lead status `recycled` and a reason."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.lifecycle_stage not in RECYCLABLE:
        raise _refuse(
            f"lifecycle_stage: only an MQL or SQL can be recycled, not {contact.lifecycle_stage}",
            "lifecycle_stage",
        )
    if not reason.strip():
        raise _refuse("reason: recycling needs a reason", "reason")
    _check_actor(cause=Cause.RECYCLE, actor=actor, allowed=frozenset())
    at = at or timezone.now()
    _check_time(contact, at)
    change = record_entry(
        contact=contact, from_stage=contact.lifecycle_stage, to_stage=Stage.LEAD,
        cause=Cause.RECYCLE, actor=actor, reason=reason.strip(), at=at,
    )
    contact.lead_status = LeadStatus.RECYCLED
    contact.lead_status_reason = reason.strip()[:300]
    contact.save(update_fields=["lead_status", "lead_status_reason", "updated_at"])
    return change

"""Reads of the handoff: inboxes and assignments with their derived SLA state.

The first follow-up is derived from pipeline activities (the first call, email or
meeting on the contact at or after the assignment and, once it is closed, not after
the decision), so it is right whoever logged
the activity and whether or not any background process ran; `first_follow_up_at`
stored on the row, when set, wins. A breach is derived too: no follow-up by
`due_at`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Profile, Role
from smarketing.core.ordering import check_sort
from smarketing.core.roles import is_admin, is_manager, is_marketing, team_id_of
from smarketing.core.timeline import TimelineItem
from smarketing.handoff.models import Assignment, Outcome, RepAvailability
from smarketing.pipeline.models import Activity

FOLLOW_UP_KINDS = ("call", "email", "meeting")
NEVER = dt.datetime(9999, 12, 31, tzinfo=dt.UTC)


def _first_activity_at() -> Subquery:
    """The first call, email or meeting while the assignment was the rep's: at or after
    `assigned_at` and, once closed, not after `decided_at` (later ones belong to the next)."""
    first = (
        Activity.objects.filter(
            contact=OuterRef("contact_id"),
            kind__in=FOLLOW_UP_KINDS,
            at__gte=OuterRef("assigned_at"),
            at__lte=Coalesce(OuterRef("decided_at"), Value(NEVER, output_field=DateTimeField())),
        )
        .order_by("at")
        .values("at")[:1]
    )
    return Subquery(first, output_field=DateTimeField())


def with_sla_state(
    qs: QuerySet[Assignment], now: dt.datetime | None = None
) -> QuerySet[Assignment]:
    """Annotate follow_up_at, followed_up_in_time, breached and open_breach."""
    now = now or timezone.now()
    qs = qs.annotate(follow_up_at=Coalesce("first_follow_up_at", _first_activity_at()))
    return qs.annotate(
        followed_up_in_time=Case(
            When(follow_up_at__lte=F("due_at"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        breached=Case(
            When(follow_up_at__gt=F("due_at"), then=Value(True)),
            When(Q(follow_up_at__isnull=True) & Q(due_at__lt=now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        open_breach=Case(
            When(
                Q(follow_up_at__isnull=True, due_at__lt=now, outcome=Outcome.OPEN), then=Value(True)
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def assignments_visible_to(user: Any) -> QuerySet[Assignment]:
    qs = Assignment.objects.select_related("contact", "rep", "reason", "decided_by")
    if is_admin(user) or is_marketing(user):
        return qs
    if is_manager(user):
        return qs.filter(Q(rep=user) | Q(rep__profile__team_id=team_id_of(user)))
    return qs.filter(rep=user)


def inbox(user: Any, now: dt.datetime | None = None) -> QuerySet[Assignment]:
    """The user's open MQLs, nearest deadline first."""
    qs = Assignment.objects.filter(rep=user, outcome=Outcome.OPEN)
    qs = qs.select_related("contact", "contact__company", "contact__scores")
    return with_sla_state(qs, now).order_by("due_at", "id")


# the assignment list's `sort` values and their ORDER BY (id last: a stable page order)
ASSIGNMENT_SORTS: dict[str, tuple[Any, ...]] = {
    f"{sign}{name}": (f"{sign}{name}", f"{sign}id")
    for name in ("due_at", "assigned_at") for sign in ("", "-")
}
# open assignments (no decided_at) last either way, on SQLite as on PostgreSQL
ASSIGNMENT_SORTS["decided_at"] = (F("decided_at").asc(nulls_last=True), "id")
ASSIGNMENT_SORTS["-decided_at"] = (F("decided_at").desc(nulls_last=True), "-id")


def assignment_list(
    user: Any, *, outcome: str = "", rep_id: int | None = None, now: dt.datetime | None = None,
    contact_id: int | None = None, team_id: int | None = None, sort: str = "due_at",
) -> QuerySet[Assignment]:
    order = check_sort(sort, ASSIGNMENT_SORTS)
    qs = assignments_visible_to(user)
    if outcome:
        if outcome not in Outcome.values:
            raise ValidationFailed(f"outcome: use one of {', '.join(Outcome.values)}",
                                   field="outcome")
        qs = qs.filter(outcome=outcome)
    for name, value in (("rep_id", rep_id), ("contact_id", contact_id), ("team_id", team_id)):
        if value:
            qs = qs.filter(**{name: value})
    return with_sla_state(qs, now).order_by(*order)


def assignments_for_timeline(
    contact_id: int, before: dt.datetime | None, limit: int
) -> list[TimelineItem]:
    """Assignments and decisions on the contact's timeline."""
    items: list[TimelineItem] = []
    qs = Assignment.objects.filter(contact_id=contact_id).select_related(
        "rep", "decided_by", "reason"
    )
    for row in qs.order_by("-assigned_at")[: limit * 2]:
        items.append(
            TimelineItem(
                at=row.assigned_at,
                kind="assignment",
                title=f"Assigned to {row.rep.username}",
                detail=f"{row.get_routed_by_display()}; due {row.due_at:%Y-%m-%d %H:%M} UTC",
                data={"assignment_id": row.pk},
            )
        )
        if row.decided_at and row.outcome != Outcome.REASSIGNED:
            items.append(_decision_item(row))
    items = [item for item in items if before is None or item.at < before]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def _decision_item(row: Assignment) -> TimelineItem:
    assert row.decided_at is not None
    detail = row.reason.label if row.reason else ""
    if row.note:
        detail = f"{detail}: {row.note}" if detail else row.note
    return TimelineItem(
        at=row.decided_at,
        kind="decision",
        title=f"MQL {row.get_outcome_display().lower()}",
        detail=detail,
        actor=row.decided_by.username if row.decided_by else "",
        data={"assignment_id": row.pk, "outcome": row.outcome},
    )


def recent_activities(contact_ids: list[int], per_contact: int = 3) -> dict[int, list[Activity]]:
    """The latest few activities of each contact (for the inbox rows)."""
    result: dict[int, list[Activity]] = {cid: [] for cid in contact_ids}
    rows = Activity.objects.filter(contact_id__in=contact_ids).order_by("-at")[:500]
    for activity in rows:
        bucket = result[activity.contact_id or 0] if activity.contact_id in result else None
        if bucket is not None and len(bucket) < per_contact:
            bucket.append(activity)
    return result


# ties by the user, the same way; a rep never marked away or back has no changed_at: last
AVAILABILITY_SORTS: dict[str, tuple[Any, ...]] = {
    "username": ("user__username", "user_id"), "-username": ("-user__username", "-user_id"),
    "capacity": ("capacity", "user_id"), "-capacity": ("-capacity", "-user_id"),
    "is_away": ("is_away", "user__username", "user_id"),
    "-is_away": ("-is_away", "user__username", "user_id"),
    "changed_at": (F("changed_at").asc(nulls_last=True), "user_id"),
    "-changed_at": (F("changed_at").desc(nulls_last=True), "-user_id"),
}


def rep_availability(
    *, team_id: int | None = None, user_id: int | None = None, is_away: bool | None = None,
    sort: str = "username",
) -> QuerySet[Profile]:
    """Active sales reps (what routing picks from) with `is_away`, `away_since` (when
    the flag last changed) and capacity; in `sort` order (default: by username)."""
    away = RepAvailability.objects.filter(user_id=OuterRef("user_id"))
    qs = Profile.objects.filter(role=Role.SALES_REP, user__is_active=True).annotate(
        is_away=Coalesce(Subquery(away.values("is_away")[:1]), Value(False)),
        changed_at=Subquery(away.values("updated_at")[:1]),
    )
    for name, value in (("team_id", team_id), ("user_id", user_id), ("is_away", is_away)):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs.select_related("user").order_by(*check_sort(sort, AVAILABILITY_SORTS))

"""Writes of the handoff's settings pages: rule order, reps' routing settings,
the managed list of rejection reasons and working calendars.

(SLA versions and routing rules themselves are saved by services.sla_publish and
services.routing_rule_save; who may do what is in permissions.py.)
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import Max

from smarketing.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from smarketing.core.models import Profile, Role
from smarketing.handoff import permissions
from smarketing.handoff.business_hours import CalendarSpec
from smarketing.handoff.models import (
    SLA,
    Holiday,
    RejectionReason,
    RepAvailability,
    RoutingRule,
    WorkingCalendar,
)

MAX_CAPACITY = 1000
CODE = re.compile(r"^[a-z0-9_]{1,40}$")


@transaction.atomic
def routing_rule_move(*, actor: Any, rule: RoutingRule, direction: str) -> RoutingRule:
    """Swap the rule with its neighbour above ("up") or below ("down") in the order."""
    if direction not in ("up", "down"):
        raise ValidationFailed("direction: up or down", field="direction")
    rules = RoutingRule.objects.select_for_update().order_by("position")
    ordered = list(rules)
    index = next(i for i, r in enumerate(ordered) if r.pk == rule.pk)
    other_index = index - 1 if direction == "up" else index + 1
    if not 0 <= other_index < len(ordered):
        raise ValidationFailed(f"direction: the rule is already {direction} there",
                               field="direction")
    mine, other = ordered[index], ordered[other_index]
    for team_id in (mine.team_id, other.team_id):
        if not permissions.can_edit_rule(actor, team_id):
            raise PermissionDenied("Only admins reorder rules of other teams", field="direction")
    top = RoutingRule.objects.aggregate(top=Max("position"))["top"] or 0
    first, second = mine.position, other.position
    RoutingRule.objects.filter(pk=mine.pk).update(position=top + 1)  # free the slot
    RoutingRule.objects.filter(pk=other.pk).update(position=first)
    RoutingRule.objects.filter(pk=mine.pk).update(position=second)
    mine.refresh_from_db()
    return mine


@transaction.atomic
def rep_routing_set(
    *, actor: Any, user: Any, capacity: int | None = None, is_away: bool | None = None
) -> dict[str, Any]:
    """A sales rep's capacity (open MQLs at once; their manager or an admin) and
    away flag (also the rep): what routing reads."""
    profile = Profile.objects.filter(user=user, role=Role.SALES_REP).first()
    if profile is None:
        raise ValidationFailed("user_id: not a sales rep", field="user_id")
    if capacity is not None:
        if not permissions.can_set_capacity(actor, user.pk):
            raise PermissionDenied("Only the rep's manager or an admin", field="capacity")
        if not 0 <= capacity <= MAX_CAPACITY:
            raise ValidationFailed(f"capacity: 0 to {MAX_CAPACITY}", field="capacity")
        Profile.objects.filter(pk=profile.pk).update(capacity=capacity)
    if is_away is not None:
        if not permissions.can_set_away(actor, user.pk):
            raise PermissionDenied("Only the rep, their manager or an admin", field="is_away")
        RepAvailability.objects.update_or_create(user=user, defaults={"is_away": is_away})
    profile.refresh_from_db()
    away = RepAvailability.objects.filter(user=user, is_away=True).exists()
    return {"user_id": user.pk, "capacity": profile.capacity, "is_away": away}


@transaction.atomic
def reason_save(
    *, actor: Any, reason: RejectionReason | None = None, code: str = "", label: str = "",
    needs_note: bool = False, is_active: bool = True, position: int | None = None,
) -> RejectionReason:
    """Add (reason=None) or change a rejection reason of the managed list (admins).
    A code is kept once used (decisions refer to it): retire a reason instead."""
    permissions.check_configure(actor)
    if reason is None:
        if not CODE.match(code):
            raise ValidationFailed("code: lowercase letters, digits and _ (40 at most)",
                                   field="code")
        if RejectionReason.objects.filter(code=code).exists():
            raise ValidationFailed(f"code: {code!r} exists already", field="code")
        top = RejectionReason.objects.aggregate(top=Max("position"))["top"] or 0
        reason = RejectionReason(code=code, position=top + 1)
    if not label.strip():
        raise ValidationFailed("label: a reason needs a label", field="label")
    reason.label, reason.needs_note, reason.is_active = label.strip()[:100], needs_note, is_active
    if position is not None:
        reason.position = max(0, position)
    reason.save()
    return reason


def _spec(values: dict[str, Any]) -> CalendarSpec:
    try:
        ZoneInfo(values["time_zone"])
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationFailed(
            f"time_zone: {values['time_zone']!r} is not a time zone", field="time_zone"
        ) from None
    try:
        return CalendarSpec(
            time_zone=values["time_zone"], working_days=frozenset(values["working_days"]),
            start=values["day_start"], end=values["day_end"],
        )
    except ValueError as exc:
        field = "working_days" if "working_days" in str(exc) else "day_end"
        raise ValidationFailed(str(exc), field=field) from None


@transaction.atomic
def calendar_save(
    *, actor: Any, calendar: WorkingCalendar | None = None, name: str, time_zone: str,
    working_days: list[int], day_start: dt.time, day_end: dt.time,
    holidays: list[tuple[dt.date, str]],
) -> WorkingCalendar:
    """Create or change a working calendar (admins); holidays are replaced as given."""
    permissions.check_configure(actor)
    values = {"time_zone": time_zone, "working_days": sorted(set(working_days)),
              "day_start": day_start, "day_end": day_end}
    _spec(values)
    if not name.strip():
        raise ValidationFailed("name: a calendar needs a name", field="name")
    clash = WorkingCalendar.objects.filter(name=name.strip())
    if calendar is not None:
        clash = clash.exclude(pk=calendar.pk)
    if clash.exists():
        raise ValidationFailed(f"name: a calendar {name!r} exists already", field="name")
    calendar = calendar or WorkingCalendar()
    calendar.name = name.strip()
    for key, value in values.items():
        setattr(calendar, key, value)
    calendar.save()
    calendar.holidays.all().delete()
    Holiday.objects.bulk_create(
        Holiday(calendar=calendar, date=day, name=label[:100])
        for day, label in dict(holidays).items()
    )
    return calendar


@transaction.atomic
def calendar_delete(*, actor: Any, calendar: WorkingCalendar) -> None:
    """Remove a calendar (admins) that no SLA version counts its hours with."""
    permissions.check_configure(actor)
    versions = list(SLA.objects.filter(calendar=calendar).order_by("version")
                    .values_list("version", flat=True))
    if versions:
        named = ", ".join(f"v{v}" for v in versions)
        raise Conflict(f"calendar: SLA versions {named} count business hours with "
                       f"{calendar.name!r}", field="calendar")
    calendar.delete()


@transaction.atomic
def holiday_delete(*, actor: Any, calendar: WorkingCalendar, day: dt.date) -> None:
    """Remove one holiday of a calendar (admins): the day is a working day again."""
    permissions.check_configure(actor)
    deleted, _ = calendar.holidays.filter(date=day).delete()
    if not deleted:
        raise NotFound(f"date: {calendar.name!r} has no holiday on {day}", field="date")

"""Reads behind the handoff settings' lists (SLA versions, routing rules, rejection
reasons, working calendars): each filtered and ordered by a whitelisted `sort`
(core.ordering.check_sort); the API pages them."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Region
from smarketing.core.ordering import both_ways, check_sort, matching
from smarketing.handoff.models import (
    SLA,
    RejectionReason,
    RoutingRule,
    SlaPeriod,
    WorkingCalendar,
)

SLA_SORTS = both_ways("version", "mql_target", "follow_up_hours")
RULE_SORTS = both_ways("position", "name", "created_at")  # `position`: the order tried
REASON_SORTS = both_ways("position", "code", "label")
CALENDAR_SORTS = both_ways("name", "created_at")


def _choice(field: str, value: str, choices: list[str]) -> str:
    if value and value not in choices:
        raise ValidationFailed(f"{field}: use one of {', '.join(choices)}", field=field)
    return value


def sla_list(
    *, is_active: bool | None = None, period: str = "", segment_region: str = "",
    segment_team_id: int | None = None, calendar_id: int | None = None, sort: str = "-version",
) -> QuerySet[SLA]:
    """SLA versions (newest first by default): the active one or the history, by
    period, segment (region, team) and calendar."""
    qs = SLA.objects.order_by(*check_sort(sort, SLA_SORTS))
    return matching(
        qs, is_active=is_active, period=_choice("period", period, SlaPeriod.values) or None,
        segment_region=_choice("segment_region", segment_region, Region.values) or None,
        segment_team_id=segment_team_id, calendar_id=calendar_id,
    )


def rule_list(
    *, team_id: int | None = None, is_active: bool | None = None,
    fallback_owner_id: int | None = None, q: str = "", sort: str = "position",
) -> QuerySet[RoutingRule]:
    """Routing rules in the order routing tries them (by default), of a team, active or
    not, with a fallback owner, whose name contains `q` (any case)."""
    qs = RoutingRule.objects.order_by(*check_sort(sort, RULE_SORTS))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return matching(qs, team_id=team_id, is_active=is_active,
                    fallback_owner_id=fallback_owner_id)


def reason_list(
    *, is_active: bool | None = None, include_retired: bool = False,
    needs_note: bool | None = None, q: str = "", sort: str = "position",
) -> QuerySet[RejectionReason]:
    """Rejection reasons: the active ones unless `include_retired` or `is_active` says
    otherwise (`is_active=false`: only the retired), those needing a note, whose code or
    label contains `q` (any case)."""
    if is_active is None and not include_retired:
        is_active = True
    qs = RejectionReason.objects.order_by(*check_sort(sort, REASON_SORTS))
    if q.strip():
        qs = qs.filter(Q(code__icontains=q.strip()) | Q(label__icontains=q.strip()))
    return matching(qs, is_active=is_active, needs_note=needs_note)


def calendar_list(
    *, q: str = "", time_zone: str = "", sort: str = "name"
) -> QuerySet[WorkingCalendar]:
    """Working calendars with their holidays, whose name contains `q` (any case), in
    one time zone."""
    qs = WorkingCalendar.objects.prefetch_related("holidays")
    qs = qs.order_by(*check_sort(sort, CALENDAR_SORTS))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return matching(qs, time_zone=time_zone or None)

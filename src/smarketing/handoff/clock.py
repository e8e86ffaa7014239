"""The SLA clock: the active SLA's deadlines for an assignment made at a moment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from smarketing.handoff.business_hours import CalendarSpec, add_business_hours
from smarketing.handoff.models import SLA

DEFAULT_FOLLOW_UP_HOURS = Decimal(24)
DEFAULT_WARNING_SHARE = Decimal("0.75")


def active_sla() -> SLA | None:
    return SLA.objects.filter(is_active=True).select_related("calendar").first()


def calendar_of(sla: SLA | None) -> CalendarSpec | None:
    return sla.calendar.spec() if sla is not None and sla.calendar is not None else None


def deadlines(at: dt.datetime) -> tuple[SLA | None, dt.datetime, dt.datetime]:
    """(sla, due_at, warn_at) of an assignment made at `at` (24 h / 75 % without an SLA)."""
    sla = active_sla()
    hours = sla.follow_up_hours if sla else DEFAULT_FOLLOW_UP_HOURS
    share = sla.warning_share if sla else DEFAULT_WARNING_SHARE
    spec = calendar_of(sla)
    due_at = add_business_hours(at, float(hours), spec)
    warn_at = add_business_hours(at, float(hours * share), spec)
    return sla, due_at, warn_at

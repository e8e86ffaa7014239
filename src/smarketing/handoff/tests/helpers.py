"""Helpers for handoff tests: rules, SLAs and MQLs built through the real services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from smarketing.core.models import Team
from smarketing.handoff.models import SLA, RoutingRule, WorkingCalendar
from smarketing.handoff.reasons import ensure_default_reasons
from smarketing.people.lifecycle import contact_transition
from smarketing.people.models import Cause, Contact, Stage
from smarketing.testing.factories import make_contact


def make_rule(team: Team, position: int = 1, **fields: Any) -> RoutingRule:
    ensure_default_reasons()  # transactional tests flush the migration-seeded reasons
    fields.setdefault("name", f"Rule {position}")
    return RoutingRule.objects.create(team=team, position=position, **fields)


def make_sla(
    *,
    version: int = 1,
    follow_up_hours: Any = 8,
    warning_share: Any = "0.75",
    calendar: WorkingCalendar | None = None,
    **fields: Any,
) -> SLA:
    fields.setdefault("mql_target", 100)
    fields.setdefault("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC))  # in force since
    SLA.objects.filter(is_active=True).update(is_active=False)
    return SLA.objects.create(
        version=version,
        is_active=True,
        follow_up_hours=Decimal(str(follow_up_hours)),
        warning_share=Decimal(str(warning_share)),
        calendar=calendar,
        **fields,
    )


def make_mql(*, at: dt.datetime | None = None, **fields: Any) -> Contact:
    """A lead that scoring turns into an MQL (the lifecycle listener routes it on commit)."""
    contact = make_contact(Stage.LEAD, at=at, **fields)
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING, at=at)
    contact.refresh_from_db()
    return contact

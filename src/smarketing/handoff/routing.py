"""Routing a new MQL to a rep, once.

Order: the company's owner (account-based) when available; else the first active
routing rule whose conditions hold picks a team, and a smooth weighted round-robin
over the team's available reps (weight = capacity; skipping reps who are away or
hold `capacity` open MQLs) picks the rep; else the rule's fallback owner. No
matching rule (or nobody available and no fallback): the MQL stays unassigned and
is listed as unrouted. Routing is idempotent: an MQL entry is routed at most once
(unique `mql_change`), and a contact never holds two open assignments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from smarketing.core.jobs import enqueue
from smarketing.core.models import Role, Team
from smarketing.handoff.clock import deadlines
from smarketing.handoff.models import (
    Assignment,
    Outcome,
    RepAvailability,
    RoutedBy,
    RoutingCredit,
    RoutingRule,
)
from smarketing.handoff.notify import notify
from smarketing.people.models import Contact, Stage

LIST_CONDITIONS = {
    "region": lambda c: c.company.region if c.company else "",
    "country": lambda c: c.company.country if c.company else "",
    "industry": lambda c: c.company.industry if c.company else "",
    "source": lambda c: c.original_source,
}
CONDITION_KEYS = frozenset({*LIST_CONDITIONS, "company_size_min", "company_size_max", "properties"})


@dataclass(frozen=True)
class RouteChoice:
    rep: Any
    routed_by: str
    team: Team | None = None
    rule: RoutingRule | None = None


def _lower(values: Any) -> set[str]:
    return {str(v).strip().lower() for v in (values or [])}


def _size_ok(contact: Contact, conditions: dict[str, Any]) -> bool:
    low, high = conditions.get("company_size_min"), conditions.get("company_size_max")
    if low is None and high is None:
        return True
    size = contact.company.employee_count if contact.company else None
    if size is None:
        return False
    return (low is None or size >= low) and (high is None or size <= high)


def _property_of(contact: Contact, key: str) -> Any:
    if key in contact.properties:
        return contact.properties[key]
    return contact.company.properties.get(key) if contact.company else None


def _properties_ok(contact: Contact, wanted: dict[str, Any] | None) -> bool:
    return all(
        str(_property_of(contact, key)).lower() in _lower(values)
        for key, values in (wanted or {}).items()
    )


def rule_matches(rule: RoutingRule, contact: Contact) -> bool:
    conditions = rule.conditions or {}
    for key, value_of in LIST_CONDITIONS.items():
        if key in conditions and str(value_of(contact)).lower() not in _lower(conditions[key]):
            return False
    return _size_ok(contact, conditions) and _properties_ok(contact, conditions.get("properties"))


def matching_rule(contact: Contact) -> RoutingRule | None:
    for rule in RoutingRule.objects.filter(is_active=True).select_related("team", "fallback_owner"):
        if rule_matches(rule, contact):
            return rule
    return None


def is_away(user: Any) -> bool:
    return RepAvailability.objects.filter(user=user, is_away=True).exists()


def available_reps(team: Team) -> list[tuple[User, int]]:
    """(rep, capacity) of the team's active reps who are not away and not full."""
    reps = (
        User.objects.filter(
            is_active=True,
            profile__team=team,
            profile__role=Role.SALES_REP,
            profile__capacity__gt=0,
        )
        .exclude(availability__is_away=True)
        .annotate(open_count=Count("assignments", filter=Q(assignments__outcome=Outcome.OPEN)))
        .select_related("profile")
        .order_by("id")
    )
    return [(rep, rep.profile.capacity) for rep in reps if rep.open_count < rep.profile.capacity]


def _locked_credits(team: Team, reps: list[User]) -> dict[int, RoutingCredit]:
    rows = RoutingCredit.objects.select_for_update().filter(team=team, rep__in=reps)
    credits = {row.rep_id: row for row in rows}
    missing = [RoutingCredit(team=team, rep=rep) for rep in reps if rep.pk not in credits]
    if missing:
        RoutingCredit.objects.bulk_create(missing, ignore_conflicts=True)
        rows = RoutingCredit.objects.select_for_update().filter(team=team, rep__in=reps)
        credits = {row.rep_id: row for row in rows}
    return credits


def round_robin(team: Team) -> User | None:
    """Smooth weighted round-robin over the available reps (locks the team's credits)."""
    candidates = available_reps(team)
    if not candidates:
        return None
    credits = _locked_credits(team, [rep for rep, _ in candidates])
    for rep, weight in candidates:
        credits[rep.pk].credit += weight
    chosen = max(candidates, key=lambda pair: (credits[pair[0].pk].credit, -pair[0].pk))[0]
    credits[chosen.pk].credit -= sum(weight for _, weight in candidates)
    RoutingCredit.objects.bulk_update(list(credits.values()), ["credit"])
    return chosen


def _account_owner(contact: Contact) -> Any:
    owner = contact.company.owner if contact.company else None
    if owner is None or not owner.is_active or is_away(owner):
        return None
    return owner


def choose_rep(contact: Contact) -> RouteChoice | None:
    owner = _account_owner(contact)
    if owner is not None:
        return RouteChoice(rep=owner, routed_by=RoutedBy.ACCOUNT_OWNER)
    rule = matching_rule(contact)
    if rule is None:
        return None
    rep = round_robin(rule.team)
    if rep is not None:
        return RouteChoice(rep=rep, routed_by=RoutedBy.RULE, team=rule.team, rule=rule)
    if rule.fallback_owner is not None:
        return RouteChoice(rep=rule.fallback_owner, routed_by=RoutedBy.FALLBACK, rule=rule)
    return None


def create_assignment(
    *, contact: Contact, choice: RouteChoice, at: dt.datetime, mql_change_id: int | None = None
) -> Assignment:
    sla, due_at, warn_at = deadlines(at)
    team = choice.team or getattr(getattr(choice.rep, "profile", None), "team", None)
    assignment = Assignment.objects.create(
        contact=contact,
        rep=choice.rep,
        team=team,
        rule=choice.rule,
        routed_by=choice.routed_by,
        mql_change_id=mql_change_id,
        sla=sla,
        assigned_at=at,
        due_at=due_at,
        warn_at=warn_at,
    )
    Contact.objects.filter(pk=contact.pk).update(owner=choice.rep, updated_at=at)
    notify("mql.assigned", assignment)
    return assignment


def _already_routed(contact: Contact, mql_change_id: int | None) -> bool:
    if mql_change_id and Assignment.objects.filter(mql_change_id=mql_change_id).exists():
        return True
    return Assignment.objects.filter(contact=contact, outcome=Outcome.OPEN).exists()


def route_mql(
    *, contact_id: int, mql_change_id: int | None = None, at: dt.datetime | None = None
) -> Assignment | None:
    """Assign an MQL to a rep; None when it is not an MQL, already routed, or unroutable."""
    try:
        with transaction.atomic():
            contact = (
                Contact.objects.select_for_update(of=("self",))
                .select_related("company__owner")
                .get(pk=contact_id)
            )
            if contact.lifecycle_stage != Stage.MQL or _already_routed(contact, mql_change_id):
                return None
            choice = choose_rep(contact)
            if choice is None:
                return None
            return create_assignment(
                contact=contact, choice=choice, at=at or timezone.now(), mql_change_id=mql_change_id
            )
    except IntegrityError:  # a concurrent router won the unique constraint
        return None


def on_stage_entered(contact_id: int, stage: str, stage_change_id: int) -> None:
    """The lifecycle listener: route contacts that just became MQL."""
    if stage == Stage.MQL:
        route_mql(contact_id=contact_id, mql_change_id=stage_change_id)


ROUTE_JOB = "handoff.route_mqls"
ROUTE_JOB_SIZE = 500  # MQLs a job: each job stays well inside the worker's lease


def on_stages_entered(changes: list[tuple[int, str, int]]) -> None:
    """The listener's batch form, for a bulk move (a rescore qualifying thousands of
    MQLs at once): jobs route the new MQLs in order after the commit, so the mover
    does not wait for routing; each is routed by route_mql, one by one, as above
    (the round-robin credits move per MQL: that is what keeps it fair)."""
    pairs = [[contact_id, change_id] for contact_id, stage, change_id in changes
             if stage == Stage.MQL]
    for start in range(0, len(pairs), ROUTE_JOB_SIZE):
        enqueue(ROUTE_JOB, {"mqls": pairs[start : start + ROUTE_JOB_SIZE]})


def run_route_job(payload: dict[str, Any]) -> None:
    """Job handler: route the MQLs of a bulk move (already routed ones are skipped)."""
    for contact_id, change_id in payload["mqls"]:
        route_mql(contact_id=int(contact_id), mql_change_id=int(change_id))


def unrouted_mqls() -> Any:
    return Contact.objects.filter(lifecycle_stage=Stage.MQL).exclude(
        assignments__outcome=Outcome.OPEN
    )

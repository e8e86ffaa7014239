"""A new MQL goes to one rep: account owner, rules, weighted round-robin, fallback."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pytest
import time_machine

from smarketing.core.models import Role
from smarketing.handoff.models import Assignment, Outcome, RepAvailability, RoutedBy
from smarketing.handoff.routing import route_mql, unrouted_mqls
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.people.models import Contact, Stage
from smarketing.testing.factories import make_company, make_team, make_user

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def _mqls(count: int) -> list[Contact]:
    Contact.objects.bulk_create(
        Contact(email=f"bulk{i}@example.com", lifecycle_stage=Stage.MQL) for i in range(count)
    )
    return list(Contact.objects.filter(email__startswith="bulk").order_by("id"))


def test_a_contact_becoming_mql_is_routed_after_commit(
    users: dict[str, Any], team: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_rule(team)
    with django_capture_on_commit_callbacks(execute=True):
        contact = make_mql()
    assignment = Assignment.objects.get(contact=contact)
    assert assignment.rep in (users["rep"], users["rep_b"])
    assert assignment.routed_by == RoutedBy.RULE
    assert assignment.mql_change is not None
    contact.refresh_from_db()
    assert contact.owner == assignment.rep


def test_routing_is_idempotent_when_the_event_is_sent_again(
    users: dict[str, Any], team: Any
) -> None:
    make_rule(team)
    contact = make_mql()
    change_id = contact.stage_changes.get(to_stage=Stage.MQL).pk
    first = route_mql(contact_id=contact.pk, mql_change_id=change_id)
    assert first is not None
    assert route_mql(contact_id=contact.pk, mql_change_id=change_id) is None
    assert route_mql(contact_id=contact.pk) is None
    assert Assignment.objects.filter(contact=contact).count() == 1


def test_only_mqls_are_routed(users: dict[str, Any], team: Any) -> None:
    make_rule(team)
    lead = Contact.objects.create(email="lead@example.com", lifecycle_stage=Stage.LEAD)
    assert route_mql(contact_id=lead.pk) is None


def test_a_company_with_an_owner_gets_its_mqls(users: dict[str, Any], team: Any) -> None:
    make_rule(team)
    company = make_company(owner=users["rep_other"])
    contact = make_mql(company=company)
    assignment = route_mql(contact_id=contact.pk)
    assert assignment is not None
    assert (assignment.rep, assignment.routed_by) == (users["rep_other"], RoutedBy.ACCOUNT_OWNER)


def test_the_first_rule_whose_conditions_all_hold_picks_the_team(users: dict[str, Any]) -> None:
    west = users["rep_other"].profile.team
    east = users["rep"].profile.team
    make_rule(west, 1, conditions={"region": ["EMEA"], "company_size_min": 200})
    make_rule(east, 2, conditions={})
    big_emea = make_company(region="EMEA", employee_count=500)
    small_emea = make_company(region="EMEA", employee_count=20)
    assert route_mql(contact_id=make_mql(company=big_emea).pk).rep == users["rep_other"]
    assert route_mql(contact_id=make_mql(company=small_emea).pk).team == east


@pytest.mark.parametrize(
    ("conditions", "matches"),
    [
        ({"country": ["de", "FR"]}, True),
        ({"country": ["US"]}, False),
        ({"industry": ["Software"]}, True),
        ({"source": ["paid_search"]}, True),
        ({"source": ["event"]}, False),
        ({"company_size_max": 50}, False),
        ({"properties": {"plan_interest": ["enterprise"]}}, True),
        ({"properties": {"plan_interest": ["starter"]}}, False),
    ],
)
def test_each_condition_kind_is_checked(
    users: dict[str, Any], conditions: dict[str, Any], matches: bool
) -> None:
    make_rule(users["rep_other"].profile.team, 1, conditions=conditions)
    company = make_company(country="FR", industry="software", employee_count=300)
    contact = make_mql(company=company, original_source="paid_search")
    Contact.objects.filter(pk=contact.pk).update(properties={"plan_interest": "Enterprise"})
    assert (route_mql(contact_id=contact.pk) is not None) is matches


def test_reps_who_are_away_or_full_are_skipped_then_the_fallback_owner_gets_it(
    users: dict[str, Any], team: Any
) -> None:
    make_rule(team, fallback_owner=users["manager"])
    RepAvailability.objects.create(user=users["rep"], is_away=True)
    profile = users["rep_b"].profile
    profile.capacity = 1
    profile.save()
    assert route_mql(contact_id=make_mql().pk).rep == users["rep_b"]
    fallback = route_mql(contact_id=make_mql().pk)
    assert (fallback.rep, fallback.routed_by) == (users["manager"], RoutedBy.FALLBACK)


def test_an_mql_no_rule_matches_stays_unrouted(users: dict[str, Any], team: Any) -> None:
    make_rule(team, conditions={"region": ["APAC"]})
    contact = make_mql()
    assert route_mql(contact_id=contact.pk) is None
    assert list(unrouted_mqls()) == [contact]


def test_the_deadline_follows_the_active_sla_in_frozen_time(
    users: dict[str, Any], team: Any
) -> None:
    make_rule(team)
    make_sla(follow_up_hours=4, warning_share="0.5")
    with time_machine.travel(dt.datetime(2026, 3, 4, 10, 0, tzinfo=UTC), tick=False):
        assignment = route_mql(contact_id=make_mql().pk)
    assert assignment.due_at == dt.datetime(2026, 3, 4, 14, 0, tzinfo=UTC)
    assert assignment.warn_at == dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def test_equal_capacities_share_1000_mqls_within_one_of_the_mean(users: dict[str, Any]) -> None:
    team = make_team("Fair", "NA")
    reps = [make_user(Role.SALES_REP, team=team, capacity=1000) for _ in range(7)]
    make_rule(team)
    for contact in _mqls(1000):
        route_mql(contact_id=contact.pk)
    counts = Counter(Assignment.objects.values_list("rep_id", flat=True))
    mean = 1000 / len(reps)
    assert sorted(counts) == sorted(rep.pk for rep in reps)
    assert all(abs(count - mean) <= 1 for count in counts.values()), counts


def test_weighted_capacities_get_proportional_shares(users: dict[str, Any]) -> None:
    team = make_team("Weighted", "NA")
    reps = [make_user(Role.SALES_REP, team=team, capacity=c) for c in (1000, 2000, 3000)]
    make_rule(team)
    for contact in _mqls(600):
        route_mql(contact_id=contact.pk)
    counts = Counter(Assignment.objects.values_list("rep_id", flat=True))
    assert [counts[rep.pk] for rep in reps] == [100, 200, 300]
    assert Assignment.objects.filter(outcome=Outcome.OPEN).count() == 600

"""The generated handoff agrees with the contacts' histories and the SLA clock."""

from __future__ import annotations

import datetime as dt

import pytest

from smarketing.core.periods import Period
from smarketing.handoff.models import SLA, Assignment, Outcome, RoutingRule
from smarketing.handoff.scorecard import scorecard
from smarketing.people.generate import GenerateOptions, clear_people_data, generate
from smarketing.people.models import Stage, StageChange

END = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def generated() -> list[str]:
    return generate(GenerateOptions(contacts=800, seed=5, end=END)).extra


def test_every_mql_entry_is_assigned_once_and_decided_by_the_next_stage_change(
    generated: list[str],
) -> None:
    entries = StageChange.objects.filter(to_stage=Stage.MQL)
    assert Assignment.objects.count() == entries.count() > 20
    for row in Assignment.objects.select_related("contact", "mql_change", "reason"):
        assert row.assigned_at == row.mql_change.at
        after = StageChange.objects.filter(contact=row.contact, at__gte=row.assigned_at).exclude(
            pk=row.mql_change_id).order_by("at", "id").first()
        if row.outcome == Outcome.REJECTED:
            assert after.to_stage == Stage.LEAD and row.reason is not None
        elif row.outcome == Outcome.ACCEPTED:
            assert after.to_stage == Stage.SQL
        else:
            assert row.contact.lifecycle_stage == Stage.MQL and after is None
        assert row.first_follow_up_at is None or row.first_follow_up_at <= (
            row.decided_at or END)
    assert any(line.startswith("Handoff:") for line in generated)


def test_the_demo_has_an_active_sla_rules_and_a_scorecard_with_both_sides(
    generated: list[str],
) -> None:
    active = SLA.objects.get(is_active=True)
    assert (active.version, SLA.objects.count(), active.calendar is not None) == (2, 2, True)
    assert RoutingRule.objects.filter(conditions={}).count() == 1  # the catch-all
    card = scorecard(Period(dt.date(2025, 12, 1), dt.date(2026, 3, 1)), now=END)
    assert card["marketing"]["mql_target"] is not None and card["marketing"]["mqls"] > 0
    sales, decisions = card["sales"], card["decisions"]
    assert 0.5 < sales["follow_up_compliance"] < 1 and sales["sla_breaches"] > 0
    assert sales["median_response_hours"] < sales["median_response_elapsed_hours"]
    assert 0 < decisions["mql_acceptance_rate"] < 1
    assert decisions["rejection_reasons"]["by_campaign"]


def test_the_same_seed_gives_the_same_assignments() -> None:
    def snapshot() -> list[tuple[object, ...]]:
        return list(Assignment.objects.order_by("mql_change__at", "contact__email").values_list(
            "contact__email", "rep__username", "outcome", "due_at", "first_follow_up_at"))

    generate(GenerateOptions(contacts=300, seed=9, end=END))
    first = snapshot()
    clear_people_data()
    generate(GenerateOptions(contacts=300, seed=9, end=END))
    assert snapshot() == first

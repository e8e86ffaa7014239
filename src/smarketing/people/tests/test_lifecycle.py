from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from smarketing.core.errors import TransitionRefused
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import Cause, LeadStatus, Stage, StageChange
from smarketing.testing.factories import make_contact

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def test_it_moves_a_lead_to_mql_by_scoring_and_records_history() -> None:
    with time_machine.travel(T0, tick=False):
        contact = make_contact(Stage.LEAD)
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        change = contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    contact.refresh_from_db()
    assert change is not None and change.from_stage == Stage.LEAD
    assert contact.lifecycle_stage == Stage.MQL
    assert contact.became_mql_at == T0 + dt.timedelta(days=3)
    assert contact.became_lead_at == T0


def test_it_applies_the_monotone_rule_when_entering_straight_at_sql() -> None:
    contact = make_contact(Stage.SQL, at=T0)
    assert contact.became_subscriber_at == contact.became_lead_at == T0
    assert contact.became_mql_at == contact.became_sql_at == T0
    assert contact.became_opportunity_at is None


def test_it_is_idempotent_for_the_same_stage() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    assert contact_transition(contact=contact, to_stage=Stage.LEAD, cause=Cause.TRACKING) is None
    assert StageChange.objects.filter(contact=contact).count() == 1


def test_it_refuses_a_backward_move_and_writes_nothing() -> None:
    contact = make_contact(Stage.SQL, at=T0)
    with pytest.raises(TransitionRefused) as err:
        contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    assert err.value.field == "to_stage"
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.SQL
    assert StageChange.objects.filter(contact=contact).count() == 1


def test_it_recycles_a_rejected_mql_keeping_first_reached_times() -> None:
    from smarketing.core.models import Role
    from smarketing.testing.factories import make_user

    rep = make_user(Role.SALES_REP)
    contact = make_contact(Stage.MQL, at=T0)
    contact_recycle(contact=contact, actor=rep, reason="No budget", at=T0 + dt.timedelta(hours=2))
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.LEAD
    assert contact.lead_status == LeadStatus.RECYCLED
    assert contact.became_mql_at == T0

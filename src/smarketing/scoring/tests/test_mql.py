"""MQL qualification: by threshold or hand-raise, through the lifecycle service,
once only, forward only, with a reason that names the score and the model version."""

from __future__ import annotations

from typing import Any

import time_machine

from smarketing.people.lifecycle import contact_recycle
from smarketing.people.models import Cause, Contact, Stage, StageChange
from smarketing.scoring.scoring import rescore_all, score_contacts
from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.testing.factories import make_contact

FORM = {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 40}
VP = {"field": "title", "operator": "contains", "value": "VP", "points": 32}


def mql_changes(contact: Contact) -> list[StageChange]:
    return list(StageChange.objects.filter(contact=contact, to_stage=Stage.MQL))


@time_machine.travel(NOW, tick=False)
def test_a_lead_over_the_threshold_becomes_an_mql_with_the_reason(users: Any) -> None:
    model = a_model(users["marketing"], threshold=60, fit=[VP], engagement=[FORM])
    lead = make_contact(title="VP Ops")
    event(lead, "track", "Form Submitted")
    score_contacts(contact_ids=[lead.pk])
    (change,) = mql_changes(lead)
    assert change.cause == Cause.SCORING
    assert change.reason == f"score 72 >= 60 (model v{model.version})"
    assert Contact.objects.get(pk=lead.pk).lifecycle_stage == Stage.MQL


@time_machine.travel(NOW, tick=False)
def test_a_hand_raise_qualifies_whatever_the_score(users: Any) -> None:
    a_model(users["marketing"], threshold=60, hand_raise_events=["Demo Requested"])
    subscriber = make_contact(Stage.SUBSCRIBER)
    event(subscriber, "track", "Demo Requested")
    rescore_all()
    (change,) = mql_changes(subscriber)
    assert change.reason == "hand-raise: Demo Requested"
    assert Contact.objects.get(pk=subscriber.pk).score == 0


@time_machine.travel(NOW, tick=False)
def test_a_lead_under_the_threshold_stays_a_lead(users: Any) -> None:
    a_model(users["marketing"], threshold=60, engagement=[FORM])
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    rescore_all()
    assert Contact.objects.get(pk=lead.pk).lifecycle_stage == Stage.LEAD
    assert mql_changes(lead) == []


@time_machine.travel(NOW, tick=False)
def test_qualification_happens_once_even_after_a_recycle(users: Any) -> None:
    a_model(users["marketing"], threshold=30, engagement=[FORM])
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    rescore_all()
    contact_recycle(contact=lead, actor=users["rep"], reason="no budget")
    event(lead, "track", "Form Submitted")
    rescore_all()
    score_contacts(contact_ids=[lead.pk])
    assert len(mql_changes(lead)) == 1
    assert Contact.objects.get(pk=lead.pk).lifecycle_stage == Stage.LEAD


@time_machine.travel(NOW, tick=False)
def test_scores_never_move_a_contact_backward_or_out_of_other(users: Any) -> None:
    a_model(users["marketing"], threshold=10, engagement=[FORM])
    sql = make_contact(Stage.SQL)
    other = make_contact(Stage.OTHER)
    for contact in (sql, other):
        event(contact, "track", "Form Submitted")
    rescore_all()
    assert Contact.objects.get(pk=sql.pk).lifecycle_stage == Stage.SQL
    assert Contact.objects.get(pk=other.pk).lifecycle_stage == Stage.OTHER
    assert Contact.objects.get(pk=sql.pk).score == 40


@time_machine.travel(NOW, tick=False)
def test_an_mql_whose_score_drops_stays_an_mql(users: Any) -> None:
    a_model(users["marketing"], threshold=30, engagement=[FORM])
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    rescore_all()
    a_model(users["marketing"], threshold=30, engagement=[{**FORM, "points": 1}])
    rescore_all()
    stored = Contact.objects.get(pk=lead.pk)
    assert (stored.lifecycle_stage, stored.score) == (Stage.MQL, 1)


@time_machine.travel(NOW, tick=False)
def test_set_based_incremental_scoring_qualifies_once_and_never_a_recycled_lead(
    users: Any, monkeypatch: Any
) -> None:
    from smarketing.scoring import scoring

    monkeypatch.setattr(scoring, "SET_BASED_FROM", 1)  # as for the worker's merged jobs
    a_model(users["marketing"], threshold=30, engagement=[FORM])
    recycled, fresh = make_contact(), make_contact()
    event(recycled, "track", "Form Submitted")
    score_contacts(contact_ids=[recycled.pk])
    contact_recycle(contact=recycled, actor=users["rep"], reason="no budget")
    event(recycled, "track", "Form Submitted")
    event(fresh, "track", "Form Submitted")
    score_contacts(contact_ids=[recycled.pk, fresh.pk])
    assert len(mql_changes(recycled)) == 1 and len(mql_changes(fresh)) == 1
    assert Contact.objects.get(pk=recycled.pk).lifecycle_stage == Stage.LEAD
    assert Contact.objects.get(pk=fresh.pk).lifecycle_stage == Stage.MQL

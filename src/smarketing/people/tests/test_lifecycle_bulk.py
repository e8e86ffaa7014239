"""Bulk lifecycle moves (contacts_transition): the single move's rules, set-based."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.core import events
from smarketing.people import lifecycle
from smarketing.people.lifecycle import contacts_transition
from smarketing.people.models import Cause, Contact, LeadStatus, Stage, StageChange
from smarketing.testing.factories import make_contact

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def test_many_contacts_move_at_once_each_with_its_reason_and_the_monotone_fields() -> None:
    subscriber = make_contact(Stage.SUBSCRIBER, at=T0)
    lead = make_contact(Stage.LEAD, at=T0)
    at = T0 + dt.timedelta(hours=1)
    changes = contacts_transition(
        reasons={subscriber.pk: "score 72 >= 60 (model v3)", lead.pk: "hand-raise: Demo"},
        to_stage=Stage.MQL, cause=Cause.SCORING, at=at)
    assert {(c.contact_id, c.from_stage, c.reason) for c in changes} == {
        (subscriber.pk, Stage.SUBSCRIBER, "score 72 >= 60 (model v3)"),
        (lead.pk, Stage.LEAD, "hand-raise: Demo")}
    moved = Contact.objects.get(pk=subscriber.pk)
    assert moved.lifecycle_stage == Stage.MQL
    assert (moved.became_lead_at, moved.became_mql_at) == (at, at)  # reached lead too
    assert moved.became_subscriber_at == T0  # kept: the first time only
    assert Contact.objects.get(pk=lead.pk).became_lead_at == T0
    assert StageChange.objects.filter(to_stage=Stage.MQL, cause=Cause.SCORING).count() == 2


def test_a_bulk_move_skips_contacts_already_there_and_moves_the_rules_refuse() -> None:
    mql = make_contact(Stage.MQL, at=T0)
    sql = make_contact(Stage.SQL, at=T0)  # mql comes before sql: only recycle goes back
    later = make_contact(Stage.LEAD, at=T0 + dt.timedelta(days=2))  # history after `at`
    changes = contacts_transition(
        reasons={mql.pk: "r", sql.pk: "r", later.pk: "r"}, to_stage=Stage.MQL,
        cause=Cause.SCORING, at=T0 + dt.timedelta(days=1))
    assert changes == []
    assert Contact.objects.get(pk=sql.pk).lifecycle_stage == Stage.SQL
    assert Contact.objects.get(pk=later.pk).lifecycle_stage == Stage.LEAD


def test_entering_lead_in_bulk_sets_the_new_status_only_where_there_is_none() -> None:
    fresh = make_contact(Stage.SUBSCRIBER, at=T0)
    recycled = make_contact(Stage.SUBSCRIBER, at=T0)
    Contact.objects.filter(pk=recycled.pk).update(lead_status=LeadStatus.RECYCLED)
    contacts_transition(reasons={fresh.pk: "", recycled.pk: ""}, to_stage=Stage.LEAD,
                        cause=Cause.IMPORT, at=T0 + dt.timedelta(hours=1))
    statuses = dict(Contact.objects.values_list("id", "lead_status"))
    assert (statuses[fresh.pk], statuses[recycled.pk]) == (LeadStatus.NEW, LeadStatus.RECYCLED)


def test_listeners_get_one_batch_after_commit_and_every_move_is_a_domain_event(
    monkeypatch: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a, b = make_contact(Stage.LEAD, at=T0), make_contact(Stage.LEAD, at=T0)
    batches: list[list[tuple[int, str, int]]] = []
    singles: list[int] = []
    published: list[tuple[str, str]] = []
    monkeypatch.setattr(lifecycle, "_STAGE_LISTENERS", [
        (lambda contact, stage, change: singles.append(contact), batches.append),
        (lambda contact, stage, change: singles.append(contact), None)])
    monkeypatch.setattr(events, "_SUBSCRIBERS", [
        lambda event, event_id, data: published.append((event, data["reason"]))])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changes = contacts_transition(reasons={a.pk: "ra", b.pk: "rb"}, to_stage=Stage.MQL,
                                      cause=Cause.SCORING, at=T0 + dt.timedelta(hours=1))
        assert batches == [] and published == []  # nothing before the commit
    assert len(callbacks) == 4  # two listeners, two domain events
    assert batches == [[(c.contact_id, Stage.MQL, c.pk) for c in changes]]
    assert sorted(singles) == sorted([a.pk, b.pk])  # no batch form: one call per move
    assert sorted(published) == [("contact.stage_changed", "ra"), ("contact.stage_changed", "rb")]

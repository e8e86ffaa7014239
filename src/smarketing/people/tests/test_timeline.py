from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.core.timeline import TimelineItem, contact_timeline, register_timeline_provider
from smarketing.people.lifecycle import contact_transition
from smarketing.people.models import Cause, Stage
from smarketing.testing.factories import make_contact

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def _contact_with_three_moves() -> Any:
    contact = make_contact(Stage.LEAD, at=T0)
    for days, stage in ((1, Stage.MQL), (2, Stage.OPPORTUNITY)):
        cause = Cause.SCORING if stage == Stage.MQL else Cause.PIPELINE
        contact_transition(
            contact=contact, to_stage=stage, cause=cause, at=T0 + dt.timedelta(days=days)
        )
    return contact


def test_it_lists_stage_changes_newest_first_and_pages_with_a_cursor() -> None:
    contact = _contact_with_three_moves()
    first = contact_timeline(contact.pk, limit=2)
    assert [i.data["to_stage"] for i in first.items] == ["opportunity", "mql"]
    assert first.next_before == T0 + dt.timedelta(days=1)
    rest = contact_timeline(contact.pk, before=first.next_before, limit=2)
    assert [i.data["to_stage"] for i in rest.items] == ["lead"]
    assert rest.next_before is None


def test_it_merges_every_registered_provider(monkeypatch: Any) -> None:
    contact = _contact_with_three_moves()
    note = TimelineItem(at=T0 + dt.timedelta(hours=30), kind="note", title="Visited pricing")
    from smarketing.core import timeline

    monkeypatch.setitem(timeline._PROVIDERS, "test.notes", lambda cid, before, limit: [note])
    kinds = [i.kind for i in contact_timeline(contact.pk).items]
    assert kinds == ["stage_change", "note", "stage_change", "stage_change"]
    assert register_timeline_provider  # the public way to add one


def test_the_timeline_api_answers_with_items_and_a_cursor(api_as: Any) -> None:
    contact = _contact_with_three_moves()
    body = api_as("rep").get(f"/api/v1/contacts/{contact.pk}/timeline", limit=2).json()
    assert body["count"] == 2 and body["next_before"] is not None
    assert body["items"][0]["title"] == "MQL → Opportunity"
    bad = api_as("rep").get(f"/api/v1/contacts/{contact.pk}/timeline", limit=0)
    assert bad.status_code == 422 and bad.json()["field"] == "limit"

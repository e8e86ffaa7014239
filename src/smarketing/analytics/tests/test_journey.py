"""The customer journey: contacts per phase at the end of a period (today's counts with
later moves undone) agree with each contact's own last move before the end; flows count
the moves between phases in the period; anonymous visitors add to awareness."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from smarketing.analytics.journey import PHASES, flow_changes, journey, phase_contacts
from smarketing.campaigns.tests.factories import the_source
from smarketing.core.periods import Period
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import Cause, Stage
from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event

pytestmark = pytest.mark.django_db
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def day(month: int, d: int) -> dt.datetime:
    return dt.datetime(2026, month, d, 12, tzinfo=dt.UTC)


@pytest.fixture
def history(users: dict[str, Any]) -> None:
    """Contacts created before, during and after March, moving forward and back."""
    make_contact(Stage.SUBSCRIBER, at=day(2, 1), cause=Cause.IMPORT)
    before = make_contact(Stage.LEAD, at=day(2, 2))
    contact_transition(contact=before, to_stage=Stage.MQL, cause=Cause.SCORING, at=day(3, 5))
    recycled = make_contact(Stage.MQL, at=day(2, 3))
    contact_recycle(contact=recycled, actor=users["rep"], reason="Not now", at=day(3, 6))
    make_contact(Stage.LEAD, at=day(3, 7))  # new in March
    later = make_contact(Stage.MQL, at=day(3, 8))
    contact_transition(contact=later, to_stage=Stage.SQL, cause=Cause.MANUAL,
                       actor=users["rep"], at=day(4, 2))  # after March: undone
    make_contact(Stage.CUSTOMER, at=day(4, 3))  # created after March: not counted
    make_contact(Stage.CUSTOMER, at=day(1, 3))


def test_phase_counts_at_the_end_of_the_period_match_each_contacts_last_move(
    history: None
) -> None:
    with time_machine.travel(day(5, 1), tick=False):
        data = journey(MARCH)
    assert data.contacts == {"awareness": 1, "interest": 2, "consideration": 2,
                             "decision": 0, "retention": 1}
    for phase in PHASES:  # the independent, per-contact way
        assert phase_contacts(phase, MARCH).count() == data.contacts[phase]


def test_flows_count_the_moves_between_phases_in_the_period(history: None) -> None:
    data = journey(MARCH)
    assert data.flows == [("new", "interest", 1), ("new", "consideration", 1),
                          ("interest", "consideration", 1), ("consideration", "interest", 1)]
    assert flow_changes("consideration", "interest", MARCH).count() == 1


def test_anonymous_visitors_add_to_awareness(history: None) -> None:
    seen = [("a1", "page", day(3, 9)), ("a1", "page", day(3, 10)), ("a2", "page", day(3, 9)),
            ("a3", "track", day(3, 9)),  # not a page view
            ("a4", "page", day(4, 9))]  # after the period
    for i, (anon, kind, at) in enumerate(seen):
        Event.objects.create(source=the_source(), message_id=f"j{i}", type=kind,
                             anonymous_id=anon, timestamp=at, received_at=at)
    data = journey(MARCH)
    assert data.anonymous_visitors == 2
    assert data.count("awareness") == 3


def test_an_empty_period_shows_zeros(users: dict[str, Any]) -> None:
    data = journey(MARCH)
    assert data.contacts == dict.fromkeys(PHASES, 0) and data.flows == []


def test_the_journey_numbers_drill_down_to_their_records(
    history: None, users: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(users["marketing"])
    query = "start=2026-03-01&end=2026-04-01"
    page = client.get(f"/dashboards/journey/phases/consideration/?{query}").content.decode()
    assert 'data-testid="records-count">2<' in page
    page = client.get(f"/dashboards/journey/flows/new/interest/?{query}").content.decode()
    assert 'data-testid="records-count">1<' in page
    assert client.get(f"/dashboards/journey/phases/nowhere/?{query}").status_code == 404
    body = b"".join(client.get(f"/dashboards/journey/tables/flows.csv?{query}")
                    .streaming_content).decode()
    assert body.splitlines()[0] == "from,to,contacts"

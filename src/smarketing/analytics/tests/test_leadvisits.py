"""The per-lead visit buckets (analytics/leadvisits.py) stay exactly what the events and
the contacts say whatever the order of writes (late and out-of-order page views,
deletes, moved timestamps, stitching and un-stitching, reached(lead) set, moved and
cleared, contacts deleted), on SQLite and PostgreSQL, so visitor_to_lead_rate's
numerator equals the direct count over the raw events."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.test import override_settings

from smarketing.analytics import leadvisits, webqueue
from smarketing.analytics.families.web import visitors_who_became_leads
from smarketing.analytics.models import LeadVisit
from smarketing.core.periods import Period
from smarketing.people.models import Contact
from smarketing.testing import factories
from smarketing.tracking.models import Event
from smarketing.tracking.services import source_create

pytestmark = pytest.mark.django_db
BASE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
RANGES = [(BASE, BASE + HOUR), (BASE - 24 * HOUR, BASE + 24 * HOUR),
          (BASE + dt.timedelta(minutes=15), BASE + dt.timedelta(minutes=45)),
          (BASE + HOUR, BASE + 3 * HOUR), (BASE - 3 * HOUR, BASE + dt.timedelta(minutes=30))]


def snapshot() -> list[tuple[Any, ...]]:
    leadvisits.fold()  # SQLite: the contacts inserted since, counted (analytics/folds.py)
    return sorted(LeadVisit.objects.values_list(
        "contact_id", "lead_at", "viewed_before", "viewed_after"))


def direct(start: dt.datetime, end: dt.datetime) -> int:
    """Contacts with a page event in [start, end) that reached lead in it, from the events."""
    return Event.objects.filter(
        type="page", timestamp__gte=start, timestamp__lt=end,
        contact__became_lead_at__gte=start, contact__became_lead_at__lt=end,
    ).values("contact_id").distinct().count()


def assert_exact() -> None:
    webqueue.apply()
    kept = snapshot()
    leadvisits.rebuild()
    assert kept == snapshot()
    for start, end in RANGES:
        assert leadvisits.count(start, end) == direct(start, end), (start, end)
    for zone in ("UTC", "Asia/Kolkata"):
        with override_settings(TIME_ZONE=zone):
            period = Period(dt.date(2026, 2, 28), dt.date(2026, 3, 2))
            assert visitors_who_became_leads(period) == direct(*period.bounds()), zone


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.source, _ = source_create(actor=None, name=f"site {seed}", kind="website")
        self.contacts = [factories.make_contact(at=self.moment()) for _ in range(4)]
        self.n = 0

    def moment(self) -> dt.datetime:
        minutes = self.rng.choice((-200, -61, -15, -1, 0, 1, 14, 15, 29, 44, 45, 60, 61, 170))
        return BASE + dt.timedelta(minutes=minutes, microseconds=self.rng.choice((0, 1)))

    def insert(self) -> None:
        self.n += 1
        contact = self.rng.choice([*self.contacts, None])
        at = self.moment()
        Event.objects.create(
            source=self.source, message_id=f"m{self.n}", contact=contact,
            type=self.rng.choice(("page", "page", "track")),
            anonymous_id=f"anon-{self.rng.randint(1, 3)}", timestamp=at, received_at=at)

    def change(self) -> None:
        roll = self.rng.random()
        event = self.rng.choice(list(Event.objects.all()))
        contact = self.rng.choice(self.contacts)
        if roll < 0.2:
            event.delete()
        elif roll < 0.4:
            Event.objects.filter(pk=event.pk).update(timestamp=self.moment())
        elif roll < 0.55:  # stitching, and back
            Event.objects.filter(anonymous_id=event.anonymous_id, contact__isnull=True).update(
                contact=contact)
        elif roll < 0.65:
            Event.objects.filter(pk=event.pk).update(contact=None)
        else:  # reached(lead) moved (late, earlier) or cleared
            value = None if roll > 0.9 else self.moment()
            Contact.objects.filter(pk=contact.pk).update(became_lead_at=value)


@pytest.mark.parametrize("seed", range(3))
def test_the_lead_visits_equal_the_events_after_any_order_of_writes(seed: int) -> None:
    writer = Writer(seed)
    for _ in range(40):  # page views written in random order: late and out of order
        writer.insert()
    assert_exact()
    for _ in range(30):
        writer.change()
        if writer.rng.random() < 0.5:
            writer.insert()
    assert_exact()
    gone = writer.contacts.pop()
    Event.objects.filter(contact=gone).update(contact=None)
    gone.delete()
    assert not LeadVisit.objects.filter(contact_id=gone.pk).exists()
    assert_exact()


def test_a_lead_counts_when_a_view_falls_on_either_side_of_it_inside_the_range() -> None:
    writer = Writer(9)
    contact = writer.contacts[0]
    Contact.objects.filter(pk=contact.pk).update(became_lead_at=BASE + dt.timedelta(minutes=50))
    Event.objects.create(source=writer.source, message_id="late", contact=contact, type="page",
                         anonymous_id="x",
                         timestamp=BASE + dt.timedelta(minutes=70), received_at=BASE)
    webqueue.apply()
    row = LeadVisit.objects.get(contact_id=contact.pk)
    assert (row.viewed_before, row.viewed_after) == (None, BASE + dt.timedelta(hours=1))
    assert leadvisits.count(BASE, BASE + 2 * HOUR) == 1  # the view after the lead
    assert leadvisits.count(BASE, BASE + HOUR) == 0  # the view is after the range

"""The web rollups, as read (after the queue of changed visitors is applied), stay exactly
what the events say (tracking.web_metrics, and a rebuild from scratch) whatever the
order of writes: late and out-of-order events, events that bridge or split sessions,
stitching, timestamp changes and deletes, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from smarketing.analytics import webqueue, webrollup
from smarketing.analytics.models import WebBucket, WebSession, WebVisit
from smarketing.people.models import Contact
from smarketing.testing import factories
from smarketing.tracking import selectors as tracking
from smarketing.tracking.models import Event
from smarketing.tracking.services import source_create

pytestmark = pytest.mark.django_db
BASE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def snapshot() -> tuple[list[Any], list[Any], list[Any]]:
    """The three tables as read: after the queue of changed visitors is applied."""
    webqueue.apply()
    sessions = sorted(WebSession.objects.values_list(
        "visitor", "contact_id", "started", "ended", "events", "pages"))
    visits = sorted(WebVisit.objects.values_list(
        "visitor", "contact_id", "bucket", "pages", "previous"))
    counters = list(WebBucket.objects.order_by("bucket").values("bucket").annotate(
        s=Sum("sessions"), b=Sum("bounces"), p=Sum("pages")).exclude(s=0, b=0, p=0)
        .values_list("bucket", "s", "b", "p"))
    return sessions, visits, counters


def test_the_counters_and_previous_buckets_follow_a_visitor_written_out_of_order() -> None:
    writer = Writer(9)
    contact = writer.contacts[0]

    def page(minutes: int) -> Event:
        writer.n += 1
        at = BASE + dt.timedelta(minutes=minutes)
        return Event.objects.create(source=writer.source, message_id=f"p{writer.n}",
                                    type="page", contact=contact, anonymous_id="y", timestamp=at,
                                    received_at=at)

    late = [page(m) for m in (120, 0, 60)][2]  # the 60-minute view arrives last
    webqueue.apply()
    assert list(WebVisit.objects.order_by("bucket").values_list("previous", flat=True)) == [
        None, BASE, BASE + dt.timedelta(minutes=60)]
    late.delete()  # the 120-minute view's previous bucket falls back to the first
    webqueue.apply()
    assert list(WebVisit.objects.order_by("bucket").values_list("previous", flat=True)) == [
        None, BASE]
    assert WebBucket.objects.aggregate(s=Sum("sessions"), p=Sum("pages")) == {"s": 2, "p": 2}
    assert_exact(PERIODS)


def assert_exact(periods: list[tuple[dt.datetime, dt.datetime]]) -> None:
    kept = snapshot()
    for start, end in periods:
        assert webrollup.web_metrics(start, end) == tracking.web_metrics(start, end)
    webrollup.rebuild()
    assert snapshot() == kept


class Writer:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.source, _ = source_create(actor=None, name=f"site {seed}", kind="website")
        self.contacts = [factories.make_contact() for _ in range(3)]
        self.n = 0

    def moment(self) -> dt.datetime:
        """Within four hours, on minutes that make gaps of exactly 30 minutes common."""
        minute = self.rng.choice((0, 15, 29, 30, 31, 45, 59, 60, 61, 90, 120, 121, 180))
        micro = self.rng.choice((0, 0, 1, 999_999))
        return BASE + dt.timedelta(minutes=minute, microseconds=micro)

    def insert(self) -> Event:
        self.n += 1
        who = self.rng.random()
        contact = self.rng.choice(self.contacts) if who < 0.4 else None
        anonymous = "" if who > 0.85 else f"anon-{self.rng.randint(1, 3)}"
        at = self.moment()
        return Event.objects.create(
            source=self.source, message_id=f"m{self.n}", contact=contact,
            type=self.rng.choice(("page", "page", "track", "identify")),
            anonymous_id=anonymous, user_id="" if anonymous else f"user-{self.rng.randint(1, 2)}",
            timestamp=at, received_at=at + dt.timedelta(hours=self.rng.randint(0, 48)))

    def change(self) -> None:
        event = self.rng.choice(list(Event.objects.all()))
        roll = self.rng.random()
        if roll < 0.3:
            event.delete()
        elif roll < 0.6:
            Event.objects.filter(pk=event.pk).update(timestamp=self.moment())
        elif roll < 0.8:  # stitching: an anonymous visitor's events become a contact's
            Event.objects.filter(anonymous_id=event.anonymous_id, contact__isnull=True).update(
                contact=self.rng.choice(self.contacts))
        else:
            Event.objects.filter(pk=event.pk).update(contact=None)


PERIODS = [(BASE, BASE + dt.timedelta(hours=1)), (BASE - dt.timedelta(days=1), BASE),
           (BASE + dt.timedelta(minutes=15), BASE + dt.timedelta(minutes=45)),
           (BASE + dt.timedelta(hours=1), BASE + dt.timedelta(hours=3)),
           (BASE + dt.timedelta(minutes=30), BASE + dt.timedelta(hours=2, minutes=15)),
           (BASE - dt.timedelta(days=1), BASE + dt.timedelta(days=1))]


@pytest.mark.parametrize("seed", range(6))
def test_the_rollups_equal_the_events_after_any_order_of_inserts_updates_and_deletes(
    seed: int,
) -> None:
    writer = Writer(seed)
    for _ in range(40):  # written in random order: late and out-of-order events
        writer.insert()
    assert_exact(PERIODS)
    for _ in range(25):
        writer.change()
        if writer.rng.random() < 0.5:
            writer.insert()
    assert_exact(PERIODS)
    webqueue.apply()
    assert Event.objects.filter(type__in=("page", "track")).count() == sum(
        WebSession.objects.values_list("events", flat=True))


def test_a_late_event_that_bridges_two_sessions_merges_them_and_its_delete_splits_them() -> None:
    writer = Writer(1)
    contact = Contact.objects.first()

    def page(minutes: int) -> Event:
        writer.n += 1
        at = BASE + dt.timedelta(minutes=minutes)
        return Event.objects.create(source=writer.source, message_id=f"b{writer.n}",
                                    type="page", contact=contact, anonymous_id="x",
                                    timestamp=at, received_at=at)

    page(0)
    page(60)
    webqueue.apply()
    assert WebSession.objects.count() == 2
    bridge = page(30)  # arrives last, 30 minutes from each: one session of three
    webqueue.apply()
    assert list(WebSession.objects.values_list("events", "pages")) == [(3, 3)]
    bridge.delete()
    webqueue.apply()
    assert sorted(WebSession.objects.values_list("events", flat=True)) == [1, 1]
    assert_exact(PERIODS)


def test_an_unaligned_range_is_computed_directly() -> None:
    start = BASE + dt.timedelta(minutes=7)
    assert webrollup.web_metrics(start, start + dt.timedelta(hours=1)) is None
    assert webrollup.aligned(BASE, BASE + dt.timedelta(minutes=45))


def test_the_triggers_exist_on_this_database() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'analytics_web%%'")
        else:
            cursor.execute("SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                           "AND name LIKE 'analytics_web%%'")
        assert cursor.fetchone()[0] > 0

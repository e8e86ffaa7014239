"""The per-day counts of the lifecycle moves (analytics/stageflows.py) stay exactly what
the stage history says whatever the order of the writes (contacts created late with
histories in the past, moves recorded out of time order across contacts, rows retimed
and re-pointed, contacts deleted; on SQLite read before any fold, folded twice, rows
added between folds), on SQLite and PostgreSQL: the moves of a period equal a direct
GROUP BY over the history, the contacts per stage at a moment equal each contact's own
last move before it (computed naively in Python), for periods in UTC and in zones far
from it, and a rebuild changes nothing. The anonymous visitors read from the web
rollup equal the distinct anonymous ids of the page events."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import override_settings

from smarketing.analytics import stageflows, webrollup
from smarketing.analytics.journey import anonymous_visitors_direct, journey, phase_contacts
from smarketing.analytics.models import StageFlow
from smarketing.analytics.tests.edges import BASE, PERIODS, ZONES, near_utc_midnight
from smarketing.campaigns.tests.factories import the_source
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import Cause, Contact, Stage, StageChange
from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event

pytestmark = pytest.mark.django_db
FORWARD = (Stage.LEAD, Stage.MQL, Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER)


def direct_moves(start: dt.datetime, end: dt.datetime) -> Counter[tuple[str, str]]:
    rows = StageChange.objects.filter(at__gte=start, at__lt=end)
    return Counter((r.from_stage, r.to_stage) for r in rows)


def naive_stages_at(moment: dt.datetime) -> Counter[str]:
    """Each contact's last move before `moment`, one contact at a time."""
    last: dict[int, StageChange] = {}
    for change in StageChange.objects.filter(at__lt=moment).order_by("at", "id"):
        last[change.contact_id] = change
    return Counter(change.to_stage for change in last.values())


def snapshot() -> list[tuple[Any, ...]]:
    return list(StageFlow.objects.order_by("day", "from_stage", "to_stage").values(
        "day", "from_stage", "to_stage").annotate(total=Sum("n")).exclude(total=0)
        .values_list("day", "from_stage", "to_stage", "total"))


def assert_exact() -> None:
    for zone in ZONES:
        with override_settings(TIME_ZONE=zone):
            for period in PERIODS:
                start, end = period.bounds()
                assert stageflows.moves(start, end) == direct_moves(start, end), (zone, period)
                assert +stageflows.stage_counts_at(end) == naive_stages_at(end), (zone, period)
    kept = snapshot()
    stageflows.rebuild()
    assert kept == snapshot()


class History:
    def __init__(self, users: dict[str, Any]) -> None:
        self.rng, self.users = random.Random(11), users
        self.contacts: list[Contact] = []

    def moment(self) -> dt.datetime:  # near UTC midnights, so the zones' edges matter
        return near_utc_midnight(self.rng)

    def add(self, n: int) -> None:
        """Contacts created in random time order, each moving forward (some recycled)."""
        for _ in range(n):
            moments = sorted(self.moment() for _ in range(4))
            stage = self.rng.choice((Stage.SUBSCRIBER, Stage.LEAD, Stage.MQL))
            contact = make_contact(stage, at=moments[0])
            for at in moments[1:]:
                if stage in (Stage.MQL, Stage.SQL) and self.rng.random() < 0.3:
                    contact_recycle(contact=contact, actor=self.users["rep"], reason="later",
                                    at=at)
                    stage = Stage.LEAD
                elif stage != Stage.CUSTOMER and self.rng.random() < 0.7:
                    later = FORWARD[FORWARD.index(stage) + 1:] if stage in FORWARD else FORWARD
                    stage = self.rng.choice(later)
                    contact_transition(contact=contact, to_stage=stage, cause=Cause.IMPORT,
                                       at=at)
            self.contacts.append(contact)


def test_late_and_out_of_order_history_writes_keep_the_counts_exact(
    users: dict[str, Any],
) -> None:
    history = History(users)
    history.add(30)
    assert_exact()
    rng = history.rng
    for contact in rng.sample(history.contacts, 8):  # first rows moved earlier
        first = contact.stage_changes.order_by("at", "id").first()
        assert first is not None
        StageChange.objects.filter(pk=first.pk).update(
            at=first.at - dt.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 23)))
    for contact in rng.sample(history.contacts, 5):  # the last move re-pointed
        last = contact.stage_changes.order_by("at", "id").last()
        assert last is not None and last.to_stage != Stage.OTHER
        StageChange.objects.filter(pk=last.pk).update(to_stage=Stage.OTHER)
    assert_exact()
    for contact in rng.sample(history.contacts, 6):
        history.contacts.remove(contact)
        contact.delete()  # its history goes with it
    history.add(8)  # created late, histories in the past
    assert_exact()


def test_reads_are_exact_before_any_fold_and_folding_twice_changes_nothing(
    users: dict[str, Any],
) -> None:
    history = History(users)
    history.add(10)
    if connection.vendor == "sqlite":  # nothing counted on the write path there
        assert stageflows.fold() > 0 and stageflows.fold() == 0
    folded = snapshot()
    history.add(5)  # added between folds: read before the next fold
    doomed = history.contacts.pop(0)
    doomed.delete()  # rows already counted, deleted
    start, end = PERIODS[0].bounds()
    assert stageflows.moves(start, end) == direct_moves(start, end)
    assert snapshot() != folded
    assert stageflows.fold() == 0
    assert_exact()


def test_the_journey_counts_match_each_contacts_last_move(users: dict[str, Any]) -> None:
    History(users).add(25)
    for zone in ZONES:
        with override_settings(TIME_ZONE=zone):
            for period in PERIODS:
                data = journey(period)
                for phase, n in data.contacts.items():
                    assert phase_contacts(phase, period).count() == n, (zone, period, phase)


def test_anonymous_visitors_from_the_rollup_equal_the_distinct_anonymous_ids(
    users: dict[str, Any],
) -> None:
    rng = random.Random(3)
    contact = make_contact(Stage.LEAD, at=BASE - dt.timedelta(days=9))
    for i in range(120):
        at = BASE + dt.timedelta(days=rng.randint(-3, 32), hours=rng.choice([0, 4, 19, 23]),
                                 minutes=rng.choice([0, 14, 15, 44]))
        known = rng.random() < 0.2
        anonymous = rng.choice(["", *(f"anon{k}" for k in range(12))])
        Event.objects.create(source=the_source(), message_id=f"v{i}",
                             type=rng.choice(["page", "page", "track"]), anonymous_id=anonymous,
                             user_id="" if anonymous and rng.random() < 0.8 else f"u{i % 3}",
                             contact=contact if known else None, timestamp=at, received_at=at)
    Event.objects.filter(anonymous_id="anon3").update(contact=contact)  # stitched later
    Event.objects.filter(message_id__in=["v5", "v6", "v7"]).delete()
    for zone in ZONES:
        with override_settings(TIME_ZONE=zone):
            for period in PERIODS:
                start, end = period.bounds()
                assert webrollup.anonymous_visitors(start, end) == \
                    anonymous_visitors_direct(start, end), (zone, period)
    odd = BASE + dt.timedelta(minutes=7)  # not on a quarter hour: no rollup answer
    assert webrollup.anonymous_visitors(odd, odd + dt.timedelta(days=3)) is None

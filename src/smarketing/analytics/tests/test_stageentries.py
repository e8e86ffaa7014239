"""The per-day stage-entry counts (analytics/stageentries.py) stay exactly what the
contacts say whatever the order of writes (contacts created late, reached times moved
back and forth, keys changed, a company's region changed, contacts deleted), on SQLite
and PostgreSQL, so every breakdown of entered(S) read from them equals the direct
GROUP BY over the contacts, for periods in UTC and in zones far from it."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from smarketing.analytics import folds, stageentries
from smarketing.analytics.models import StageEntry
from smarketing.analytics.stages import CONTACT_DIMENSIONS, entered, entered_rows
from smarketing.analytics.tests.edges import BASE, PERIODS, ZONES, near_utc_midnight
from smarketing.core.models import Region
from smarketing.core.periods import Period
from smarketing.people.models import Company, Contact, SourceChannel
from smarketing.testing import factories

pytestmark = pytest.mark.django_db
STAGES = stageentries.STAGES


def snapshot() -> list[tuple[Any, ...]]:
    stageentries.fold()  # SQLite: the contacts inserted since, counted (analytics/folds.py)
    return list(StageEntry.objects.order_by("day", "stage", "dimension", "key").values(
        "day", "stage", "dimension", "key").annotate(total=Sum("n")).exclude(total=0)
        .values_list("day", "stage", "dimension", "key", "total"))


def direct(stage: str, period: Period, name: str) -> dict[str, Any]:
    """The GROUP BY over the contacts (the measure without its rollup)."""
    from smarketing.analytics.measures import Measure

    measure = Measure(lambda p: entered_rows(stage, p), {}, dimensions=CONTACT_DIMENSIONS)
    return measure.breakdown(period, name)


def assert_exact() -> None:
    kept = snapshot()
    stageentries.rebuild()
    assert kept == snapshot()
    for zone in ZONES:
        with override_settings(TIME_ZONE=zone):
            for stage in STAGES:
                for period in PERIODS:
                    for name in CONTACT_DIMENSIONS:
                        assert entered(stage).breakdown(period, name) == \
                            direct(stage, period, name), (zone, stage, period, name)


class World:
    def __init__(self, users: dict[str, Any]) -> None:
        self.rng = random.Random(5)
        team = factories.make_team("North")
        self.owners = [users["rep"], users["rep_b"], factories.make_user(team=team), None]
        self.companies = [factories.make_company(region=r) for r in
                          (Region.values[0], Region.values[1], "")] + [None]
        self.contacts: list[Contact] = []

    def moment(self) -> dt.datetime:  # near UTC midnights, so the zones' edges matter
        return near_utc_midnight(self.rng, -3, 31)

    def keys(self) -> dict[str, Any]:
        return {"original_source": self.rng.choice(["", *SourceChannel.values[:3]]),
                "original_campaign": self.rng.choice(["", "Spring", "Webinar"]),
                "owner": self.rng.choice(self.owners),
                "company": self.rng.choice(self.companies)}

    def reached(self) -> dict[str, Any]:
        """Reached times of a random prefix of the funnel, in order (monotone)."""
        times = sorted(self.moment() for _ in STAGES)
        depth = self.rng.randint(0, len(STAGES))
        return {f"became_{s}_at": times[i] if i < depth else None
                for i, s in enumerate(STAGES)}

    def add(self, n: int) -> None:
        for _ in range(n):
            self.contacts.append(Contact.objects.create(
                email=f"c{len(self.contacts)}@example.com", **self.keys(), **self.reached()))


def test_late_and_out_of_order_contact_writes_keep_the_counts_exact(
    users: dict[str, Any],
) -> None:
    world = World(users)
    world.add(40)
    assert_exact()
    rng = world.rng
    for contact in rng.sample(world.contacts, 15):  # reached times moved, keys changed
        for name, value in (world.reached() | world.keys()).items():
            if rng.random() < 0.5:
                setattr(contact, name, value)
        contact.save()
    Contact.objects.filter(pk__in=[c.pk for c in world.contacts[:6]]).update(
        became_lead_at=world.moment(), original_source=SourceChannel.REFERRAL)
    assert_exact()
    company = world.companies[0]
    assert company is not None
    Company.objects.filter(pk=company.pk).update(region=Region.values[2])
    gone = world.companies.pop(1)
    assert gone is not None
    gone.delete()  # its contacts lose their company (and region)
    for contact in rng.sample(world.contacts, 8):
        contact.delete()
    world.add(10)  # created late, reached times in the past
    assert_exact()


def test_a_contact_counts_on_the_utc_day_it_reached_the_stage(users: dict[str, Any]) -> None:
    Contact.objects.create(email="a@example.com", original_source=SourceChannel.EMAIL,
                           became_lead_at=BASE - dt.timedelta(minutes=1),
                           became_mql_at=BASE + dt.timedelta(hours=3))
    assert snapshot() == [
        (dt.date(2026, 2, 28), "lead", dimension, key, 1)
        for dimension, key in (("campaign", ""), ("channel", "email"), ("owner", ""),
                               ("region", ""))
    ] + [(dt.date(2026, 3, 1), "mql", dimension, key, 1)
         for dimension, key in (("campaign", ""), ("channel", "email"), ("owner", ""),
                                ("region", ""))]
    with override_settings(TIME_ZONE="America/New_York"):  # 19:59 on Feb 28 there
        assert entered("lead").breakdown(Period(dt.date(2026, 2, 28), dt.date(2026, 3, 1)),
                                         "channel") == {"email": 1}


def test_contacts_inserted_are_counted_at_the_next_read_without_an_insert_trigger(
    users: dict[str, Any],
) -> None:
    world = World(users)
    world.add(12)
    if connection.vendor == "sqlite":  # nothing on the write path: folded by id
        assert not StageEntry.objects.exists()
    for name in CONTACT_DIMENSIONS:  # the read folds first
        assert entered("lead").breakdown(PERIODS[0], name) == \
            direct("lead", PERIODS[0], name), name
    assert stageentries.fold() == 0  # nothing left: no write
    world.add(5)
    world.contacts.pop().delete()  # deleted before it was ever counted
    for contact in (world.contacts[0], world.contacts[-1]):  # counted / not yet, changed
        Contact.objects.filter(pk=contact.pk).update(
            original_source=SourceChannel.REFERRAL, became_lead_at=world.moment())
    company = world.companies[0]
    assert company is not None  # its contacts, counted or not, change region
    Company.objects.filter(pk=company.pk).update(region=Region.values[3])
    assert_exact()


def test_the_worker_folds_what_the_writers_added(users: dict[str, Any]) -> None:
    World(users).add(6)  # contacts (with reached times, no stage history)
    expected = 2 if connection.vendor == "sqlite" else 0  # stage entries and lead visits
    assert folds.due(timezone.now()) == expected
    assert folds.due(timezone.now()) == 0
    kept = snapshot()
    stageentries.rebuild()
    assert kept == snapshot()

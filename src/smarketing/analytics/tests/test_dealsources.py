"""The deals' primary-contact rollup (analytics/dealsources.py) stays exactly what the
deals and their contact links say whatever the order of writes (deals created late with
times in the past, amounts, statuses, closing and creation times changed, primary
contacts added, switched, moved and removed, deals and contacts deleted, a contact's
campaign changed), on SQLite and PostgreSQL, so marketing-sourced pipeline and revenue
read from it equal their direct computation (an EXISTS over the links per deal) and a
naive one in Python, for periods in UTC and in zones far from it."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from smarketing.analytics import dealsources
from smarketing.analytics.families.attribution import sourced_rows
from smarketing.analytics.models import DealSource
from smarketing.analytics.registry import get
from smarketing.analytics.tests.edges import BASE, PERIODS, ZONES, near_utc_midnight
from smarketing.core.periods import Period
from smarketing.people.models import Contact, Stage
from smarketing.pipeline.models import Deal, DealContact, DealStatus
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
BASES = ("pipeline", "revenue")


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(DealSource.objects.values_list(
        "deal_id", "created_at", "won_at", "amount", "contact_id"))


def naive(basis: str, period: Period) -> Decimal:
    """Each deal in turn: created (or won) in P, its primary contact has a campaign."""
    start, end = period.bounds()
    total = Decimal("0.00")
    for deal in Deal.objects.all():
        moment = deal.created_at if basis == "pipeline" else (
            deal.closed_at if deal.status == DealStatus.WON else None)
        primary = DealContact.objects.filter(deal=deal, is_primary=True).first()
        if moment is not None and start <= moment < end and primary is not None \
                and primary.contact.original_campaign:
            total += deal.amount
    return total


def assert_exact() -> None:
    kept = snapshot()
    dealsources.rebuild()
    assert kept == snapshot()
    for zone in ZONES:
        with override_settings(TIME_ZONE=zone):
            for basis in BASES:
                kpi = get(f"marketing_sourced_{basis}")
                for period in PERIODS:
                    direct = sourced_rows(basis)(period).order_by().values_list(
                        "amount", flat=True)
                    assert kpi.headline(period) == naive(basis, period) == \
                        sum(direct, Decimal("0.00")), (zone, basis, period)


class Deals:
    def __init__(self, users: dict[str, Any]) -> None:
        self.rng, self.owner = random.Random(9), users["rep"]
        self.contacts = [make_contact(Stage.LEAD, at=BASE - dt.timedelta(days=20),
                                      original_campaign=c)
                         for c in ("spring", "", "webinar", "", "spring")]

    def moment(self) -> dt.datetime:  # near UTC midnights, so the zones' edges matter
        return near_utc_midnight(self.rng)

    def add(self, n: int) -> None:
        for _ in range(n):
            contacts = self.rng.sample(self.contacts, self.rng.randint(0, 2))
            amount = f"{self.rng.randint(1, 900)}.{self.rng.randint(0, 99):02d}"
            deal = make_deal(self.owner, amount=amount, contacts=contacts)
            Deal.objects.filter(pk=deal.pk).update(created_at=self.moment())
            if self.rng.random() < 0.5:
                status = self.rng.choice([DealStatus.WON, DealStatus.LOST])
                Deal.objects.filter(pk=deal.pk).update(status=status, closed_at=self.moment())


def test_late_and_out_of_order_deal_writes_keep_the_sourced_amounts_exact(
    users: dict[str, Any],
) -> None:
    deals = Deals(users)
    deals.add(25)
    assert_exact()
    rng = deals.rng
    for deal in rng.sample(list(Deal.objects.all()), 8):  # amounts and times moved
        Deal.objects.filter(pk=deal.pk).update(amount=Decimal(rng.randint(1, 500)),
                                               created_at=deals.moment())
    won = Deal.objects.filter(status=DealStatus.WON).first()
    assert won is not None
    Deal.objects.filter(pk=won.pk).update(status=DealStatus.OPEN, closed_at=None)  # reopened
    links = list(DealContact.objects.all())
    for link in rng.sample(links, 4):  # the primary contact switched or moved
        taken = DealContact.objects.filter(deal_id=link.deal_id).values_list("contact_id",
                                                                               flat=True)
        free = [c for c in deals.contacts if c.pk not in set(taken)]
        if free:
            DealContact.objects.filter(pk=link.pk).update(contact=rng.choice(free))
    DealContact.objects.filter(pk=links[0].pk).delete()
    other = DealContact.objects.filter(is_primary=False).first()
    if other is not None:  # a second contact made the primary one
        DealContact.objects.filter(deal_id=other.deal_id).update(is_primary=False)
        DealContact.objects.filter(pk=other.pk).update(is_primary=True)
    assert_exact()
    Contact.objects.filter(pk=deals.contacts[1].pk).update(original_campaign="late")
    Contact.objects.filter(pk=deals.contacts[0].pk).update(original_campaign="")
    deals.contacts[2].delete()  # its links go with it
    for deal in rng.sample(list(Deal.objects.all()), 4):
        deal.delete()
    deals.add(6)  # created late, times in the past
    assert_exact()


def test_a_deal_without_a_primary_contact_is_not_sourced(users: dict[str, Any]) -> None:
    deals = Deals(users)
    deal = make_deal(users["rep"], amount="100.00", contacts=[deals.contacts[0]])
    Deal.objects.filter(pk=deal.pk).update(created_at=BASE + dt.timedelta(days=2))
    march = PERIODS[0]
    assert get("marketing_sourced_pipeline").headline(march) == Decimal("100.00")
    DealContact.objects.filter(deal=deal).update(is_primary=False)
    assert DealSource.objects.get(deal_id=deal.pk).contact_id is None
    assert get("marketing_sourced_pipeline").headline(march) == Decimal("0.00")

"""The generated pipeline agrees with the contacts' histories and the model's rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db.models import Count, Sum

from smarketing.core.periods import Period
from smarketing.people.generate import GenerateOptions, clear_people_data, generate
from smarketing.people.models import Contact, Stage
from smarketing.pipeline.models import (
    Activity,
    Deal,
    DealStageChange,
    DealStatus,
    ForecastSnapshot,
    LineItem,
    Quota,
)
from smarketing.pipeline.snapshots import accuracy

END = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


@pytest.fixture
def generated() -> list[str]:
    return generate(GenerateOptions(contacts=800, seed=5, end=END)).extra


def test_every_opportunity_has_a_deal_opened_when_it_became_one(generated: list[str]) -> None:
    opportunities = Contact.objects.filter(became_opportunity_at__isnull=False)
    assert opportunities.count() > 20
    for contact in opportunities:
        deal = Deal.objects.get(deal_contacts__contact=contact)
        assert deal.created_at == contact.became_opportunity_at
        if contact.became_customer_at is not None:
            assert (deal.status, deal.closed_at) == (DealStatus.WON, contact.became_customer_at)
        else:
            assert deal.status in {DealStatus.OPEN, DealStatus.LOST}
    assert any(line.startswith("Pipeline:") for line in generated)


def test_amounts_are_the_sum_of_line_items_and_history_ends_in_the_stage(
    generated: list[str]
) -> None:
    sums = dict(LineItem.objects.values("deal").annotate(total=Sum("amount"))
                .values_list("deal", "total"))
    for deal in Deal.objects.select_related("stage"):
        assert deal.amount == sums[deal.pk] and isinstance(deal.amount, Decimal)
        changes = list(DealStageChange.objects.filter(deal=deal).order_by("at", "id"))
        assert changes[0].from_stage is None and changes[-1].to_stage == deal.stage
        assert all(a.at <= b.at for a, b in zip(changes, changes[1:], strict=False))
        assert (deal.status == DealStatus.LOST) == (deal.lost_reason_id is not None)
    assert Deal.objects.filter(status=DealStatus.LOST).exists()


def test_activities_quotas_and_last_quarters_snapshots_exist(generated: list[str]) -> None:
    assert Activity.objects.count() >= 2 * Deal.objects.count()
    assert Activity.objects.filter(kind="task", done_at__isnull=True).exists()
    assert Activity.objects.filter(at__gt=END).count() == 0
    assert Quota.objects.values("owner").annotate(n=Count("id")).count() >= 1
    q4 = Period(dt.date(2025, 10, 1), dt.date(2026, 1, 1))
    assert ForecastSnapshot.objects.filter(start=q4.start).count() == 14
    result = accuracy(q4, now=END)
    assert result["final"] and len(result["weeks"]) == 14


def test_the_same_seed_gives_the_same_deals_and_force_clears_them(generated: list[str]) -> None:
    first = list(Deal.objects.order_by("id").values_list("name", "amount", "status"))
    clear_people_data()
    assert not Deal.objects.exists() and not Activity.objects.exists()
    generate(GenerateOptions(contacts=800, seed=5, end=END))
    assert list(Deal.objects.order_by("id").values_list("name", "amount", "status")) == first
    assert Contact.objects.filter(lifecycle_stage=Stage.CUSTOMER).count() <= Deal.objects.filter(
        status=DealStatus.WON).count()

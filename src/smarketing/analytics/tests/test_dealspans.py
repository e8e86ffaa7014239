"""The deal stage spans (analytics/dealspans.py) stay exactly what the stage history says
whatever the order of writes (late and out-of-order stage changes, changed times,
amounts, stages and deals, deletes), on SQLite and PostgreSQL, so pipeline_value read
from them equals a direct computation over the raw stage changes at every moment."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from smarketing.analytics import dealspans
from smarketing.analytics.families.sales import open_at_end
from smarketing.analytics.models import DealSpan
from smarketing.analytics.registry import get
from smarketing.core.periods import Period
from smarketing.pipeline.models import Deal, DealStageChange, PipelineStage
from smarketing.pipeline.tests.factories import make_deal

pytestmark = pytest.mark.django_db
BASE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
ENDS = [dt.date(2026, 3, d) for d in (2, 3, 5, 8, 12, 20)]
CENT = Decimal("0.01")


def snapshot() -> list[tuple[Any, ...]]:
    return sorted(DealSpan.objects.values_list(
        "change_id", "deal_id", "stage_id", "amount", "at", "until", "created"))


def direct(end: dt.datetime) -> tuple[Decimal, Decimal, dict[str, Decimal]]:
    """Each deal created before `end`: its last stage change before `end` in (at, id)
    order; the open ones' amounts, weighted, and by owner (plain Python over the rows)."""
    stages = {s.pk: s for s in PipelineStage.objects.all()}
    deals = {d.pk: d for d in Deal.objects.select_related("owner")}
    last: dict[int, DealStageChange] = {}
    for change in DealStageChange.objects.order_by("at", "id"):
        if change.at < end and deals[change.deal_id].created_at < end:
            last[change.deal_id] = change
    total, weighted, by_owner = Decimal(0), Decimal(0), {}
    for change in last.values():
        stage = stages[change.to_stage_id]
        if stage.is_won or stage.is_lost:
            continue
        total += change.amount
        weighted += change.amount * stage.probability
        owner = deals[change.deal_id].owner.username
        by_owner[owner] = by_owner.get(owner, Decimal(0)) + change.amount
    return total, weighted.quantize(CENT, ROUND_HALF_UP), by_owner


def assert_exact() -> None:
    kept = snapshot()
    dealspans.rebuild()
    assert kept == snapshot()
    kpi = get("pipeline_value")
    for day in ENDS:
        period = Period(dt.date(2026, 2, 1), day)
        result = kpi.compute(period)
        total, weighted, by_owner = direct(period.bounds()[1])
        assert (result.value, result.parts["weighted"]) == (total, weighted), day
        ordered = sorted(by_owner.items(), key=lambda kv: (-kv[1], kv[0]))
        assert kpi.breakdown(period, "owner") == dict(ordered), day  # type: ignore[misc]
        drilled = open_at_end(period).values_list("value", flat=True)
        assert sum(drilled, Decimal(0)) == total, day


def change(deal: Deal, stage: PipelineStage, at: dt.datetime, amount: str) -> DealStageChange:
    return DealStageChange.objects.create(
        deal=deal, to_stage=stage, at=at, amount=Decimal(amount),
        expected_close_date=dt.date(2026, 6, 30))


def test_late_and_out_of_order_stage_changes_keep_the_spans_exact(users: dict[str, Any]) -> None:
    rng = random.Random(8)
    deals = [make_deal(users["rep"], amount="100.00", at=BASE + dt.timedelta(hours=h))
             for h in (0, 20, 50)]
    stages = list(PipelineStage.objects.filter(pipeline=deals[0].stage.pipeline_id))
    deals.append(make_deal(users["rep_b"], amount="70.00", at=BASE + dt.timedelta(days=4)))
    written = []
    for _ in range(40):  # random times, in random order: many arrive before older ones
        deal = rng.choice(deals)
        at = BASE + dt.timedelta(days=rng.choice([1, 2, 4, 7, 11]),  # midnights: ends
                                 hours=rng.choice([0, 0, 5, 13]))
        written.append(change(deal, rng.choice(stages), at, f"{rng.randint(1, 900)}.00"))
    assert_exact()
    for row in rng.sample(written, 8):  # moved in time, repriced, restaged, re-dealt
        row.at = BASE + dt.timedelta(days=rng.randint(0, 15), hours=rng.randint(0, 23))
        row.amount = Decimal(rng.randint(1, 500))
        row.to_stage = rng.choice(stages)
        row.deal = rng.choice(deals)
        row.save()
    assert_exact()
    for row in rng.sample(written, 10):
        row.delete()
    Deal.objects.filter(pk=deals[1].pk).update(created_at=BASE + dt.timedelta(days=9))
    assert_exact()
    deals[2].delete()
    assert not DealSpan.objects.filter(deal_id=deals[2].pk).exists()
    assert_exact()


def test_a_change_at_the_very_end_of_the_period_is_not_yet_counted(
    users: dict[str, Any],
) -> None:
    deal = make_deal(users["rep"], amount="100.00", at=BASE)
    won = PipelineStage.objects.get(pipeline=deal.stage.pipeline_id, is_won=True)
    change(deal, won, BASE + dt.timedelta(days=2), "100.00")  # midnight: the end of 3/2
    value = get("pipeline_value").compute
    assert value(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 3))).value == Decimal("100.00")
    assert value(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 4))).value == Decimal("0.00")
    assert list(DealSpan.objects.order_by("at").values_list("until", flat=True)) == [
        BASE + dt.timedelta(days=2), dealspans.FOREVER]

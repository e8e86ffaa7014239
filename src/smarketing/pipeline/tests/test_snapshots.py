"""Weekly forecast snapshots over a frozen-time quarter, and accuracy after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.core.periods import Period
from smarketing.pipeline.models import ForecastSnapshot
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.snapshots import (
    accuracy,
    accuracy_by_owner,
    snapshot_if_due,
    week_start,
)
from smarketing.pipeline.tests.factories import make_deal

pytestmark = pytest.mark.django_db
Q2 = Period(dt.date(2026, 4, 1), dt.date(2026, 7, 1))


def at(day: str) -> Any:
    return time_machine.travel(dt.datetime.fromisoformat(f"{day}T10:00:00+00:00"), tick=False)


def test_a_snapshot_is_taken_once_a_week_while_the_quarter_runs(users: dict[str, Any]) -> None:
    with at("2026-03-20"):
        assert snapshot_if_due(Q2) is None  # not started
        deal = make_deal(users["rep"], amount="1000", stage_name="Negotiation",
                         close=dt.date(2026, 5, 15))
    with at("2026-04-01"):
        first = snapshot_if_due(Q2)
    assert first is not None and first.week_start == dt.date(2026, 3, 30)
    assert first.figures["commit"] == "1000.00"
    with at("2026-04-03"):
        make_deal(users["rep_b"], amount="5000", stage_name="Negotiation",
                  close=dt.date(2026, 5, 15))
        assert snapshot_if_due(Q2) == first  # same week: kept as it was
    with at("2026-04-06"):
        second = snapshot_if_due(Q2)
    assert second is not None and second.figures["commit"] == "6000.00"
    assert ForecastSnapshot.objects.count() == 2
    with at("2026-04-20"):
        deal_win(deal=deal, actor=users["rep"])
    with at("2026-07-01"):
        assert snapshot_if_due(Q2) is None  # over


def test_accuracy_compares_each_weeks_forecast_with_what_closed(users: dict[str, Any]) -> None:
    with at("2026-03-20"):
        deal = make_deal(users["rep"], amount="1000", stage_name="Negotiation",
                         close=dt.date(2026, 5, 15))
        make_deal(users["rep_b"], amount="2000", stage_name="Proposal",
                  close=dt.date(2026, 6, 15))
    for day in ("2026-04-01", "2026-04-08"):
        with at(day):
            snapshot_if_due(Q2)
    with at("2026-04-20"):
        deal_win(deal=deal, actor=users["rep"])
        assert accuracy(Q2)["final"] is False
    with at("2026-07-02"):
        result = accuracy(Q2)
    assert (result["final"], result["actual"]) == (True, Decimal("1000.00"))
    weeks = result["weeks"]
    assert [w["week_start"] for w in weeks] == [dt.date(2026, 3, 30), dt.date(2026, 4, 6)]
    first = weeks[0]
    assert (first["commit_total"], first["weighted_total"]) == (Decimal("1000.00"),
                                                                Decimal("1750.00"))
    assert first["error"] == first["p50"] - Decimal("1000.00")
    assert first["within_interval"] == (first["p10"] <= Decimal("1000") <= first["p90"])
    owners = {row["owner"]: row for row in first["owners"]}
    assert (owners["rep1"]["actual"], owners["rep2"]["actual"]) == (Decimal("1000.00"),
                                                                    Decimal("0.00"))
    assert owners["rep2"]["error_pct"] is None  # nothing closed: no percentage
    reps = accuracy_by_owner(result)
    assert [(r["owner"], r["actual"]) for r in reps] == [("rep1", Decimal("1000.00")),
                                                         ("rep2", Decimal("0.00"))]
    assert [c["owner"] for c in reps[0]["weeks"]] == ["rep1", "rep1"]
    assert reps[0]["weeks"][0] == owners["rep1"]


def test_weeks_start_on_monday() -> None:
    assert week_start(dt.date(2026, 4, 5)) == dt.date(2026, 3, 30)
    assert week_start(dt.date(2026, 4, 6)) == dt.date(2026, 4, 6)

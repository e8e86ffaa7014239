"""The forecast: categories, weighted pipeline, prorated quota, gap, and the Monte Carlo."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.core.jobs import run_burst, run_periodic
from smarketing.core.models import Job
from smarketing.core.periods import Period
from smarketing.pipeline.forecast import OpenDeal, forecast, prorated_quotas, simulate
from smarketing.pipeline.models import ForecastRates
from smarketing.pipeline.rates import MIN_SAMPLES, RATES_JOB, learn_rates, refresh_rates
from smarketing.pipeline.services import (
    deal_lose,
    deal_move_stage,
    deal_update,
    deal_win,
    quota_set,
)
from smarketing.pipeline.tests.factories import make_deal, reason, stage

pytestmark = pytest.mark.django_db
Q2 = Period(dt.date(2026, 4, 1), dt.date(2026, 7, 1))
NOW = dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC)
EARLIER = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def test_one_deal_at_even_odds_gives_zero_or_its_amount(users: dict[str, Any]) -> None:
    make_deal(users["rep"], amount="1000", stage_name="Proposal", close=dt.date(2026, 5, 1),
              at=EARLIER)
    result = forecast(Q2, now=NOW)
    assert (result["best_case"], result["weighted"]) == (Decimal("1000"), Decimal("500.00"))
    assert result["p10"] == Decimal("0") and result["p90"] == Decimal("1000")
    assert result["p50"] in {Decimal("0"), Decimal("1000")}
    draws = simulate([OpenDeal(1, Decimal("1000"), "best_case", Decimal("0.5"), 0.5)], seed=1)
    assert 0.46 < draws[None].mean() / 100_000 < 0.54


def test_the_monte_carlo_is_reproducible_with_a_seed(users: dict[str, Any]) -> None:
    for n in range(12):
        make_deal(users["rep"], amount=f"{1000 + 250 * n}", stage_name="Demo",
                  close=dt.date(2026, 5, 1), at=EARLIER)
    first, again = forecast(Q2, now=NOW, seed=7), forecast(Q2, now=NOW, seed=7)
    assert [first[k] for k in ("p10", "p50", "p90")] == [again[k] for k in ("p10", "p50", "p90")]
    assert first["p10"] <= first["p50"] <= first["p90"]


def test_categories_count_each_open_deal_once_by_stage_or_override(users: dict[str, Any]) -> None:
    rep = users["rep"]
    in_q2 = dt.date(2026, 5, 20)
    make_deal(rep, amount="100", stage_name="Negotiation", close=in_q2, at=EARLIER)
    make_deal(rep, amount="200", stage_name="Proposal", close=in_q2, at=EARLIER)
    make_deal(rep, amount="300", stage_name="Discovery", close=in_q2, at=EARLIER)
    make_deal(rep, amount="400", stage_name="Discovery", close=in_q2, at=EARLIER,
              forecast_category_override="commit")
    make_deal(rep, amount="800", stage_name="Demo", close=in_q2, at=EARLIER,
              forecast_category_override="omitted")
    make_deal(rep, amount="1600", stage_name="Negotiation", close=dt.date(2026, 8, 1),
              at=EARLIER)  # next quarter
    make_deal(rep, amount="3200", stage_name="Demo", close=dt.date(2026, 3, 20),
              at=EARLIER)  # overdue: still open, counts while Q2 runs
    result = forecast(Q2, now=NOW)
    assert (result["commit"], result["best_case"], result["pipeline"]) == (
        Decimal("500"), Decimal("200"), Decimal("3500"))
    # 100*.75 + 200*.5 + 300*.1 + 400*.1 + 3200*.25
    assert result["weighted"] == Decimal("1045.00")
    assert forecast(Q2, now=dt.datetime(2026, 3, 30, tzinfo=dt.UTC))["pipeline"] == Decimal(
        "300")


def test_closed_won_counts_deals_won_inside_the_period(users: dict[str, Any]) -> None:
    rep = users["rep"]
    inside = make_deal(rep, amount="700", stage_name="Negotiation", at=EARLIER)
    deal_win(deal=inside, actor=rep, at=dt.datetime(2026, 4, 2, tzinfo=dt.UTC))
    before = make_deal(rep, amount="900", stage_name="Negotiation", at=EARLIER)
    deal_win(deal=before, actor=rep, at=dt.datetime(2026, 3, 31, 23, 59, tzinfo=dt.UTC))
    result = forecast(Q2, now=NOW)
    assert result["closed_won"] == Decimal("700")
    assert result["p10"] == result["p90"] == Decimal("700")  # nothing open


def test_a_quarter_quota_is_prorated_to_a_month(users: dict[str, Any]) -> None:
    rep = users["rep"]
    quota_set(actor=None, owner=rep, period="quarter", start=dt.date(2026, 4, 1),
              amount="91000")
    april = Period(dt.date(2026, 4, 1), dt.date(2026, 5, 1))
    assert prorated_quotas(april, None) == {rep.pk: Decimal("30000.00")}  # 30 of 91 days
    assert prorated_quotas(Q2, None) == {rep.pk: Decimal("91000.00")}


def test_monthly_quotas_are_prorated_over_a_period_across_months(users: dict[str, Any]) -> None:
    rep = users["rep"]
    for month in (4, 5):
        quota_set(actor=None, owner=rep, period="month", start=dt.date(2026, month, 1),
                  amount="30000")
    mid = Period(dt.date(2026, 4, 16), dt.date(2026, 5, 16))
    # 15/30 of April + 15/31 of May
    assert prorated_quotas(mid, None) == {rep.pk: Decimal("29516.13")}


def test_quota_gap_and_attainment_per_rep_and_team(users: dict[str, Any]) -> None:
    rep, rep_b = users["rep"], users["rep_b"]
    for owner, amount in ((rep, "1000"), (rep_b, "4000")):
        quota_set(actor=None, owner=owner, period="quarter", start=dt.date(2026, 4, 1),
                  amount=amount)
    won = make_deal(rep, amount="1500", stage_name="Negotiation", at=EARLIER)
    deal_win(deal=won, actor=rep, at=dt.datetime(2026, 4, 3, tzinfo=dt.UTC))
    result = forecast(Q2, now=NOW)
    assert (result["quota"], result["gap"], result["attainment"]) == (
        Decimal("5000.00"), Decimal("3500.00"), Decimal("0.3000"))
    rows = {row["owner"]: row for row in result["owners"]}
    assert (rows["rep1"]["attainment"], rows["rep1"]["gap"]) == (Decimal("1.5000"),
                                                                Decimal("-500.00"))
    assert rows["rep2"]["closed_won"] == Decimal("0")
    assert result["reps_at_quota_share"] == Decimal("0.5000")
    only_b = forecast(Q2, now=NOW, owner_ids=[rep_b.pk])
    assert (only_b["quota"], only_b["closed_won"]) == (Decimal("4000.00"), Decimal("0"))


def test_after_the_period_the_interval_is_what_closed(users: dict[str, Any]) -> None:
    make_deal(users["rep"], amount="1000", stage_name="Negotiation", close=dt.date(2026, 5, 1),
              at=EARLIER)
    result = forecast(Q2, now=dt.datetime(2026, 7, 2, tzinfo=dt.UTC))
    assert result["p10"] == result["p90"] == Decimal("0")


def _closed_history(rep: Any, won: int, lost: int, *, slip: bool = False) -> None:
    """Deals that went Discovery -> Proposal and then closed."""
    for n in range(won + lost):
        deal = make_deal(rep, amount="100", stage_name="Discovery", at=EARLIER,
                         close=dt.date(2026, 1, 31))
        deal_move_stage(deal=deal, actor=rep, stage=stage("Proposal"),
                        at=EARLIER + dt.timedelta(days=2))
        closing = EARLIER + dt.timedelta(days=40 if slip else 10)
        if n < won:
            deal_win(deal=deal, actor=rep, at=closing)
        else:
            deal_lose(deal=deal, actor=rep, reason=reason(), at=closing)


def test_win_rates_come_from_history_when_there_is_enough(users: dict[str, Any]) -> None:
    _closed_history(users["rep"], won=5, lost=MIN_SAMPLES - 5)
    rates = learn_rates(NOW)
    assert rates.win_rate(stage("Proposal"), 0) == 0.25
    assert rates.win_rate(stage("Demo"), 0) == 0.25  # no history: the stage's probability
    assert rates.slip_rate(stage("Proposal").pk) == 0.0


def test_thin_history_falls_back_to_the_stage_probability(users: dict[str, Any]) -> None:
    _closed_history(users["rep"], won=1, lost=MIN_SAMPLES - 2)
    assert learn_rates(NOW).win_rate(stage("Proposal"), 0) == 0.5


def test_deals_that_closed_after_their_expected_month_count_as_slipped(
    users: dict[str, Any]
) -> None:
    _closed_history(users["rep"], won=MIN_SAMPLES, lost=0, slip=True)
    rates = learn_rates(NOW)
    assert rates.slip_rate(stage("Proposal").pk) == 1.0
    assert rates.slip_rate(stage("Negotiation").pk) == 1.0  # the all-stage fallback
    open_deal = make_deal(users["rep"], amount="1000", stage_name="Proposal",
                          close=dt.date(2026, 5, 1), at=EARLIER)
    deal_update(deal=open_deal, actor=users["rep"], name="Always slips")
    refresh_rates(NOW.date())
    assert forecast(Q2, now=NOW)["p90"] == Decimal("0")


def test_learnt_rates_are_the_days_and_a_deal_closed_today_counts_tomorrow(
    users: dict[str, Any]
) -> None:
    _closed_history(users["rep"], won=0, lost=MIN_SAMPLES)
    assert learn_rates(NOW).win_rate(stage("Proposal"), 0) == 0.0
    late = make_deal(users["rep"], amount="100", stage_name="Proposal", at=EARLIER)
    deal_win(deal=late, actor=users["rep"], at=NOW - dt.timedelta(hours=1))
    assert learn_rates(NOW).win_rate(stage("Proposal"), 0) == 0.0  # closed today
    tomorrow = learn_rates(NOW + dt.timedelta(days=1))
    assert tomorrow.win_rate(stage("Proposal"), 0) == 1 / (MIN_SAMPLES + 1)


def _one_even_odds_deal_and_a_losing_history(rep: Any) -> None:
    _closed_history(rep, won=0, lost=MIN_SAMPLES)  # Proposal has never won
    make_deal(rep, amount="1000", stage_name="Proposal", close=dt.date(2026, 5, 1),
              at=EARLIER)


def test_a_forecast_never_learns_rates_and_queues_the_job_without_a_table(
    users: dict[str, Any], monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    _one_even_odds_deal_and_a_losing_history(users["rep"])
    monkeypatch.setattr("smarketing.pipeline.rates.learn_rates", _no_learning)
    with django_capture_on_commit_callbacks(execute=True):
        first = forecast(Q2, now=NOW)
    assert first["rates_as_of"] is None and first["p90"] == Decimal("1000")  # default 50 %
    assert Job.objects.filter(kind=RATES_JOB, done_at__isnull=True).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        forecast(Q2, now=NOW, seed=3)
    assert Job.objects.filter(kind=RATES_JOB).count() == 1  # queued once a day


def test_without_closed_deals_the_periodic_check_stores_empty_rates_without_a_job(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with time_machine.travel(NOW, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        run_periodic()
    assert not Job.objects.filter(kind=RATES_JOB).exists()
    assert ForecastRates.objects.get().counts == {"cells": [], "stages": [], "slips": []}


def _no_learning(now: dt.datetime) -> None:
    raise AssertionError("a forecast learnt rates on the request path")


def test_the_worker_job_stores_the_rates_and_the_next_forecast_uses_them(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _one_even_odds_deal_and_a_losing_history(users["rep"])
    with django_capture_on_commit_callbacks(execute=True):
        assert forecast(Q2, now=NOW)["p90"] == Decimal("1000")
    assert run_burst("test") == 1
    table = ForecastRates.objects.get()
    assert table.as_of == NOW.date() and table.seconds >= 0
    learnt = forecast(Q2, now=NOW)
    assert learnt["rates_as_of"] == NOW.date() and learnt["p90"] == Decimal("0")


def test_a_stale_table_is_used_while_the_days_one_is_learnt(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _one_even_odds_deal_and_a_losing_history(users["rep"])
    refresh_rates(NOW.date() - dt.timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        result = forecast(Q2, now=NOW)
    assert result["rates_as_of"] == NOW.date() - dt.timedelta(days=1)
    assert result["p90"] == Decimal("0")
    assert Job.objects.filter(kind=RATES_JOB, payload={"day": "2026-04-10"}).exists()


def test_the_workers_periodic_check_queues_the_days_rates_once_stored(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    _closed_history(users["rep"], won=1, lost=0)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_periodic() >= 1
        assert Job.objects.filter(kind=RATES_JOB).count() == 1
        run_burst("test")
        assert ForecastRates.objects.filter(as_of=NOW.date()).exists()
        with django_capture_on_commit_callbacks(execute=True):
            run_periodic()
        assert Job.objects.filter(kind=RATES_JOB).count() == 1


def test_a_forecast_is_computed_once_until_a_deal_changes(users: dict[str, Any]) -> None:
    from smarketing.pipeline import forecast as module

    deal = make_deal(users["rep"], amount="1000", stage_name="Negotiation",
                     close=dt.date(2026, 5, 1), at=EARLIER)
    runs: list[int] = []
    original = module.compute_forecast

    def counted(*args: Any, **kwargs: Any) -> Any:
        runs.append(1)
        return original(*args, **kwargs)

    module.compute_forecast = counted  # type: ignore[assignment]
    try:
        assert forecast(Q2, now=NOW)["commit"] == Decimal("1000")
        assert forecast(Q2, now=NOW + dt.timedelta(hours=2))["commit"] == Decimal("1000")
        assert len(runs) == 1
        deal_update(deal=deal, actor=users["rep"], amount="1500")
        assert forecast(Q2, now=NOW)["commit"] == Decimal("1500")
        assert forecast(Q2, now=NOW, owner_ids=[users["rep"].pk])["commit"] == Decimal("1500")
        quota_set(actor=None, owner=users["rep"], period="quarter", start=Q2.start,
                  amount="5000")
        assert forecast(Q2, now=NOW)["quota"] == Decimal("5000.00")
        assert len(runs) == 4
    finally:
        module.compute_forecast = original  # type: ignore[assignment]

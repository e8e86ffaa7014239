"""The forecast of a period: categories, weighted pipeline, quota, gap, and a Monte
Carlo interval (P10 / P50 / P90) of the period's closed revenue.

Period P = [start, end) in the organisation's time zone (shared/KPI.md; the one
Period class is smarketing.core.periods.Period).

- closed_won: amounts of deals won with closed_at in P.
- The open deals **in scope**: open deals whose expected close date is in P; once
  P has begun, also the open deals expected before P (overdue: if they close, it
  is now). Each counts in its forecast category (the rep's override, else the
  stage's): commit, best_case, pipeline (disjoint sums; omitted deals count
  nowhere); weighted = Σ amount × stage probability over the non-omitted ones.
- quota: the owners' quotas prorated to P (a quota counts by the share of its
  days that fall in P); gap = quota − closed_won; attainment = closed_won / quota
  (None without quota), KPI.md quota_attainment.
- Monte Carlo (rates: `smarketing.pipeline.rates`, learnt by a worker job, never
  on a request): each in-scope deal closes won inside P
  with p = win_rate(stage, age) × (1 − slip_rate(stage)); `simulations` draws
  of every deal give the distribution of closed_won + Σ won amounts, whose 10th,
  50th and 90th percentiles (taken from the drawn values, in cents, never floats)
  are p10, p50, p90. Nothing is drawn once P is over: the interval is closed_won.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from smarketing.core.periods import Period
from smarketing.pipeline.models import (
    Deal,
    DealStatus,
    ForecastCategory,
    PipelineStage,
    Quota,
)
from smarketing.pipeline.rates import HistoricalRates, age_bucket, current_rates, day_start
from smarketing.pipeline.services import quota_end

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
SIMULATIONS = 2000
DEFAULT_SEED = 6
CATEGORY_KEYS: tuple[str, ...] = ("commit", "best_case", "pipeline")


def in_scope(period: Period, today: dt.date) -> Q:
    """Open deals counted in P's forecast (see the module docstring)."""
    window = Q(expected_close_date__gte=period.start, expected_close_date__lt=period.end)
    if period.start <= today < period.end:
        window |= Q(expected_close_date__lt=period.start)
    return Q(status=DealStatus.OPEN) & window


@dataclass
class OpenDeal:
    owner_id: int
    amount: Decimal
    category: str
    probability: Decimal
    p_close: float


def open_deals(
    period: Period, now: dt.datetime, owner_ids: list[int] | None, rates: HistoricalRates
) -> list[OpenDeal]:
    """The in-scope open deals, each with its chance to close won inside P (its age
    taken at the start of `now`'s day, so that a day's forecast is one figure)."""
    qs = Deal.objects.filter(in_scope(period, timezone.localdate(now)))
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=owner_ids)
    stages = PipelineStage.objects.in_bulk()
    as_of = day_start(now)
    chance: dict[tuple[int, int], float] = {}
    result = []
    rows = qs.order_by().values_list("owner_id", "amount", "forecast_category_override",
                                     "created_at", "stage_id")
    for owner_id, amount, override, created_at, stage_id in rows.iterator(chunk_size=5000):
        stage = stages[stage_id]
        bucket = age_bucket((as_of - created_at).total_seconds() / 86400)
        if (stage_id, bucket) not in chance:
            chance[(stage_id, bucket)] = (
                rates.win_rate(stage, bucket) * (1 - rates.slip_rate(stage_id)))
        result.append(OpenDeal(
            owner_id=owner_id, amount=amount, category=override or stage.forecast_category,
            probability=stage.probability, p_close=chance[(stage_id, bucket)],
        ))
    return result


def closed_won_by_owner(period: Period, owner_ids: list[int] | None) -> dict[int, Decimal]:
    start, end = period.bounds()
    qs = Deal.objects.filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=owner_ids)
    rows = qs.values("owner_id").annotate(total=Sum("amount"))
    return {row["owner_id"]: row["total"] for row in rows}


def prorated_quotas(period: Period, owner_ids: list[int] | None) -> dict[int, Decimal]:
    """Each owner's quota for P: Σ quota × (its days inside P / its days)."""
    qs = Quota.objects.filter(start__lt=period.end, start__gte=period.start - dt.timedelta(92))
    if owner_ids is not None:
        qs = qs.filter(owner_id__in=owner_ids)
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for quota in qs:
        end = quota_end(quota.period, quota.start)
        share = Decimal(period.overlap_days(quota.start, end)) / Decimal((end - quota.start).days)
        if share:
            totals[quota.owner_id] += quota.amount * share
    return {owner: amount.quantize(CENT) for owner, amount in totals.items()}


def simulate(
    deals: list[OpenDeal], *, seed: int, simulations: int = SIMULATIONS, chunk: int = 256
) -> dict[int | None, np.ndarray]:
    """Simulated won amounts in cents: per owner, and in total under key None.

    The deals are drawn in owner order (then their given order), a few hundred
    columns at a time (small blocks stay in the CPU cache); uniform draws are
    float32, ample resolution for a probability."""
    rng = np.random.default_rng(seed)
    ordered = sorted(deals, key=lambda d: d.owner_id)
    owner_of = np.array([d.owner_id for d in ordered], dtype=np.int64)
    cents = np.array([int(d.amount * 100) for d in ordered], dtype=np.int64)
    p = np.array([d.p_close for d in ordered], dtype=np.float32)
    owners = sorted(set(owner_of.tolist()))
    column = {owner: index for index, owner in enumerate(owners)}
    per_owner = np.zeros((simulations, len(owners)), dtype=np.int64)
    for first in range(0, len(ordered), chunk):
        last = min(len(ordered), first + chunk)
        won = (rng.random((simulations, last - first), dtype=np.float32) < p[first:last]) \
            * cents[first:last]
        mine = owner_of[first:last]
        starts = np.flatnonzero(np.r_[True, mine[1:] != mine[:-1]])
        per_owner[:, [column[int(o)] for o in mine[starts]]] += np.add.reduceat(won, starts,
                                                                             axis=1)
    sums: dict[int | None, np.ndarray] = {None: per_owner.sum(axis=1)}
    sums.update({owner: per_owner[:, index] for owner, index in column.items()})
    return sums


def percentiles(cents: np.ndarray, base: Decimal) -> dict[str, Decimal]:
    if cents.size == 0:
        return {"p10": base, "p50": base, "p90": base}
    values = np.percentile(cents, [10, 50, 90], method="inverted_cdf")
    return {name: base + Decimal(int(v)) / 100 for name, v in zip(("p10", "p50", "p90"),
                                                                   values, strict=True)}


def _figures(
    closed_won: Decimal, deals: list[OpenDeal], quota: Decimal | None, sims: np.ndarray | None
) -> dict[str, Any]:
    by_category: dict[str, Decimal] = dict.fromkeys(CATEGORY_KEYS, ZERO)
    weighted = Decimal(0)
    for deal in deals:
        if deal.category == ForecastCategory.OMITTED:
            continue
        key = ForecastCategory.COMMIT if deal.category == ForecastCategory.CLOSED_WON \
            else deal.category
        by_category[key] += deal.amount
        weighted += deal.amount * deal.probability
    quota = quota if quota is not None else ZERO
    interval = percentiles(sims if sims is not None else np.zeros(0, np.int64), closed_won)
    return {
        "closed_won": closed_won, **by_category,
        "weighted": weighted.quantize(CENT), "quota": quota, "gap": quota - closed_won,
        "attainment": (closed_won / quota).quantize(Decimal("0.0001")) if quota else None,
        **interval,
    }


def _owner_rows(
    owner_ids: list[int], won: dict[int, Decimal], deals: list[OpenDeal],
    quotas: dict[int, Decimal], sims: dict[int | None, np.ndarray],
) -> list[dict[str, Any]]:
    users = get_user_model().objects.in_bulk(owner_ids)
    rows = []
    for owner_id in owner_ids:
        user = users.get(owner_id)
        mine = [d for d in deals if d.owner_id == owner_id]
        row = _figures(won.get(owner_id, ZERO), mine, quotas.get(owner_id), sims.get(owner_id))
        name = (user.get_full_name() or user.username) if user else str(owner_id)
        rows.append({"owner_id": owner_id, "owner": name, **row})
    return sorted(rows, key=lambda r: str(r["owner"]))


def assemble(
    period: Period, won: dict[int, Decimal], deals: list[OpenDeal],
    quotas: dict[int, Decimal], *, seed: int = DEFAULT_SEED, simulations: int = SIMULATIONS,
) -> dict[str, Any]:
    """The payload from its parts: closed won and quota per owner, the open deals."""
    sims = simulate(deals, seed=seed, simulations=simulations)
    total = _figures(sum(won.values(), ZERO), deals,
                     sum(quotas.values(), ZERO), sims[None])
    owners = sorted(set(won) | set(quotas) | {d.owner_id for d in deals})
    rows = _owner_rows(owners, won, deals, quotas, sims)
    with_quota = [r for r in rows if r["quota"]]
    at_quota = sum(1 for r in with_quota if r["closed_won"] >= r["quota"])
    return {
        "start": period.start, "end": period.end, **total,
        "reps_at_quota_share": (Decimal(at_quota) / len(with_quota)).quantize(
            Decimal("0.0001")) if with_quota else None,
        "simulations": simulations, "seed": seed, "owners": rows,
    }


def data_version() -> str:
    """What a forecast is computed from, in three cheap aggregates: every write to a
    deal (save, or the services' update()) moves its updated_at, a delete its count."""
    parts = [model.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
             for model in (Deal, Quota, PipelineStage)]
    return "|".join(str(value) for part in parts for value in part.values())


def forecast(
    period: Period, *, owner_ids: list[int] | None = None, now: dt.datetime | None = None,
    seed: int = DEFAULT_SEED, simulations: int = SIMULATIONS,
) -> dict[str, Any]:
    """The forecast payload of the API (DESIGN.md shape), amounts as Decimal.

    A forecast is a function of the day, the scope, the stored rates (read, never
    learnt here: `rates.current_rates`) and the data, so it is cached per process
    under those, with `data_version()` for the data: the Monte Carlo runs again
    only after a deal, quota or stage changed, a new rate table, or on a new day."""
    now = now or timezone.now()
    rates = current_rates(now)
    scope = "all" if owner_ids is None else ",".join(map(str, sorted(owner_ids)))
    state = "|".join(map(str, (period.start, period.end, scope, seed, simulations,
                               timezone.localdate(now), rates.as_of, data_version())))
    key = "pipeline-forecast-" + hashlib.sha256(state.encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        result = compute_forecast(period, owner_ids=owner_ids, now=now, seed=seed,
                                  simulations=simulations, rates=rates)
        cache.set(key, result, timeout=86400)
    return result


def compute_forecast(
    period: Period, *, owner_ids: list[int] | None, now: dt.datetime, seed: int,
    simulations: int, rates: HistoricalRates,
) -> dict[str, Any]:
    deals = open_deals(period, now, owner_ids, rates)
    if now >= period.bounds()[1]:
        for deal in deals:
            deal.p_close = 0.0
    result = assemble(
        period, closed_won_by_owner(period, owner_ids), deals,
        prorated_quotas(period, owner_ids), seed=seed, simulations=simulations,
    )
    result["rates_as_of"] = rates.as_of
    return result

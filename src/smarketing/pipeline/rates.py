"""Historical win and slip rates for the statistical forecast, learnt off the request path.

Learning reads every stage change of the deals closed in the last two years (tens
of seconds at 50k deals on a busy machine), so no request does it: a worker job
(`RATES_JOB`, queued by the worker's periodic check `rates_due` and by a forecast
that finds no table for its day) learns the day's rates and stores them as a
`ForecastRates` row. A forecast reads the newest stored table for its day or
earlier (one indexed row): yesterday's until today's is stored, and, on a fresh
install before the first job ran, none: then every deal uses its stage's default
probability and no slip (exactly what learning gives without history), and the
forecast says the rates are being learnt. The table a forecast used is part of
its result (`rates_as_of`) and of its cache key.

Every stage change of a closed deal into an open stage is one sample: the stage,
the deal's age then (bucketed <30, 30–89, >=90 days) and whether the deal was
won. win_rate(stage, age) is the won share of its samples; with fewer than
MIN_SAMPLES it falls back to the stage's share over all ages, and then to the
stage's default probability. A won sample **slipped** when the deal closed after
the month of the expected close date it had on entering the stage;
slip_rate(stage) is the slipped share of the stage's won samples, falling back
to the share over all stages, then to 0 (no slip assumed).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractYear
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from smarketing.core.jobs import enqueue
from smarketing.pipeline.models import (
    Deal,
    DealStageChange,
    DealStatus,
    ForecastRates,
    PipelineStage,
)

MIN_SAMPLES = 20  # fewer closed deals than this in a cell: fall back to a coarser rate
AGE_BUCKETS = (30, 90)  # deal age in days at stage entry: <30, 30-89, >=90
HISTORY_DAYS = 730
RATES_JOB = "pipeline.learn_rates"
KEEP_DAYS = 7  # stored tables kept (older ones are deleted when a new one is stored)


def age_bucket(days: float) -> int:
    return sum(1 for limit in AGE_BUCKETS if days >= limit)


def _rate(won: int, total: int) -> float | None:
    return won / total if total >= MIN_SAMPLES else None


@dataclass
class HistoricalRates:
    """Sample counts: won and total per (stage, age bucket) and per stage, slipped and
    won per stage. `as_of` is the day of the stored table (None: no table yet)."""

    cells: dict[tuple[int, int], list[int]] = field(default_factory=dict)
    stages: dict[int, list[int]] = field(default_factory=dict)
    slips: dict[int, list[int]] = field(default_factory=dict)
    as_of: dt.date | None = None

    def add(
        self, stage_id: int, bucket: int, won: bool, slipped: bool, count: int = 1
    ) -> None:
        for table, key in ((self.cells, (stage_id, bucket)), (self.stages, stage_id)):
            counts = table.setdefault(key, [0, 0])  # type: ignore[arg-type]
            counts[0] += count if won else 0
            counts[1] += count
        if won:
            slip = self.slips.setdefault(stage_id, [0, 0])
            slip[0] += count if slipped else 0
            slip[1] += count

    def win_rate(self, stage: PipelineStage, bucket: int) -> float:
        for counts in (self.cells.get((stage.pk, bucket)), self.stages.get(stage.pk)):
            rate = _rate(*counts) if counts else None
            if rate is not None:
                return rate
        return float(stage.probability)

    def slip_rate(self, stage_id: int) -> float:
        own = self.slips.get(stage_id)
        rate = _rate(*own) if own else None
        if rate is not None:
            return rate
        slipped = sum(c[0] for c in self.slips.values())
        total = sum(c[1] for c in self.slips.values())
        return _rate(slipped, total) or 0.0

    def to_json(self) -> dict[str, list[list[int]]]:
        return {
            "cells": [[stage, bucket, *c] for (stage, bucket), c in sorted(self.cells.items())],
            "stages": [[stage, *c] for stage, c in sorted(self.stages.items())],
            "slips": [[stage, *c] for stage, c in sorted(self.slips.items())],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], as_of: dt.date | None = None) -> HistoricalRates:
        return cls(
            cells={(r[0], r[1]): [r[2], r[3]] for r in data.get("cells", [])},
            stages={r[0]: [r[1], r[2]] for r in data.get("stages", [])},
            slips={r[0]: [r[1], r[2]] for r in data.get("slips", [])},
            as_of=as_of,
        )


def _month_index(name: str) -> Any:
    return ExtractYear(name) * 12 + ExtractMonth(name)


def day_start(now: dt.datetime) -> dt.datetime:
    """Midnight of `now`'s day in the organisation's time zone."""
    return dt.datetime.combine(timezone.localdate(now), dt.time(),
                               timezone.get_default_timezone())


def learn_rates(now: dt.datetime) -> HistoricalRates:
    """One aggregate query over the deals closed in the two years before `now`'s day:
    samples counted by (stage, age bucket, won, slipped). Slow: run by the job."""
    age = ExpressionWrapper(F("at") - F("deal__created_at"), output_field=DurationField())
    bucket = Case(
        *(When(age__lt=dt.timedelta(days=limit), then=Value(index))
          for index, limit in enumerate(AGE_BUCKETS)),
        default=Value(len(AGE_BUCKETS)), output_field=IntegerField(),
    )
    won = Case(When(deal__status=DealStatus.WON, then=Value(1)), default=Value(0),
               output_field=IntegerField())
    slipped = Case(
        When(GreaterThan(_month_index("deal__closed_at"), _month_index("expected_close_date")),
             then=Value(1)),
        default=Value(0), output_field=IntegerField(),
    )
    as_of = day_start(now)
    rows = DealStageChange.objects.filter(
        deal__status__in=[DealStatus.WON, DealStatus.LOST],
        deal__closed_at__gte=as_of - dt.timedelta(days=HISTORY_DAYS),
        deal__closed_at__lt=as_of,
        to_stage__is_won=False, to_stage__is_lost=False,
    ).annotate(age=age, bucket=bucket, won=won, slipped=slipped).order_by().values(
        "to_stage_id", "bucket", "won", "slipped"
    ).annotate(n=Count("id"))
    rates = HistoricalRates(as_of=as_of.date())
    for row in rows:
        rates.add(row["to_stage_id"], row["bucket"], bool(row["won"]), bool(row["slipped"]),
                  count=row["n"])
    return rates


def refresh_rates(day: dt.date) -> ForecastRates:
    """Learn `day`'s rates and store them (replacing that day's table)."""
    started = time.monotonic()
    learnt = learn_rates(dt.datetime.combine(day, dt.time(), timezone.get_default_timezone()))
    return _store(day, learnt, time.monotonic() - started)


def _store(day: dt.date, rates: HistoricalRates, seconds: float) -> ForecastRates:
    """Store `day`'s table; tables older than KEEP_DAYS are deleted."""
    table, _ = ForecastRates.objects.update_or_create(as_of=day, defaults={
        "learnt_at": timezone.now(), "counts": rates.to_json(), "seconds": round(seconds, 3),
    })
    ForecastRates.objects.filter(as_of__lt=day - dt.timedelta(days=KEEP_DAYS)).delete()
    return table


def _has_history(day: dt.date) -> bool:
    """Whether any deal closed in the learning window (one indexed EXISTS)."""
    as_of = dt.datetime.combine(day, dt.time(), timezone.get_default_timezone())
    return Deal.objects.filter(
        status__in=[DealStatus.WON, DealStatus.LOST],
        closed_at__gte=as_of - dt.timedelta(days=HISTORY_DAYS), closed_at__lt=as_of,
    ).exists()


def run_rates_job(payload: dict[str, Any]) -> None:
    refresh_rates(dt.date.fromisoformat(payload["day"]))


def queue_refresh(day: dt.date) -> None:
    """Queue the learning of `day`'s rates (at most one job per day)."""
    enqueue(RATES_JOB, {"day": day.isoformat()}, dedupe_key=f"{RATES_JOB}:{day.isoformat()}")


def rates_due(now: dt.datetime) -> int:
    """The worker's periodic check: queue today's learning unless today's table is
    stored (1 when queued). Without any deal closed in the window there is nothing
    to learn: the empty table is stored at once (no job)."""
    today = timezone.localdate(now)
    if ForecastRates.objects.filter(as_of=today).exists():
        return 0
    if not _has_history(today):
        _store(today, HistoricalRates(as_of=today), 0.0)
        return 0
    queue_refresh(today)
    return 1


def current_rates(now: dt.datetime) -> HistoricalRates:
    """The newest stored rates of `now`'s day or before (one indexed row, never learnt
    here); when today's are missing their learning is queued. No table at all: empty
    rates, i.e. the stages' default probabilities and no slip."""
    today = timezone.localdate(now)
    table = ForecastRates.objects.filter(as_of__lte=today).order_by("-as_of").first()
    if table is None or table.as_of < today:
        queue_refresh(today)
    if table is None:
        return HistoricalRates()
    return HistoricalRates.from_json(table.counts, as_of=table.as_of)

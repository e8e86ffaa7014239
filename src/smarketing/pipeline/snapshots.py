"""Forecast snapshots and forecast accuracy.

The first time a period's forecast is viewed in a week (ISO week, Monday start,
organisation time zone) while the period runs, the whole forecast (every owner)
is stored as that week's snapshot; later views that week reuse it. After the
period ends, `accuracy` compares each week's snapshot with what actually closed:
per week, for the team and per rep, the P50, the commit total (closed won +
commit) and the weighted total (closed won + weighted) against the actual
closed-won revenue, with the error (forecast − actual), the error in % of the
actual (None when nothing closed) and whether the actual fell within P10–P90.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from smarketing.core.periods import Period
from smarketing.pipeline.forecast import ZERO, closed_won_by_owner, data_version, forecast
from smarketing.pipeline.models import ForecastSnapshot


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def as_json(value: Any) -> Any:
    """Decimals become strings and dates ISO strings, recursively."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def snapshot_if_due(period: Period, now: dt.datetime | None = None) -> ForecastSnapshot | None:
    """This week's snapshot of the period's forecast, taken now if it is missing.
    None when the period is not running (nothing to forecast, or all known)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not period.start <= today < period.end:
        return None
    week = week_start(today)
    found = ForecastSnapshot.objects.filter(start=period.start, end=period.end,
                                            week_start=week).first()
    if found is not None:
        return found
    figures = as_json(forecast(period, now=now))
    try:
        with transaction.atomic():
            return ForecastSnapshot.objects.create(
                start=period.start, end=period.end, week_start=week, taken_at=now,
                figures=figures,
            )
    except IntegrityError:  # another request took it first
        return ForecastSnapshot.objects.get(start=period.start, end=period.end, week_start=week)


def _compare(figures: dict[str, Any], actual: Decimal) -> dict[str, Any]:
    closed = Decimal(figures["closed_won"])
    p10, p50, p90 = (Decimal(figures[k]) for k in ("p10", "p50", "p90"))
    return {
        "closed_won_then": closed, "p10": p10, "p50": p50, "p90": p90,
        "commit_total": closed + Decimal(figures["commit"]),
        "weighted_total": closed + Decimal(figures["weighted"]),
        "actual": actual, "error": p50 - actual,
        "error_pct": ((p50 - actual) / actual * 100).quantize(Decimal("0.1")) if actual else None,
        "within_interval": p10 <= actual <= p90,
    }


def _week(snapshot: ForecastSnapshot, actual: dict[int, Decimal]) -> dict[str, Any]:
    figures = snapshot.figures
    owners = []
    for row in figures.get("owners", []):
        mine = actual.get(row["owner_id"], ZERO)
        owners.append({"owner_id": row["owner_id"], "owner": row["owner"],
                       **_compare(row, mine)})
    return {
        "week_start": snapshot.week_start, "taken_at": snapshot.taken_at,
        **_compare(figures, sum(actual.values(), ZERO)), "owners": owners,
    }


def accuracy(period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    """Forecast vs actual per week of `period`; `final` is False until it has ended.
    A final one is cached (per process) until a deal, quota, stage or snapshot changes."""
    now = now or timezone.now()
    if timezone.localdate(now) < period.end:
        return {"start": period.start, "end": period.end, "final": False,
                "actual": None, "weeks": []}
    snapshots = ForecastSnapshot.objects.filter(start=period.start, end=period.end)
    state = "|".join(map(str, (period.start, period.end, data_version(),
                               *snapshots.aggregate(n=Count("id"), last=Max("taken_at")).values())))
    key = "pipeline-accuracy-" + hashlib.sha256(state.encode()).hexdigest()
    result = cache.get(key)
    if result is None:
        actual = closed_won_by_owner(period, None)
        result = {
            "start": period.start, "end": period.end, "final": True,
            "actual": sum(actual.values(), ZERO),
            "weeks": [_week(s, actual) for s in snapshots.order_by("week_start")],
        }
        cache.set(key, result, timeout=86400)
    return result


def accuracy_by_owner(history: dict[str, Any]) -> list[dict[str, Any]]:
    """The per-rep view of `accuracy()`: one row per owner (by name) with their actual
    and, per week, their comparison (None in a week whose snapshot lacks them)."""
    weeks = history["weeks"]
    names: dict[int, str] = {}
    actual: dict[int, Decimal] = {}
    for week in weeks:
        for row in week["owners"]:
            names[row["owner_id"]], actual[row["owner_id"]] = row["owner"], row["actual"]
    by_week = [{row["owner_id"]: row for row in week["owners"]} for week in weeks]
    return [
        {"owner_id": owner, "owner": names[owner], "actual": actual[owner],
         "weeks": [cells.get(owner) for cells in by_week]}
        for owner in sorted(names, key=lambda o: names[o])
    ]

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
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from smarketing.pipeline.forecast import ZERO, Period, closed_won_by_owner, forecast
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
    """Forecast vs actual per week of `period`; `final` is False until it has ended."""
    now = now or timezone.now()
    final = timezone.localdate(now) >= period.end
    snapshots = ForecastSnapshot.objects.filter(start=period.start, end=period.end)
    if not final:
        return {"start": period.start, "end": period.end, "final": False,
                "actual": None, "weeks": []}
    actual = closed_won_by_owner(period, None)
    return {
        "start": period.start, "end": period.end, "final": True,
        "actual": sum(actual.values(), ZERO),
        "weeks": [_week(s, actual) for s in snapshots.order_by("week_start")],
    }

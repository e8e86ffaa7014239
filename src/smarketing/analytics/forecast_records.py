"""Drill-down of the forecast figures on the dashboards (pipeline/forecast.py computes them):
the records behind each, whose `amount` column adds up to the figure.

- closed_won: the deals won in P;
- commit, best_case, pipeline: the in-scope open deals (forecast.in_scope) of that
  category (the rep's override, else the stage's; a "closed won" override counts as
  commit, as in the forecast);
- weighted: the in-scope open deals not omitted, `amount` = amount x stage probability;
- quota: one row per owner, the quotas prorated to P;
- gap (quota - closed won): the quota rows, and the won deals with a negative amount;
- p10, p50, p90: percentiles of a simulation are not sums; their records are the
  simulation's inputs (the won deals and the in-scope open deals not omitted, with the
  stage probability), and the page says so.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone

from smarketing.analytics.registry import Records
from smarketing.core.errors import ValidationFailed
from smarketing.core.periods import Period
from smarketing.pipeline import forecast
from smarketing.pipeline.models import Deal, DealStatus, ForecastCategory

FIGURES = ("closed_won", "commit", "best_case", "pipeline", "weighted", "quota", "gap",
           "p10", "p50", "p90")
PERCENTILES = ("p10", "p50", "p90")
COLUMNS = ("deal_id", "name", "owner", "stage", "category", "probability", "amount")


def _won(period: Period) -> QuerySet[Deal]:
    start, end = period.bounds()
    return Deal.objects.filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)


def _open(period: Period) -> QuerySet[Deal]:
    scope = forecast.in_scope(period, timezone.localdate())
    return Deal.objects.filter(scope).annotate(
        category=Coalesce(NullIf(F("forecast_category_override"), Value("")),
                          F("stage__forecast_category")),
    ).exclude(category=ForecastCategory.OMITTED)


def _deal_rows(qs: QuerySet[Deal], amount: Any = None, sign: int = 1) -> list[tuple[Any, ...]]:
    rows = qs.annotate(shown=amount if amount is not None else F("amount")).order_by("pk")
    return [(pk, name, owner, stage, category, probability, sign * shown)
            for pk, name, owner, stage, category, probability, shown in rows.values_list(
                "pk", "name", "owner__username", "stage__name", "category", "stage__probability",
                "shown")]


def _quota_rows(period: Period) -> list[tuple[Any, ...]]:
    from django.contrib.auth import get_user_model

    quotas = forecast.prorated_quotas(period, None)
    users = get_user_model().objects.in_bulk(list(quotas))
    return [(None, "quota", users[o].username if o in users else str(o), "", "", None, amount)
            for o, amount in sorted(quotas.items())]


def forecast_records(period: Period, figure: str) -> Records:
    """The rows behind one forecast figure (their `amount` adds up to it, except for
    the percentiles: see the module docstring)."""
    if figure not in FIGURES:
        raise ValidationFailed(f"figure: {figure!r} is not one of {', '.join(FIGURES)}",
                               field="figure")
    won = _won(period).annotate(category=Value(ForecastCategory.CLOSED_WON.value))
    if figure == "closed_won":
        rows = _deal_rows(won)
    elif figure in ("commit", "best_case", "pipeline"):
        wanted = [figure, *([ForecastCategory.CLOSED_WON] if figure == "commit" else [])]
        rows = _deal_rows(_open(period).filter(category__in=wanted))  # type: ignore[misc]
    elif figure == "weighted":
        rows = _deal_rows(_open(period), F("amount") * F("stage__probability"))
    elif figure == "quota":
        rows = _quota_rows(period)
    elif figure == "gap":
        rows = _quota_rows(period) + _deal_rows(won, sign=-1)
    else:
        rows = _deal_rows(won) + _deal_rows(_open(period))
    return Records(COLUMNS, rows, sum_of="" if figure in PERCENTILES else "amount")

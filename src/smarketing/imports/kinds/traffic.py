"""Organic traffic exports of SEO tools (Ahrefs / SEMrush style: date, keyword or page,
traffic, position) as channel metrics: each day's traffic, summed over the file's
keywords, is that day's clicks of the campaign "Organic search" (channel
content_seo, created when missing). Re-importing a file replaces the days it holds."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from pydantic import Field

from smarketing.campaigns.models import Campaign, Channel
from smarketing.campaigns.services import MetricRow, campaign_create, metrics_upsert
from smarketing.imports.kinds.base import (
    CREATED,
    Context,
    Kind,
    Money,
    Outcome,
    Row,
    RowError,
    RowModel,
    Stamp,
    Whole,
)

ORGANIC = "Organic search"


class TrafficIn(RowModel):
    day: Stamp = None
    keyword: str = Field("", max_length=1000)
    traffic: Whole = None
    position: Money = None
    campaign: str = ORGANIC


def _campaign(name: str, ctx: Context) -> Campaign:
    found = Campaign.objects.filter(name__iexact=name).first()
    if found is not None:
        return found
    return campaign_create(actor=ctx.actor, name=name, channel=Channel.CONTENT_SEO,
                           utm_campaign=name, start_date=timezone.localdate())


def _totals(ctx: Context) -> dict[tuple[str, dt.date], int]:
    return ctx.extra.setdefault("traffic", {})  # type: ignore[no-any-return]


def remember(row: Row, ctx: Context) -> None:
    """Count a row into its day's total (also for rows replayed on resume)."""
    data: TrafficIn = row.data
    if data.day is not None and data.traffic is not None and data.traffic >= 0:
        key = (data.campaign, timezone.localtime(data.day).date())
        _totals(ctx)[key] = _totals(ctx).get(key, 0) + data.traffic


def write_traffic(rows: list[Row], ctx: Context) -> list[Outcome]:
    outcomes, touched = [], set()
    for row in rows:
        if row.data.day is None:
            outcomes.append(Outcome(row.line, "error", ctx.column("day"), "a row needs a date"))
            continue
        if row.data.traffic is None or row.data.traffic < 0:
            err = RowError(ctx.column("traffic"), "traffic must be a whole number >= 0")
            outcomes.append(Outcome(row.line, "error", err.column, err.reason))
            continue
        remember(row, ctx)
        touched.add((row.data.campaign, timezone.localtime(row.data.day).date()))
        outcomes.append(Outcome(row.line, CREATED))
    metrics = [MetricRow(campaign_id=_campaign(name, ctx).pk, day=day,
                         clicks=_totals(ctx)[(name, day)]) for name, day in sorted(touched)]
    metrics_upsert(actor=ctx.actor, rows=metrics)
    return outcomes


ORGANIC_TRAFFIC = Kind(name="organic_traffic", model=TrafficIn, write=write_traffic,
                       replay=remember)

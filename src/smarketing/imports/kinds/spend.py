"""Campaign costs and channel metrics: the columns and values of campaigns' own CSV
import (campaigns/imports.py: generic and Facebook Ads layouts), row by row."""

from __future__ import annotations

from smarketing.campaigns.imports import (
    COST_COLUMNS,
    METRIC_COLUMNS,
    CampaignLookup,
    LineError,
    cost_row,
    header_columns,
    metric_row,
)
from smarketing.campaigns.services import metrics_upsert
from smarketing.imports.kinds.base import (
    CREATED,
    SKIPPED,
    Context,
    Kind,
    Outcome,
    Row,
    RowError,
    RowModel,
    per_row,
)


class CostIn(RowModel):
    campaign: str = ""
    kind: str = ""
    amount: str = ""
    start_date: str = ""
    end_date: str = ""
    note: str = ""


class MetricIn(RowModel):
    """Raw text: campaigns.imports parses and checks each value (line and column)."""

    campaign: str = ""
    day: str = ""
    impressions: str = ""
    clicks: str = ""
    spend: str = ""
    likes: str = ""
    shares: str = ""
    comments: str = ""
    video_views: str = ""



def _lookup(ctx: Context) -> CampaignLookup:
    if "campaigns" not in ctx.extra:
        ctx.extra["campaigns"] = CampaignLookup()
    return ctx.extra["campaigns"]  # type: ignore[no-any-return]


def _refused(exc: LineError) -> RowError:
    return RowError(exc.field, exc.message.split(": ", 1)[-1])


def _cost(row: Row, ctx: Context) -> Outcome:
    try:
        added = cost_row(line=row.line, row=row.data.model_dump(), campaigns=_lookup(ctx),
                         actor=ctx.actor)
    except LineError as exc:
        raise _refused(exc) from exc
    return Outcome(row.line, CREATED if added else SKIPPED)


def _metric(row: Row, ctx: Context) -> Outcome:
    try:
        metrics_upsert(actor=ctx.actor, rows=[
            metric_row(row.line, row.data.model_dump(), _lookup(ctx))])
    except LineError as exc:
        raise _refused(exc) from exc
    return Outcome(row.line, CREATED)


CAMPAIGN_COSTS = Kind(name="campaign_costs", model=CostIn,
                      write=lambda rows, ctx: per_row(rows, ctx, _cost),
                      fields=frozenset(COST_COLUMNS),
                      header=lambda header, m: header_columns(header, m, "costs"))
CHANNEL_METRICS = Kind(name="channel_metrics", model=MetricIn,
                       write=lambda rows, ctx: per_row(rows, ctx, _metric),
                       fields=frozenset(METRIC_COLUMNS),
                       header=lambda header, m: header_columns(header, m, "metrics"))

"""Attribution rows per deal (DealAttribution) and their sums per day (AttributionDay),
so a period's attribution is a read of about 365 rows per key instead of a year of
journeys computed on every request.

Exactly correct, late events included: `rollup_refresh` brings the rows of every stale
deal and the day sums up to date. Campaigns' attribution pages call it before their
read; the dashboards never do (no request of theirs waits on it): they read the rows
as of the last refresh (`rollup_as_of`, shown next to the figures), which the worker
runs as a job (REFRESH_JOB) whenever its periodic check (`refresh_due`) finds new
events, changed campaigns, assets or merges, or stale deals.
1. What makes a deal stale: database triggers (migration 0004) on any write to the
   deal's amount, status, created or closed moment, its contact links, or a linked
   contact's reached(lead); a trigger on a campaign's channel (migration 0005); and
   `touches_sync()` (campaigns/touches.py), which materialises new events as touch
   points and marks the deals of the contacts whose touch points were added, resolved
   again (campaigns or assets changed) or merged.
2. Stale deals are computed again, all six models and both bases, by the window
   statement (campaigns/attribution_query.py); a deal without a touch gets one row
   for "(none)" (campaign 0), so every period's rows sum to its total.
3. The day sums follow the rows: a deleted row (recomputed or its deal deleted, by
   any code path) leaves them through a trigger (migration 0005), new rows are added
   by `_add_days` in the same transaction; one refresh runs at a time (a lock on the
   TouchSync row), so concurrent refreshes never interleave their sums.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from smarketing.campaigns.attribution_query import day_sql, shares_statement
from smarketing.campaigns.models import (
    AttributionDay,
    Campaign,
    Channel,
    DealAttribution,
    DealAttributionState,
    TouchSync,
)
from smarketing.campaigns.touches import touches_pending, touches_sync
from smarketing.core.jobs import enqueue
from smarketing.pipeline.models import Deal, DealStatus

MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
BASES = ("pipeline", "revenue")
STATE, ROWS = DealAttributionState._meta.db_table, DealAttribution._meta.db_table
DAYS, CAMPAIGN = AttributionDay._meta.db_table, Campaign._meta.db_table
DEAL = Deal._meta.db_table
REFRESH_JOB = "campaigns.attribution_refresh"
CHUNK = 5000
STALE = f"dl.id IN (SELECT deal_id FROM {STATE} WHERE stale)"
COLUMNS = "deal_id, at, campaign_id, cents, channel, channel_deal, basis, model"
# one row per deal and channel counts the deal once for the channel
FIRST_OF_CHANNEL = ("CASE WHEN ROW_NUMBER() OVER (PARTITION BY x.deal_id, x.channel "
                    "ORDER BY COALESCE(x.campaign_id, -1)) = 1 THEN 1 ELSE 0 END")


def _insert_rows(cursor: object, basis: str, model: str) -> None:
    conv = "dl.created_at" if basis == "pipeline" else "dl.closed_at"
    won = "" if basis == "pipeline" else f" AND dl.status = '{DealStatus.WON}'"
    keyed = (f"SELECT s.*, COALESCE(c.channel, '{Channel.CONTENT_SEO}') AS channel FROM "
             f"({shares_statement(model, basis, STALE)}) s "
             f"LEFT JOIN {CAMPAIGN} c ON c.id = s.campaign_id")
    cursor.execute(  # type: ignore[attr-defined]
        f"INSERT INTO {ROWS} ({COLUMNS}) SELECT x.deal_id, x.conv, x.campaign_id, x.cents, "
        f"x.channel, {FIRST_OF_CHANNEL}, %s, %s FROM ({keyed}) x", [basis, model])
    cursor.execute(  # type: ignore[attr-defined]
        f"INSERT INTO {ROWS} ({COLUMNS}) "
        f"SELECT dl.id, {conv}, 0, CAST(ROUND(dl.amount * 100) AS BIGINT), '', 1, %s, %s "
        f"FROM {DEAL} dl WHERE {STALE}{won} AND {conv} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {ROWS} r WHERE r.deal_id = dl.id AND r.basis = %s AND r.model = %s)",
        [basis, model, basis, model])


def _add_days(cursor: object) -> None:
    """Add the stale deals' new rows to the day sums (their old rows left the sums when
    they were deleted: the trigger of migration 0005)."""
    stale = f"r.deal_id IN (SELECT deal_id FROM {STATE} WHERE stale)"
    items = {"campaign": ("CAST(COALESCE(r.campaign_id, -1) AS TEXT)", "COUNT(*)"),
             "channel": ("r.channel", "SUM(r.channel_deal)")}
    for kind, (item, deals) in items.items():
        cursor.execute(  # type: ignore[attr-defined]
            f"INSERT INTO {DAYS} (basis, model, kind, day, item, cents, deals) "
            f"SELECT r.basis, r.model, %s, {day_sql('r.at')}, {item}, SUM(r.cents), {deals} "
            f"FROM {ROWS} r WHERE {stale} GROUP BY r.basis, r.model, 4, 5 "
            f"ON CONFLICT (basis, model, kind, day, item) DO UPDATE SET "
            f"cents = {DAYS}.cents + excluded.cents, deals = {DAYS}.deals + excluded.deals",
            [kind])


def _recompute(stale: list[int]) -> None:
    """Step 2: the stale deals' rows and their day sums again. Other transactions
    marking one of `stale` wait for the row lock and mark it again after this one
    commits (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROWS} WHERE deal_id IN "
                       f"(SELECT deal_id FROM {STATE} WHERE stale)")
        for basis in BASES:
            for model in MODELS:
                _insert_rows(cursor, basis, model)
        _add_days(cursor)
    for first in range(0, len(stale), CHUNK):
        DealAttributionState.objects.filter(pk__in=stale[first:first + CHUNK]).update(
            stale=False)


def rollup_refresh() -> None:
    """Make every deal's rows exact (module docstring); nothing stale costs the touch
    points' check and one indexed EXISTS. Records when it began: the as-of time."""
    began = timezone.now()
    touches_sync()
    if DealAttributionState.objects.filter(stale=True).exists():
        with transaction.atomic():
            TouchSync.objects.select_for_update().first()  # one refresh at a time: day sums
            stale = list(DealAttributionState.objects.select_for_update().filter(
                stale=True).values_list("pk", flat=True))
            if stale:
                _recompute(stale)
    if not TouchSync.objects.update(refreshed_at=began):
        TouchSync.objects.create(refreshed_at=began)


def rollup_as_of() -> dt.datetime | None:
    """When the refresh that the stored rows reflect began (None: never refreshed)."""
    return TouchSync.objects.values_list("refreshed_at", flat=True).first()


def rollup_pending() -> bool:
    """Whether events, campaigns, assets, merges or deals changed since the last refresh."""
    return (touches_pending() is not None
            or DealAttributionState.objects.filter(stale=True).exists())


def queue_refresh(now: dt.datetime) -> None:
    """Queue one refresh job per as-of state (a failed one is tried again next hour)."""
    as_of = rollup_as_of()
    key = f"{REFRESH_JOB}:{as_of.isoformat() if as_of else 'never'}:{now:%Y-%m-%dT%H}"
    enqueue(REFRESH_JOB, {}, dedupe_key=key)


def refresh_due(now: dt.datetime) -> int:
    """The worker's periodic check: queue a refresh when anything changed (1 if queued)."""
    if not rollup_pending():
        return 0
    queue_refresh(now)
    return 1


def run_refresh_job(payload: dict[str, Any]) -> None:
    rollup_refresh()

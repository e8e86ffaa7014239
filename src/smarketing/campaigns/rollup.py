"""Attribution rows per deal (DealAttribution), so a period's attribution is one indexed
aggregate instead of a year of journeys computed on every request.

Exactly correct, late events included: before every read, `rollup_refresh` brings the
rows of every stale deal up to date.
1. What makes a deal stale: database triggers (migration 0004) on any write to the
   deal's amount, status, created or closed moment, its contact links, or a linked
   contact's reached(lead); and `touches_sync()` (campaigns/touches.py), which
   materialises new events as touch points and marks the deals of the contacts whose
   touch points were added, resolved again (campaigns or assets changed) or merged.
2. Stale deals are computed again, all six models and both bases, by the window
   statement (campaigns/attribution_query.py); a deal without a touch gets one row
   for "(none)" (campaign 0), so every period's rows sum to its total.
"""

from __future__ import annotations

from django.db import connection, transaction

from smarketing.campaigns.attribution_query import shares_statement
from smarketing.campaigns.models import DealAttribution, DealAttributionState
from smarketing.campaigns.touches import touches_sync
from smarketing.pipeline.models import Deal, DealStatus

MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
BASES = ("pipeline", "revenue")
STATE, ROWS = DealAttributionState._meta.db_table, DealAttribution._meta.db_table
DEAL = Deal._meta.db_table
CHUNK = 5000
STALE = f"dl.id IN (SELECT deal_id FROM {STATE} WHERE stale)"


def _insert_rows(cursor: object, basis: str, model: str) -> None:
    conv = "dl.created_at" if basis == "pipeline" else "dl.closed_at"
    won = "" if basis == "pipeline" else f" AND dl.status = '{DealStatus.WON}'"
    cursor.execute(  # type: ignore[attr-defined]
        f"INSERT INTO {ROWS} (deal_id, at, campaign_id, cents, basis, model) "
        f"SELECT x.*, %s, %s FROM ({shares_statement(model, basis, STALE)}) x", [basis, model])
    cursor.execute(  # type: ignore[attr-defined]
        f"INSERT INTO {ROWS} (deal_id, at, campaign_id, cents, basis, model) "
        f"SELECT dl.id, {conv}, 0, CAST(ROUND(dl.amount * 100) AS BIGINT), %s, %s "
        f"FROM {DEAL} dl WHERE {STALE}{won} AND {conv} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {ROWS} r WHERE r.deal_id = dl.id AND r.basis = %s AND r.model = %s)",
        [basis, model, basis, model])


def _recompute(stale: list[int]) -> None:
    """Step 2: the stale deals' rows again. Other transactions marking one of `stale`
    wait for the row lock and mark it again after this one commits (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROWS} WHERE deal_id IN "
                       f"(SELECT deal_id FROM {STATE} WHERE stale)")
        for basis in BASES:
            for model in MODELS:
                _insert_rows(cursor, basis, model)
    for first in range(0, len(stale), CHUNK):
        DealAttributionState.objects.filter(pk__in=stale[first:first + CHUNK]).update(
            stale=False)


def rollup_refresh() -> None:
    """Make every deal's rows exact (module docstring); nothing stale costs the touch
    points' check and one indexed EXISTS."""
    touches_sync()
    if not DealAttributionState.objects.filter(stale=True).exists():
        return
    with transaction.atomic():
        stale = list(DealAttributionState.objects.select_for_update().filter(
            stale=True).values_list("pk", flat=True))
        if stale:
            _recompute(stale)

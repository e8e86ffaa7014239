"""Attribution in SQL: each deal's shares in one window statement over the materialised
touch points (stored per deal by campaigns/rollup.py), and a period read as one
indexed aggregate of those rows.

The same definition as the Python reference in campaigns/attribution.py (`weights`,
`allocate`), computed by the database with window functions, so that a year of
50k deals never goes through Python one deal at a time:
- per deal, its touches in order (time, then event id): position `pos`, count `n`,
  and the positions of the lead-creation (`lp`) and deal-creation (`dp`) touches
  (the number of touches at or before the moment, at least 1: the first touch);
- each model's weight as an exact fraction num/den with one denominator per deal
  (u_shaped: den = 5L, w_shaped: den = 10L, L = the number of touches sharing the
  rest), or, for time decay, 2^(-age_days / 7) normalised in floating point;
- the largest remainder method in integer cents: each touch gets floor(cents x
  weight), the left-over cents go to the largest remainders, ties to the earlier
  touch; so each model sums to the total to the cent.
Deals without a touch get a row of their own (campaigns/rollup.py): the "(none)" item.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from smarketing.campaigns.models import Campaign, ContentAsset, DealAttribution, TouchPoint
from smarketing.people.models import Contact
from smarketing.pipeline.models import Deal, DealContact, DealStatus

ROLE_MODELS = {"u_shaped": (2, 5), "w_shaped": (3, 10)}  # role share = a / b


def _is(condition: str) -> str:
    return f"(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _rational(model: str) -> tuple[str, str]:
    """(numerator, denominator) SQL of a touch's weight under a rational model."""
    if model == "first_touch":
        return _is("pos = 1"), "1"
    if model == "last_touch":
        return _is("pos = n"), "1"
    if model == "linear":
        return "1", "n"
    share, whole = ROLE_MODELS[model]
    held = f"({_is('pos = 1')} + {_is('pos = lp')}"
    holders = f"(1 + {_is('lp <> 1')}"
    if model == "w_shaped":
        held += f" + {_is('pos = dp')}"
        holders += f" + {_is('dp <> 1 AND dp <> lp')}"
    held, holders = held + ")", holders + ")"
    rest_over = f"(CASE WHEN n > {holders} THEN n - {holders} ELSE {holders} END)"
    gets_rest = f"(CASE WHEN n > {holders} THEN {_is(f'{held} = 0')} ELSE {_is(f'{held} > 0')} END)"
    return f"({share} * {rest_over} * {held} + {gets_rest})", f"({whole} * {rest_over})"


def _floor(expression: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(FLOOR({expression}) AS BIGINT)"
    return f"CAST({expression} AS INTEGER)"  # positive values: truncation is the floor


def _age_days() -> str:
    if connection.vendor == "postgresql":
        return "CAST(EXTRACT(EPOCH FROM (conv - at)) AS DOUBLE PRECISION) / 86400.0"
    return "(julianday(conv) - julianday(at))"


def _shares(model: str) -> str:
    """SELECT over `t` giving deal_id, conv, pos, cents, campaign_id, positive, fl, rem."""
    cols = "deal_id, conv, pos, cents, campaign_id"
    if model == "time_decay":
        raw = "(cents * decay / SUM(decay) OVER (PARTITION BY deal_id))"
        inner = (f"SELECT {cols}, {raw} AS raw FROM (SELECT {cols}, "
                 f"POWER(2.0, -({_age_days()}) / 7.0) AS decay FROM t) t0")
        return (f"SELECT {cols}, 1 AS positive, {_floor('raw')} AS fl, "
                f"raw - {_floor('raw')} AS rem FROM ({inner}) t1")
    num, den = _rational(model)
    return (f"SELECT {cols}, {_is(f'{num} > 0')} AS positive, (cents * {num}) / {den} AS fl, "
            f"((cents * {num}) %% {den}) * 1.0 / {den} AS rem FROM t")


def shares_statement(model: str, basis: str, deals: str) -> str:
    """WITH ... SELECT deal_id, conv, campaign_id, cents: every stale deal's attributed
    cents per campaign under `model` (touches with a positive weight only). `deals` is
    the SQL condition on `dl` (the deal table) choosing the deals."""
    deal, link, contact = Deal._meta.db_table, DealContact._meta.db_table, Contact._meta.db_table
    touch, asset = TouchPoint._meta.db_table, ContentAsset._meta.db_table
    conv = "dl.created_at" if basis == "pipeline" else "dl.closed_at"
    won = "" if basis == "pipeline" else f" AND dl.status = '{DealStatus.WON}'"
    part = "PARTITION BY d.deal_id"
    return f"""
WITH d AS (
  SELECT dl.id AS deal_id, CAST(ROUND(dl.amount * 100) AS BIGINT) AS cents,
         dl.created_at AS created_at, {conv} AS conv,
         (SELECT MIN(ct.became_lead_at) FROM {link} dc JOIN {contact} ct
            ON ct.id = dc.contact_id WHERE dc.deal_id = dl.id) AS lead_at
  FROM {deal} dl WHERE {deals}{won} AND {conv} IS NOT NULL
),
t AS (
  SELECT d.deal_id, d.cents, d.conv, tp.at,
         COALESCE(tp.campaign_id, a.campaign_id) AS campaign_id,
         ROW_NUMBER() OVER ({part} ORDER BY tp.at, tp.event_id) AS pos,
         COUNT(*) OVER ({part}) AS n,
         CASE WHEN SUM({_is('tp.at <= d.lead_at')}) OVER ({part}) > 1
              THEN SUM({_is('tp.at <= d.lead_at')}) OVER ({part}) ELSE 1 END AS lp,
         CASE WHEN SUM({_is('tp.at <= d.created_at')}) OVER ({part}) > 1
              THEN SUM({_is('tp.at <= d.created_at')}) OVER ({part}) ELSE 1 END AS dp
  FROM d JOIN {link} dc ON dc.deal_id = d.deal_id
  JOIN {touch} tp ON tp.contact_id = dc.contact_id AND tp.at <= d.conv
  LEFT JOIN {asset} a ON a.id = tp.asset_ref
  WHERE tp.campaign_id IS NOT NULL OR a.id IS NOT NULL
),
s AS ({_shares(model)}),
f AS (
  SELECT deal_id, conv, campaign_id, positive,
         fl + CASE WHEN ROW_NUMBER() OVER (PARTITION BY deal_id ORDER BY rem DESC, pos)
                        <= cents - SUM(fl) OVER (PARTITION BY deal_id) THEN 1 ELSE 0 END
           AS amount
  FROM s
)
SELECT deal_id, conv, campaign_id, SUM(amount) FROM f WHERE positive = 1
GROUP BY deal_id, conv, campaign_id
"""


@dataclass(frozen=True)
class Rows:
    """Attributed cents and deal counts by key, and the period's total."""

    by_key: dict[str, tuple[int, int]]
    total_cents: int


def _read_statement(by: str) -> str:
    rows, campaign = DealAttribution._meta.db_table, Campaign._meta.db_table
    column = "name" if by == "campaign" else "channel"
    key = f"CASE WHEN r.campaign_id = 0 THEN %s ELSE COALESCE(c.{column}, %s) END"
    return f"""
SELECT {key}, SUM(r.cents), COUNT(DISTINCT r.deal_id)
  FROM {rows} r LEFT JOIN {campaign} c ON c.id = r.campaign_id
 WHERE r.basis = %s AND r.model = %s AND r.at >= %s AND r.at < %s GROUP BY 1
"""


def attribution_rows(*, start: dt.datetime, end: dt.datetime, model: str, basis: str,
                     by: str, unkeyed: str, untouched: str) -> Rows:
    """Read the period from the per-deal rows (campaigns/rollup.py keeps them exact);
    `unkeyed` names a touch without a campaign, `untouched` a deal without touches."""
    params: list[str | dt.datetime] = [untouched, unkeyed, basis, model, start, end]
    with connection.cursor() as cursor:
        cursor.execute(_read_statement(by), params)
        by_key = {key: (int(Decimal(cents)), int(deals)) for key, cents, deals in cursor}
    return Rows(by_key, sum(cents for cents, _ in by_key.values()))

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
from typing import Any

from django.db import connection

from smarketing.campaigns.models import (
    AttributionDay,
    Campaign,
    ContentAsset,
    DealAttribution,
    TouchPoint,
)
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
SELECT deal_id, conv, campaign_id, SUM(amount) AS cents FROM f WHERE positive = 1
GROUP BY deal_id, conv, campaign_id
"""


@dataclass(frozen=True)
class Rows:
    """Attributed cents and deal counts by key, and the period's total."""

    by_key: dict[str, tuple[int, int]]
    total_cents: int


def sql_moment(moment: dt.datetime) -> Any:
    """A moment as the database stores it (SQLite: naive UTC text), for raw SQL."""
    return connection.ops.adapt_datetimefield_value(moment)


def day_sql(column: str) -> str:
    """SQL of the UTC day of a stored moment (the AttributionDay bucket)."""
    if connection.vendor == "postgresql":
        return f"CAST({column} AT TIME ZONE 'UTC' AS DATE)"
    return f"date({column})"


def _full_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The UTC midnights [first, last) whose whole days lie in [start, end) (first ==
    last == end when none does). The moments before `first` and from `last` on are read from
    the per-deal rows."""
    def midnight(moment: dt.datetime) -> dt.datetime:
        utc = moment.astimezone(dt.UTC)
        return dt.datetime.combine(utc.date(), dt.time(), tzinfo=dt.UTC)

    first = midnight(start) + (dt.timedelta(days=1) if midnight(start) < start else
                               dt.timedelta(0))
    last = midnight(end)
    return (first, last) if first < last else (end, end)


def _read_statement(by: str) -> str:
    """Items and their cents and deals: whole days from the day sums, the partial days
    at the period's edges from the per-deal rows (a deal converts once, so it counts
    in exactly one of them)."""
    rows, days = DealAttribution._meta.db_table, AttributionDay._meta.db_table
    item, deals = (("CAST(COALESCE(campaign_id, -1) AS TEXT)", "1") if by == "campaign"
                   else ("channel", "channel_deal"))
    return f"""
SELECT item, SUM(cents), SUM(deals) FROM (
  SELECT item, cents, deals FROM {days}
   WHERE basis = %s AND model = %s AND kind = %s AND day >= %s AND day < %s
  UNION ALL
  SELECT {item}, cents, {deals} FROM {rows}
   WHERE basis = %s AND model = %s AND ((at >= %s AND at < %s) OR (at >= %s AND at < %s))
) x GROUP BY item HAVING SUM(deals) > 0
"""


def _names(by: str, unkeyed: str, untouched: str) -> dict[str, str]:
    """What each stored item is called: a campaign's name (by campaign), the channel
    (by channel); -1 a touch without a campaign, 0 and '' a deal without touches."""
    if by == "campaign":
        names = {str(pk): name for pk, name in Campaign.objects.values_list("pk", "name")}
        return {**names, "-1": unkeyed, "0": untouched}
    return {"": untouched}


def attribution_rows(*, start: dt.datetime, end: dt.datetime, model: str, basis: str,
                     by: str, unkeyed: str, untouched: str) -> Rows:
    """Read the period (campaigns/rollup.py keeps the rows and day sums exact); `unkeyed`
    names a touch without a campaign (by channel it is always content_seo: stored so,
    to count a deal once there), `untouched` a deal without touches."""
    first, last = _full_days(start, end)
    params = [basis, model, by, first.date().isoformat(), last.date().isoformat(),
              basis, model, *(sql_moment(m) for m in (start, first, last, end))]
    names = _names(by, unkeyed, untouched)
    by_key: dict[str, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(_read_statement(by), params)
        for item, cents, deals in cursor:
            key = names.get(item, item)
            had = by_key.get(key, (0, 0))
            by_key[key] = (had[0] + int(Decimal(cents)), had[1] + int(deals))
    return Rows(by_key, sum(cents for cents, _ in by_key.values()))


def direct_statement(model: str, basis: str, by: str) -> str:
    """One statement computing a period's figure straight from the deals, their contacts
    and the touch points (no per-deal rows): key, cents, deals. Parameters: the
    untouched key, the unkeyed key, then start, end twice. The benchmark's limit, and
    an independent check of the per-deal rows in the tests."""
    link, touch, asset = DealContact._meta.db_table, TouchPoint._meta.db_table, \
        ContentAsset._meta.db_table
    deal, campaign = Deal._meta.db_table, Campaign._meta.db_table
    conv = "dl.created_at" if basis == "pipeline" else "dl.closed_at"
    won = "" if basis == "pipeline" else f" AND dl.status = '{DealStatus.WON}'"
    column = "name" if by == "campaign" else "channel"
    period = f"{conv} >= %s AND {conv} < %s"
    return f"""
SELECT CASE WHEN x.campaign_id = 0 THEN %s ELSE COALESCE(c.{column}, %s) END,
       SUM(x.cents), COUNT(DISTINCT x.deal_id)
  FROM (SELECT deal_id, campaign_id, cents FROM ({shares_statement(model, basis, period)}) s
        UNION ALL
        SELECT dl.id, 0, CAST(ROUND(dl.amount * 100) AS BIGINT) FROM {deal} dl
         WHERE {period}{won} AND NOT EXISTS (
               SELECT 1 FROM {link} dc JOIN {touch} tp ON tp.contact_id = dc.contact_id
               LEFT JOIN {asset} a ON a.id = tp.asset_ref
                WHERE dc.deal_id = dl.id AND tp.at <= {conv}
                  AND (tp.campaign_id IS NOT NULL OR a.id IS NOT NULL))) x
  LEFT JOIN {campaign} c ON c.id = x.campaign_id
 GROUP BY 1
"""

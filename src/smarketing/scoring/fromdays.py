"""Scores from the daily counts (scoring.days) instead of the event history: the
incremental path once every matcher of the active model is ready.

The engagement statement is setbased's, fed with per-(contact, UTC day) rule counts
from two disjoint sources:
- the daily counts, for the days before today that no rule's recency window cuts
  (a rule with a window of N days reads only days after the one N days before `at`);
- the events themselves, for the edge days: today (only the events up to `at`
  count) and each window's first day (only the events inside it), each read through
  the (contact, timestamp) index for that day alone.
Days whose decay factor is 0 are not read. So the score is the same number the full
rescore computes, from at most a row per rule and active day, never a contact's
older events. Hand-raises: the first day a hand-raise matcher counted, whose events
alone are read to name the earliest one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.db.models import Min, Q

from smarketing.scoring import setbased
from smarketing.scoring.days import hand_raise_key, rule_keys
from smarketing.scoring.engine import ContactResult, ModelSpec, add_hand_raises
from smarketing.scoring.models import EngagementDay


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _day_q(day: dt.date) -> Q:
    return Q(timestamp__gte=_day_start(day), timestamp__lt=_day_start(day + dt.timedelta(days=1)))


def _boundaries(spec: ModelSpec, at: dt.datetime) -> list[dt.date | None]:
    """Each rule's window's first (partial) UTC day; None without a window."""
    return [(at - dt.timedelta(days=r.recency_days)).astimezone(dt.UTC).date()
            if r.recency_days else None for r in spec.engagement_rules]


def _counted_days(spec: ModelSpec, ids: list[int], at: dt.datetime, keys: dict[str, int],
                  edges: list[dt.date]) -> tuple[str, list[Any]]:
    """Per (contact, day) the rules' counts from the daily counts, edge days left out."""
    adapt, table = connection.ops.adapt_datefield_value, setbased.quote_table(EngagementDay)
    columns, params = [], list[Any]()
    for i, (key, boundary) in enumerate(zip(rule_keys(spec), _boundaries(spec, at), strict=True)):
        window = "" if boundary is None else " AND c.day > %s"
        params += [] if boundary is None else [adapt(boundary)]
        columns.append(f"SUM(CASE WHEN c.matcher_id = {int(keys[key])}{window} "
                       f"THEN c.occurrences ELSE 0 END) AS n{i}")
    day = "c.day" if connection.vendor == "postgresql" else \
        "CAST(replace(c.day, '-', '') AS INTEGER)"  # setbased's day keys
    horizon = setbased.decay_horizon(spec.half_life_days, at)
    where = " AND c.day >= %s" if horizon else ""
    ids_sql = ", ".join(str(int(i)) for i in ids)
    sql = (f"SELECT c.contact_id AS contact_id, {day} AS day, {', '.join(columns)} "
           f"FROM {table} c WHERE c.contact_id IN ({ids_sql}) AND c.day < %s{where} "
           f"AND c.day NOT IN ({', '.join(['%s'] * len(edges))}) GROUP BY c.contact_id, c.day")
    today = at.astimezone(dt.UTC).date()
    return sql, [*params, adapt(today), *([adapt(horizon)] if horizon else []),
                 *(adapt(e) for e in edges)]


def engagement_statement(spec: ModelSpec, ids: list[int], at: dt.datetime,
                         keys: dict[str, int]) -> tuple[str, list[Any]]:
    """(contact_id, engagement, busy) of these contacts, as setbased computes it from
    all their events, from their daily counts and their edge days' events."""
    today = at.astimezone(dt.UTC).date()
    edges = sorted({today, *(b for b in _boundaries(spec, at) if b is not None)})
    parts = [_counted_days(spec, ids, at, keys, edges)]
    parts += [setbased.daily_sums(spec, Q(contact_id__in=ids) & _day_q(day), at) for day in edges]
    source = " UNION ALL ".join(sql for sql, _ in parts)
    counts = [f"d.n{i}" for i in range(len(spec.engagement_rules))]
    return (setbased.engagement_sql(spec, f"({source}) d", counts),
            [p for _, params in parts for p in params])


def add_hand_raises_from_days(spec: ModelSpec, results: dict[int, ContactResult],
                              keys: dict[str, int], at: dt.datetime) -> None:
    """Each contact's earliest hand-raise up to `at`: the events of the first day a
    hand-raise matcher counted for it (if that day is today and all of them came
    after `at`, there is none: no earlier day counted one)."""
    if not spec.hand_raise_events or not results:
        return
    matchers = [keys[hand_raise_key(name)] for name in spec.hand_raise_events]
    firsts = (EngagementDay.objects.filter(contact_id__in=list(results), matcher_id__in=matchers,
                                           day__lte=at.astimezone(dt.UTC).date())
              .values("contact_id").annotate(first=Min("day")).values_list("contact_id", "first")
              .order_by())
    days = list(firsts)
    for start in range(0, len(days), 500):
        scope = Q(pk__in=[])
        for contact_id, day in days[start : start + 500]:
            scope |= Q(contact_id=contact_id) & _day_q(day)
        add_hand_raises(spec, results, scope, at)

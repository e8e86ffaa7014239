"""Exact web rollups: sessions and per-quarter-hour page views of the web events.

visitors, sessions, page_views, bounce_rate and visitor_to_lead_rate (KPI.md) read
these two tables instead of every event of the period (tracking/selectors.py
web_metrics, the direct computation, stays the definition and the tests compare):

- WebSession: the sessions themselves (the same gap rule as web_metrics).
- WebVisit: page views per visitor and UTC quarter hour. A period of whole local days
  is a whole number of quarter hours in every time zone in use; a range that is not
  quarter-hour aligned is computed directly.
- Kept off the write path: database triggers queue each changed visitor (inserted,
  deleted or changed page/track events: stitching, merges, late and out-of-order
  events) and `webqueue.apply()` recomputes their stretches set-based, in the worker
  and before every read here, so what is read is exact (analytics/webqueue.py).
- Reads go through the per-quarter-hour counters and each visit row's previous
  bucket (analytics/webcounters.py, kept by triggers on these two tables): sessions,
  bounces and page views are sums over the period's buckets, visitors a range count.

`rebuild` recomputes both tables set-based (the migration's backfill, and a repair).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from smarketing.analytics import webcounters, webqueue
from smarketing.tracking.selectors import GAP_SQL, SESSION_GAP, VISITOR, WebMetrics

BUCKET_MINUTES = 15
SESSIONS, VISITS, EVENTS = "analytics_websession", "analytics_webvisit", "tracking_event"
WEB = "('page', 'track')"


def _gap(vendor: str, later: str, earlier: str) -> str:
    rule = GAP_SQL[vendor].replace("%s", str(SESSION_GAP.total_seconds()))
    return rule.format(later=later, earlier=earlier)


def bucket_sql(vendor: str, ts: str) -> str:
    if vendor == "postgresql":
        return f"date_bin('{BUCKET_MINUTES} minutes', {ts}, TIMESTAMPTZ '2000-01-01 00:00+00')"
    return (f"(strftime('%Y-%m-%d %H:', {ts}) || printf('%02d:00', "
            f"CAST(strftime('%M', {ts}) AS INTEGER) / {BUCKET_MINUTES} * {BUCKET_MINUTES}))")


def install(schema_editor: Any, counters: bool = True) -> None:
    """Queue changed visitors from now on (webqueue's triggers) and fill both tables
    from the events there are (and the counters, unless `counters` is False)."""
    webqueue.install(schema_editor.connection)
    rebuild(schema_editor.connection, counters)


def uninstall(schema_editor: Any) -> None:
    """Stop keeping the rollups (a bulk load then `install` again, which rebuilds)."""
    webcounters.uninstall(schema_editor.connection)
    webqueue.uninstall(schema_editor.connection)


def rebuild_statements(vendor: str) -> list[str]:
    partition = VISITOR
    gap = _gap(vendor, "timestamp", "LAG(timestamp) OVER w")
    return [
        f"DELETE FROM {SESSIONS}",
        f"INSERT INTO {SESSIONS} (visitor, contact_id, started, ended, events, pages) "
        f"SELECT visitor, contact_id, MIN(ts), MAX(ts), COUNT(*), SUM(page) FROM ("
        "SELECT visitor, contact_id, ts, page, SUM(starts) OVER (PARTITION BY visitor "
        "ORDER BY ts, id ROWS UNBOUNDED PRECEDING) AS n FROM ("
        f"SELECT {partition} AS visitor, contact_id, timestamp AS ts, id, "
        "CASE WHEN type = 'page' THEN 1 ELSE 0 END AS page, "
        f"CASE WHEN LAG(timestamp) OVER w IS NULL OR {gap} THEN 1 ELSE 0 END AS starts "
        f"FROM {EVENTS} WHERE type IN {WEB} "
        f"WINDOW w AS (PARTITION BY {partition} ORDER BY timestamp, id)) AS x) AS y "
        "GROUP BY visitor, contact_id, n",
        f"DELETE FROM {VISITS}",
        f"INSERT INTO {VISITS} (visitor, contact_id, bucket, pages) "
        f"SELECT {VISITOR}, contact_id, {bucket_sql(vendor, 'timestamp')}, COUNT(*) "
        f"FROM {EVENTS} WHERE type = 'page' GROUP BY 1, 2, 3",
    ]


def rebuild(db: Any = connection, counters: bool = True) -> None:
    """Recompute both rollups from all events (set-based: one statement each; the queue
    of changed visitors emptied and, on SQLite, every event marked swept, as this covers
    them), then their counters (analytics/webcounters.py; its triggers are off meanwhile)."""
    if counters:
        webcounters.uninstall(db)
    with db.cursor() as cursor:
        for sql in [f"DELETE FROM {webqueue.DIRTY}", *rebuild_statements(db.vendor)]:
            cursor.execute(sql)
    webqueue.mark_all_swept(db)
    if counters:
        webcounters.refill(db)


# ---- reads ------------------------------------------------------------------------

def aligned(*moments: dt.datetime) -> bool:
    return all(m.second == 0 and m.microsecond == 0 and m.minute % BUCKET_MINUTES == 0
               for m in (x.astimezone(dt.UTC) for x in moments))


def _db(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def web_metrics(start: dt.datetime, end: dt.datetime) -> WebMetrics | None:
    """tracking.web_metrics for [start, end) from the counters (None: not aligned): the
    bucket sums, and the visitors as the visit rows of P whose previous bucket is
    before P (analytics/webcounters.py)."""
    if not aligned(start, end):
        return None
    webqueue.apply()
    bounds = [_db(start), _db(end)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {VISITS} WHERE bucket >= %s AND bucket < %s "
                       "AND (previous IS NULL OR previous < %s)", [*bounds, bounds[0]])
        visitors = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(SUM(sessions), 0), COALESCE(SUM(bounces), 0), "
                       f"COALESCE(SUM(pages), 0) FROM {webcounters.BUCKETS} "
                       "WHERE bucket >= %s AND bucket < %s", bounds)
        sessions, bounces, page_views = (int(x) for x in cursor.fetchone())
    return WebMetrics(visitors=visitors, sessions=sessions, page_views=page_views,
                      bounce_rate=bounces / sessions if sessions else None)


def anonymous_visitors(start: dt.datetime, end: dt.datetime) -> int | None:
    """Distinct anonymous ids with a page view in [start, end) not tied to a contact
    (None: not aligned): their visit rows of the period whose previous bucket is before
    it, one per visitor (a range of the web_visit_contact index: contact NULL, bucket
    in the period)."""
    if not aligned(start, end):
        return None
    webqueue.apply()
    bounds = [_db(start), _db(end)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {VISITS} WHERE contact_id IS NULL "
                       "AND bucket >= %s AND bucket < %s AND (previous IS NULL OR "
                       "previous < %s) AND substr(visitor, 1, 1) = 'a'", [*bounds, bounds[0]])
        return int(cursor.fetchone()[0])


def visitors_who_became_leads(start: dt.datetime, end: dt.datetime) -> int | None:
    """Contacts with a page view in [start, end) who reached lead in it (None: not aligned)."""
    if not aligned(start, end):
        return None
    webqueue.apply()
    bounds = [_db(start), _db(end)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM people_contact c WHERE c.became_lead_at >= %s "
            f"AND c.became_lead_at < %s AND EXISTS (SELECT 1 FROM {VISITS} v "
            "WHERE v.contact_id = c.id AND v.bucket >= %s AND v.bucket < %s)", bounds * 2)
        return int(cursor.fetchone()[0])

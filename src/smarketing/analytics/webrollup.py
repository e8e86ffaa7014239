"""Exact web rollups: sessions and per-quarter-hour page views, kept by database triggers.

visitors, sessions, page_views, bounce_rate and visitor_to_lead_rate (KPI.md) read
these two tables instead of every event of the period (tracking/selectors.py
web_metrics, the direct computation, stays the definition and the tests compare):

- WebSession: the sessions themselves. A trigger on tracking_event, for each page or
  track event inserted, deleted or changed (visitor or timestamp: stitching, merges,
  late and out-of-order events), takes the visitor's sessions within 31 minutes of
  that event's time, deletes them and recomputes that stretch from the raw events
  (the same gap rule as web_metrics, so a late event that bridges two sessions merges
  them and a deleted one splits them). The stretch is bounded by gaps of more than
  30 minutes, so the sessions outside it cannot change.
- WebVisit: page views per visitor and UTC quarter hour, counted up and down by the
  same triggers. A period of whole local days is a whole number of quarter hours in
  every time zone in use; a range that is not quarter-hour aligned is computed
  directly.
- Reads go through the per-quarter-hour counters and each visit row's previous
  bucket (analytics/webcounters.py, kept by triggers on these two tables): sessions,
  bounces and page views are sums over the period's buckets, visitors a range count.

SQLite and PostgreSQL each get their own trigger syntax (`install`); `rebuild`
recomputes both tables set-based (the migration's backfill, and a repair command).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from smarketing.analytics import webcounters
from smarketing.tracking.selectors import GAP_SQL, SESSION_GAP, VISITOR, WebMetrics

BUCKET_MINUTES = 15
NEAR = "31 minutes"  # more than the 30-minute gap: the stretch a change can reach
SESSIONS, VISITS, EVENTS = "analytics_websession", "analytics_webvisit", "tracking_event"
KINDS = {  # visitor kind: (row is of this kind, visitor key, the raw events of that visitor)
    "c": ("{r}.contact_id IS NOT NULL", "'c' || CAST({r}.contact_id AS TEXT)",
          "e.contact_id = {r}.contact_id"),
    "a": ("{r}.contact_id IS NULL AND {r}.anonymous_id <> ''", "'a' || {r}.anonymous_id",
          "e.contact_id IS NULL AND e.anonymous_id = {r}.anonymous_id"),
    "u": ("{r}.contact_id IS NULL AND {r}.anonymous_id = ''", "'u' || {r}.user_id",
          "e.contact_id IS NULL AND e.anonymous_id = '' AND e.user_id = {r}.user_id"),
}
WEB = "('page', 'track')"
CHANGED = ("OLD.contact_id IS NOT NEW.contact_id OR OLD.anonymous_id <> NEW.anonymous_id OR "
           "OLD.user_id <> NEW.user_id OR OLD.timestamp <> NEW.timestamp OR "
           "OLD.type <> NEW.type")


def _gap(vendor: str, later: str, earlier: str) -> str:
    rule = GAP_SQL[vendor].replace("%s", str(SESSION_GAP.total_seconds()))
    return rule.format(later=later, earlier=earlier)


def bucket_sql(vendor: str, ts: str) -> str:
    if vendor == "postgresql":
        return f"date_bin('{BUCKET_MINUTES} minutes', {ts}, TIMESTAMPTZ '2000-01-01 00:00+00')"
    return (f"(strftime('%Y-%m-%d %H:', {ts}) || printf('%02d:00', "
            f"CAST(strftime('%M', {ts}) AS INTEGER) / {BUCKET_MINUTES} * {BUCKET_MINUTES}))")


def islands_sql(vendor: str, where: str, visitor: str, contact: str, pending: str) -> str:
    """INSERT the sessions of the raw events selected by `where` (one visitor)."""
    gap = _gap(vendor, "e.timestamp", "LAG(e.timestamp) OVER w")
    return (
        f"INSERT INTO {SESSIONS} (visitor, contact_id, started, ended, events, pages, pending) "
        f"SELECT {visitor}, {contact}, MIN(ts), MAX(ts), COUNT(*), SUM(page), {pending} FROM ("
        "SELECT ts, page, SUM(starts) OVER (ORDER BY ts, id ROWS UNBOUNDED PRECEDING) AS n "
        "FROM (SELECT e.timestamp AS ts, e.id AS id, "
        "CASE WHEN e.type = 'page' THEN 1 ELSE 0 END AS page, "
        f"CASE WHEN LAG(e.timestamp) OVER w IS NULL OR {gap} THEN 1 ELSE 0 END AS starts "
        f"FROM {EVENTS} e WHERE {where} AND e.type IN {WEB} "
        "WINDOW w AS (ORDER BY e.timestamp, e.id)) AS x) AS y GROUP BY n"
    )


# ---- SQLite: no variables in a trigger, so the rebuilt sessions are written as pending,
# the old ones of the stretch deleted, then the pending ones kept.

def _sqlite_near(r: str, visitor: str) -> str:
    return (f"visitor = {visitor} AND pending = 0 "
            f"AND started <= strftime('%Y-%m-%d %H:%M:%S', {r}.timestamp, '+{NEAR}') "
            f"AND ended >= strftime('%Y-%m-%d %H:%M:%S', {r}.timestamp, '-{NEAR}')")


def _sqlite_session_body(r: str, kind: str) -> str:
    _, visitor, raw = (part.format(r=r) for part in KINDS[kind])
    near = _sqlite_near(r, visitor)
    low = (f"(SELECT MIN(x) FROM (SELECT {r}.timestamp AS x UNION ALL "
           f"SELECT started FROM {SESSIONS} WHERE {near}))")
    high = (f"(SELECT MAX(x) FROM (SELECT {r}.timestamp AS x UNION ALL "
            f"SELECT ended FROM {SESSIONS} WHERE {near}))")
    where = f"{raw} AND e.timestamp >= {low} AND e.timestamp <= {high}"
    contact = f"{r}.contact_id" if kind == "c" else "NULL"
    return (f"{islands_sql('sqlite', where, visitor, contact, '1')}; "
            f"DELETE FROM {SESSIONS} WHERE {near}; "
            f"UPDATE {SESSIONS} SET pending = 0 WHERE visitor = {visitor} AND pending = 1;")


def _sqlite_visit_body(r: str, kind: str, step: int) -> str:
    _, visitor, _ = (part.format(r=r) for part in KINDS[kind])
    bucket = bucket_sql("sqlite", f"{r}.timestamp")
    if step > 0:
        return (f"INSERT INTO {VISITS} (visitor, contact_id, bucket, pages) VALUES "
                f"({visitor}, {r}.contact_id, {bucket}, 1) ON CONFLICT (visitor, bucket) "
                "DO UPDATE SET pages = pages + 1;")
    match = f"visitor = {visitor} AND bucket = {bucket}"
    return (f"UPDATE {VISITS} SET pages = pages - 1 WHERE {match}; "
            f"DELETE FROM {VISITS} WHERE {match} AND pages <= 0;")


def sqlite_triggers() -> list[str]:
    """One trigger per (write, side of the row, visitor kind, rollup)."""
    cases = (("ins", "INSERT", "NEW", "", 1), ("del", "DELETE", "OLD", "", -1),
             ("updold", "UPDATE", "OLD", f" AND ({CHANGED})", -1),
             ("updnew", "UPDATE", "NEW", f" AND ({CHANGED})", 1))
    statements = []
    for tag, event, r, extra, step in cases:
        for kind, (is_kind, _, _) in KINDS.items():
            when = is_kind.format(r=r) + extra
            statements.append(
                f"CREATE TRIGGER analytics_web_session_{tag}_{kind} AFTER {event} ON {EVENTS} "
                f"FOR EACH ROW WHEN {r}.type IN {WEB} AND {when} "
                f"BEGIN {_sqlite_session_body(r, kind)} END")
            statements.append(
                f"CREATE TRIGGER analytics_web_visit_{tag}_{kind} AFTER {event} ON {EVENTS} "
                f"FOR EACH ROW WHEN {r}.type = 'page' AND {when} "
                f"BEGIN {_sqlite_visit_body(r, kind, step)} END")
    return statements


# ---- PostgreSQL: one function per write, serialised per visitor by an advisory lock.

def _pg_refresh() -> str:
    branches = []
    for kind, (is_kind, visitor, raw) in KINDS.items():
        where = raw.format(r="r") + " AND e.timestamp BETWEEN lo AND hi"
        contact = "r.contact_id" if kind == "c" else "NULL"
        branches.append(
            f"{'IF' if kind == 'c' else 'ELSIF'} {is_kind.format(r='r')} THEN "
            f"v := {visitor.format(r='r')}; "
            f"PERFORM pg_advisory_xact_lock(hashtext('analytics_web:' || v)); "
            f"SELECT LEAST(r.timestamp, MIN(started)), GREATEST(r.timestamp, MAX(ended)) "
            f"INTO lo, hi FROM {SESSIONS} WHERE visitor = v "
            f"AND started <= r.timestamp + interval '{NEAR}' "
            f"AND ended >= r.timestamp - interval '{NEAR}'; "
            f"DELETE FROM {SESSIONS} WHERE visitor = v AND started <= r.timestamp + "
            f"interval '{NEAR}' AND ended >= r.timestamp - interval '{NEAR}'; "
            f"{islands_sql('postgresql', where, 'v', contact, 'FALSE')}; "
            "IF r.type = 'page' THEN "
            f"INSERT INTO {VISITS} (visitor, contact_id, bucket, pages) VALUES "
            f"(v, r.contact_id, {bucket_sql('postgresql', 'r.timestamp')}, step) "
            f"ON CONFLICT (visitor, bucket) DO UPDATE SET pages = {VISITS}.pages + step; "
            f"DELETE FROM {VISITS} WHERE visitor = v AND bucket = "
            f"{bucket_sql('postgresql', 'r.timestamp')} AND pages <= 0; END IF; ")
    return (
        f"CREATE FUNCTION analytics_web_refresh(r {EVENTS}, step integer) RETURNS void AS $$ "
        "DECLARE v text; lo timestamptz; hi timestamptz; BEGIN "
        f"IF r.type NOT IN {WEB} THEN RETURN; END IF; "
        f"{''.join(branches)}END IF; END $$ LANGUAGE plpgsql"
    )


def postgresql_triggers() -> list[str]:
    changed = CHANGED.replace("IS NOT", "IS DISTINCT FROM").replace("<>", "IS DISTINCT FROM")
    return [
        _pg_refresh(),
        "CREATE FUNCTION analytics_web_event() RETURNS trigger AS $$ BEGIN "
        "IF TG_OP IN ('DELETE', 'UPDATE') THEN PERFORM analytics_web_refresh(OLD, -1); END IF; "
        "IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM analytics_web_refresh(NEW, 1); END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER analytics_web_event_write AFTER INSERT OR DELETE ON {EVENTS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_web_event()",
        f"CREATE TRIGGER analytics_web_event_change AFTER UPDATE ON {EVENTS} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION analytics_web_event()",
    ]


def install(schema_editor: Any, counters: bool = True) -> None:
    """Create the triggers and fill both tables from the events there are (and the
    counters, unless migration 0001 runs before their table exists)."""
    vendor = schema_editor.connection.vendor
    for sql in postgresql_triggers() if vendor == "postgresql" else sqlite_triggers():
        schema_editor.execute(sql)
    rebuild(schema_editor.connection, counters)


def uninstall(schema_editor: Any) -> None:
    webcounters.uninstall(schema_editor.connection)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS analytics_web_event_write ON {EVENTS}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS analytics_web_event_change ON {EVENTS}")
        schema_editor.execute("DROP FUNCTION IF EXISTS analytics_web_event()")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS analytics_web_refresh({EVENTS}, integer)")
        return
    for sql in sqlite_triggers():
        name = sql.split()[2]
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


def rebuild_statements(vendor: str) -> list[str]:
    partition = VISITOR
    gap = _gap(vendor, "timestamp", "LAG(timestamp) OVER w")
    false = "FALSE" if vendor == "postgresql" else "0"
    return [
        f"DELETE FROM {SESSIONS}",
        f"INSERT INTO {SESSIONS} (visitor, contact_id, started, ended, events, pages, pending) "
        f"SELECT visitor, contact_id, MIN(ts), MAX(ts), COUNT(*), SUM(page), {false} FROM ("
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
    """Recompute both rollups from all events (set-based: one statement each), then
    their counters (analytics/webcounters.py; its triggers are off meanwhile)."""
    if counters:
        webcounters.uninstall(db)
    with db.cursor() as cursor:
        for sql in rebuild_statements(db.vendor):
            cursor.execute(sql)
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


def visitors_who_became_leads(start: dt.datetime, end: dt.datetime) -> int | None:
    """Contacts with a page view in [start, end) who reached lead in it (None: not aligned)."""
    if not aligned(start, end):
        return None
    bounds = [_db(start), _db(end)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM people_contact c WHERE c.became_lead_at >= %s "
            f"AND c.became_lead_at < %s AND EXISTS (SELECT 1 FROM {VISITS} v "
            "WHERE v.contact_id = c.id AND v.bucket >= %s AND v.bucket < %s)", bounds * 2)
        return int(cursor.fetchone()[0])

"""The queue of changed visitors that keeps the web rollups exact, off the write path.

Every change of a page or track event (ingestion, imports, the generator, restores,
stitching, merges, deletes) puts its visitor on analytics_webdirty, with the earliest
and latest time it touched (one row per visitor and writer: an upsert widening
[lo, hi]). PostgreSQL: a statement trigger per INSERT, UPDATE and DELETE reading its
transition tables, each backend upserting only its own rows (`writer` =
pg_backend_pid()), so concurrent writers never wait on each other's queue rows.
SQLite (`writer` 0): row triggers for UPDATE and DELETE; inserted events are swept
instead, by id: `apply()` first queues the visitors of the events above the mark
(analytics_webmark) and moves the mark past them. Their ids only grow (AUTOINCREMENT)
and SQLite commits one writer at a time, so every event committed after a sweep has a
higher id than the mark it left. A row trigger on the events cost more than the insert
itself (its trigger program and statement journal: ~22 of ~50 us an event).

`apply()` drains the queue set-based, in chunks of visitors: for each claimed visitor
the stretch [lo, hi] grows to the sessions within 31 minutes of it (a change there can
merge or split them; none further can change, the gap rule being 30 minutes), the
sessions of the stretch and the page views of its quarter hours are recomputed from
the raw events, and only the rows that differ are deleted, updated or inserted, so the
counting triggers (webcounters.py) keep the per-quarter-hour counters and previous
buckets. It runs in the worker (a job queued when events are stored, one per
`WINDOW` seconds, and a periodic check for any other writer) and before every read of
the rollups (webrollup.web_metrics, visitors_who_became_leads): reads are exact.
Applies are serialised (PostgreSQL: an advisory lock; SQLite: the ingestion writers'
turn and its single writer); applying twice, or an empty queue, changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.db import connection, transaction

from smarketing.tracking.selectors import GAP_SQL, SESSION_GAP
from smarketing.tracking.writelock import ingestion_writer_turn

DIRTY, EVENTS, MARK = "analytics_webdirty", "tracking_event", "analytics_webmark"
SESSIONS, VISITS = "analytics_websession", "analytics_webvisit"
WEB, PAGE = "('page', 'track')", "('page')"
NEAR = 31  # minutes: more than the 30-minute gap, the stretch a change can reach
BUCKET_MINUTES = 15
CHUNK = 2000  # visitors per apply transaction: short turns for the writers waiting
JOB = "analytics.web_apply"
WINDOW = 5  # seconds: at most one queued apply job per window
VISITOR = ("CASE WHEN {r}.contact_id IS NOT NULL THEN 'c' || CAST({r}.contact_id AS TEXT) "
           "WHEN {r}.anonymous_id <> '' THEN 'a' || {r}.anonymous_id ELSE 'u' || {r}.user_id END")
CHANGED = ("OLD.contact_id IS NOT NEW.contact_id OR OLD.anonymous_id <> NEW.anonymous_id OR "
           "OLD.user_id <> NEW.user_id OR OLD.timestamp <> NEW.timestamp OR "
           "OLD.type <> NEW.type")
# The row triggers that kept the rollups before this queue (migration 0003 drops them).
LEGACY_SQLITE = [f"analytics_web_{what}_{tag}_{kind}" for what in ("session", "visit")
                 for tag in ("ins", "del", "updold", "updnew") for kind in "cau"]
LEGACY_PG = [f"DROP TRIGGER IF EXISTS analytics_web_event_write ON {EVENTS}",
             f"DROP TRIGGER IF EXISTS analytics_web_event_change ON {EVENTS}",
             "DROP FUNCTION IF EXISTS analytics_web_event()",
             f"DROP FUNCTION IF EXISTS analytics_web_refresh({EVENTS}, integer)"]


def _upsert(vendor: str) -> str:
    least, greatest = ("LEAST", "GREATEST") if vendor == "postgresql" else ("MIN", "MAX")
    return (f"ON CONFLICT (visitor, writer) DO UPDATE SET "
            f"lo = {least}({DIRTY}.lo, excluded.lo), hi = {greatest}({DIRTY}.hi, excluded.hi)")


# ---- recording: the triggers -------------------------------------------------------

def _sqlite_record(r: str) -> str:
    return (f"INSERT INTO {DIRTY} (visitor, writer, lo, hi) SELECT {VISITOR.format(r=r)}, 0, "
            f"{r}.timestamp, {r}.timestamp WHERE {r}.type IN {WEB} {_upsert('sqlite')};")


_HEAD = "CREATE TRIGGER analytics_web_dirty_{} AFTER {} ON " + EVENTS + " FOR EACH ROW "


def sqlite_insert_trigger() -> str:
    """The insert trigger before migration 0007 (its reverse makes it again)."""
    return (_HEAD.format("ins", "INSERT") +
            f"WHEN NEW.type IN {WEB} BEGIN {_sqlite_record('NEW')} END")


def sqlite_triggers() -> list[str]:
    return [  # inserts: swept by id (sweep_statements)
        _HEAD.format("del", "DELETE") + f"WHEN OLD.type IN {WEB} BEGIN {_sqlite_record('OLD')} END",
        _HEAD.format("upd", "UPDATE") + f"WHEN ({CHANGED}) "
        f"BEGIN {_sqlite_record('OLD')} {_sqlite_record('NEW')} END",
    ]


def _pg_function(name: str, rows: str) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            f"INSERT INTO {DIRTY} (visitor, writer, lo, hi) "
            f"SELECT v, pg_backend_pid(), MIN(ts), MAX(ts) FROM ({rows}) AS r "
            f"GROUP BY v ORDER BY v {_upsert('postgresql')}; "
            "RETURN NULL; END $$ LANGUAGE plpgsql")


def postgresql_triggers() -> list[str]:
    """Statement triggers: the transition tables' rows, grouped per visitor (aliases o and
    n, since OLD and NEW are PL/pgSQL's own, unset in a statement trigger)."""
    changed = (CHANGED.replace("IS NOT", "IS DISTINCT FROM").replace("<>", "IS DISTINCT FROM")
               .replace("OLD.", "o.").replace("NEW.", "n."))
    pairs = " UNION ALL ".join(
        f"SELECT {VISITOR.format(r=r)} AS v, {r}.timestamp AS ts FROM old_rows o "
        f"JOIN new_rows n ON n.id = o.id WHERE ({changed}) AND {r}.type IN {WEB}"
        for r in ("o", "n"))
    rows = f"SELECT {VISITOR.format(r='c')} AS v, c.timestamp AS ts FROM changed c " \
        f"WHERE c.type IN {WEB}"
    trigger = ("CREATE TRIGGER analytics_web_dirty_{0} AFTER {1} ON " + EVENTS +
               " REFERENCING {2} FOR EACH STATEMENT EXECUTE FUNCTION analytics_web_dirty_{3}()")
    return [
        _pg_function("analytics_web_dirty_rows", rows),
        _pg_function("analytics_web_dirty_pairs", pairs),
        trigger.format("ins", "INSERT", "NEW TABLE AS changed", "rows"),
        trigger.format("del", "DELETE", "OLD TABLE AS changed", "rows"),
        trigger.format("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "pairs"),
    ]


def drop_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in
                [*LEGACY_SQLITE, "analytics_web_dirty_ins", "analytics_web_dirty_del",
                 "analytics_web_dirty_upd"]]
    return [*LEGACY_PG, *(f"DROP TRIGGER IF EXISTS analytics_web_dirty_{t} ON {EVENTS}"
                          for t in ("ins", "del", "upd")),
            "DROP FUNCTION IF EXISTS analytics_web_dirty_rows()",
            "DROP FUNCTION IF EXISTS analytics_web_dirty_pairs()"]


def install(db: Any) -> None:
    """Record changed visitors from now on (and drop the old per-event rollup triggers)."""
    create = postgresql_triggers() if db.vendor == "postgresql" else sqlite_triggers()
    with db.cursor() as cursor:
        for sql in [*drop_statements(db.vendor), *create]:
            cursor.execute(sql)


def uninstall(db: Any) -> None:
    with db.cursor() as cursor:
        for sql in drop_statements(db.vendor):
            cursor.execute(sql)


# ---- applying: set-based, per chunk of visitors -------------------------------------

def _plus(vendor: str, ts: str, minutes: int) -> str:
    if vendor == "postgresql":
        return f"({ts} + interval '{minutes} minutes')"
    return f"strftime('%Y-%m-%d %H:%M:%S', {ts}, '{minutes:+d} minutes')"


def _bucket(vendor: str, ts: str) -> str:
    from smarketing.analytics.webrollup import bucket_sql

    return bucket_sql(vendor, ts)


def _temp_tables(vendor: str) -> list[str]:
    time_type, tail = (("timestamptz", " ON COMMIT DELETE ROWS") if vendor == "postgresql"
                       else ("TEXT", ""))
    create = "CREATE TEMP TABLE IF NOT EXISTS {} ({}){}"
    return [
        create.format("web_apply", f"visitor TEXT PRIMARY KEY, lo {time_type}, hi {time_type}, "
                      f"vlo {time_type}, vhi {time_type}", tail),
        create.format("web_new_sessions", f"visitor TEXT, contact_id BIGINT, started {time_type}, "
                      f"ended {time_type}, events INTEGER, pages INTEGER, "
                      "PRIMARY KEY (visitor, started)", tail),
        create.format("web_new_visits", f"visitor TEXT, contact_id BIGINT, bucket {time_type}, "
                      "pages INTEGER, PRIMARY KEY (visitor, bucket)", tail),
        "DELETE FROM web_apply", "DELETE FROM web_new_sessions", "DELETE FROM web_new_visits",
    ]


def _claim(vendor: str) -> str:
    """Take up to CHUNK visitors off the queue into web_apply (their widest stretch)."""
    chosen = (f"visitor IN (SELECT DISTINCT visitor FROM {DIRTY} ORDER BY visitor "
              f"LIMIT {CHUNK})")
    if vendor == "postgresql":
        return (f"WITH gone AS (DELETE FROM {DIRTY} WHERE {chosen} RETURNING visitor, lo, hi) "
                "INSERT INTO web_apply (visitor, lo, hi) SELECT visitor, MIN(lo), MAX(hi) "
                "FROM gone GROUP BY visitor")
    return (f"INSERT INTO web_apply (visitor, lo, hi) SELECT visitor, MIN(lo), MAX(hi) "
            f"FROM {DIRTY} WHERE {chosen} GROUP BY visitor")


def _stretch(vendor: str) -> list[str]:
    """The quarter hours of the touched times (vlo, vhi), then [lo, hi] widened to the
    sessions within NEAR minutes of it: every session a change there can merge or split."""
    least, greatest = ("LEAST", "GREATEST") if vendor == "postgresql" else ("MIN", "MAX")
    near = (f"FROM {SESSIONS} s WHERE s.visitor = web_apply.visitor "
            f"AND s.started <= {_plus(vendor, 'web_apply.hi', NEAR)} "
            f"AND s.ended >= {_plus(vendor, 'web_apply.lo', -NEAR)}")
    return [
        f"UPDATE web_apply SET vlo = {_bucket(vendor, 'lo')}, "
        f"vhi = {_plus(vendor, _bucket(vendor, 'hi'), BUCKET_MINUTES)}",
        f"UPDATE web_apply SET lo = COALESCE({least}(lo, (SELECT MIN(s.started) {near})), lo), "
        f"hi = COALESCE({greatest}(hi, (SELECT MAX(s.ended) {near})), hi)",
    ]


def _raw(vendor: str, low: str, high: str, types: str) -> str:
    """The raw events of each claimed visitor with `low` and `high` bounds on their time.
    The join starts from the claimed visitors (CROSS JOIN: SQLite keeps that order) and
    reads each one's events through its own index (SQLite, without statistics, would
    pick the contact index for `contact_id IS NULL`: every anonymous event)."""
    matches = {
        "c": ("event_contact_ts", "e.contact_id = CASE WHEN SUBSTR(a.visitor, 1, 1) = 'c' "
              "THEN CAST(SUBSTR(a.visitor, 2) AS BIGINT) END"),
        "a": ("event_anonymous_ts",
              "e.anonymous_id = SUBSTR(a.visitor, 2) AND e.contact_id IS NULL"),
        "u": ("event_user", "e.user_id = SUBSTR(a.visitor, 2) AND e.contact_id IS NULL "
              "AND e.anonymous_id = ''"),
    }
    return " UNION ALL ".join(
        "SELECT a.visitor AS visitor, e.contact_id AS contact_id, e.timestamp AS ts, "
        "e.id AS id, CASE WHEN e.type = 'page' THEN 1 ELSE 0 END AS page "
        f"FROM web_apply a CROSS JOIN {EVENTS} e"
        f"{f' INDEXED BY {index}' if vendor == 'sqlite' else ''} WHERE {match} "
        f"AND e.timestamp {low} AND e.timestamp {high} AND e.type IN {types} "
        f"AND SUBSTR(a.visitor, 1, 1) = '{kind}'"
        for kind, (index, match) in matches.items())


def _recompute(vendor: str) -> list[str]:
    """The stretch's sessions (the gap rule of tracking.web_metrics) and the page views of
    its quarter hours, from the raw events."""
    gap = GAP_SQL[vendor].replace("%s", str(SESSION_GAP.total_seconds()))
    gap = gap.format(later="ts", earlier="LAG(ts) OVER w")
    return [
        "INSERT INTO web_new_sessions (visitor, contact_id, started, ended, events, pages) "
        "SELECT visitor, contact_id, MIN(ts), MAX(ts), COUNT(*), SUM(page) FROM ("
        "SELECT visitor, contact_id, ts, page, SUM(starts) OVER (PARTITION BY visitor "
        "ORDER BY ts, id ROWS UNBOUNDED PRECEDING) AS n FROM ("
        "SELECT visitor, contact_id, ts, id, page, "
        f"CASE WHEN LAG(ts) OVER w IS NULL OR {gap} THEN 1 ELSE 0 END AS starts "
        f"FROM ({_raw(vendor, '>= a.lo', '<= a.hi', WEB)}) AS r "
        "WINDOW w AS (PARTITION BY visitor ORDER BY ts, id)) AS x) AS y "
        "GROUP BY visitor, contact_id, n",
        "INSERT INTO web_new_visits (visitor, contact_id, bucket, pages) "
        f"SELECT visitor, contact_id, {_bucket(vendor, 'ts')}, COUNT(*) "
        f"FROM ({_raw(vendor, '>= a.vlo', '< a.vhi', PAGE)}) AS r GROUP BY 1, 2, 3",
    ]


SAME_SESSION = ("{a}.visitor = {b}.visitor AND {a}.started = {b}.started AND "
                "{a}.ended = {b}.ended AND {a}.events = {b}.events AND {a}.pages = {b}.pages")


def _write() -> list[str]:
    """Only the rows that differ: deleted, updated, inserted (the counting triggers of
    webcounters.py follow each)."""
    same_visit = "n.visitor = v.visitor AND n.bucket = v.bucket"
    return [
        f"DELETE FROM {SESSIONS} WHERE id IN (SELECT s.id FROM web_apply a CROSS JOIN "
        f"{SESSIONS} s WHERE s.visitor = a.visitor AND s.started >= a.lo AND s.started <= a.hi "
        "AND NOT EXISTS (SELECT 1 FROM web_new_sessions n WHERE "
        f"{SAME_SESSION.format(a='n', b='s')}))",
        f"INSERT INTO {SESSIONS} (visitor, contact_id, started, ended, events, pages) "
        "SELECT visitor, contact_id, started, ended, events, pages FROM web_new_sessions n "
        f"WHERE NOT EXISTS (SELECT 1 FROM {SESSIONS} s WHERE {SAME_SESSION.format(a='s', b='n')})",
        f"DELETE FROM {VISITS} WHERE id IN (SELECT v.id FROM web_apply a CROSS JOIN {VISITS} v "
        "WHERE v.visitor = a.visitor AND v.bucket >= a.vlo AND v.bucket < a.vhi "
        f"AND NOT EXISTS (SELECT 1 FROM web_new_visits n WHERE {same_visit}))",
        f"UPDATE {VISITS} SET pages = (SELECT n.pages FROM web_new_visits n WHERE "
        f"n.visitor = {VISITS}.visitor AND n.bucket = {VISITS}.bucket) WHERE id IN ("
        f"SELECT v.id FROM web_new_visits n CROSS JOIN {VISITS} v WHERE {same_visit} "
        "AND v.pages <> n.pages)",
        f"INSERT INTO {VISITS} (visitor, contact_id, bucket, pages) "
        "SELECT visitor, contact_id, bucket, pages FROM web_new_visits n "
        f"WHERE NOT EXISTS (SELECT 1 FROM {VISITS} v WHERE {same_visit})",
    ]


def _previous(vendor: str) -> str:
    """Each visit row's previous bucket, set again for the rows of the claimed quarter
    hours and the first row after them. The counting triggers keep it row by row, which
    is exact when rows are written one at a time (SQLite's row triggers run as each row
    is written); PostgreSQL runs a statement's row triggers after all its rows, so a
    statement deleting two neighbouring rows would hand on a deleted bucket."""
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    earlier = (f"(SELECT MAX(p.bucket) FROM {VISITS} p WHERE p.visitor = {VISITS}.visitor "
               f"AND p.bucket < {VISITS}.bucket)")
    after = (f"COALESCE((SELECT MIN(w.bucket) FROM {VISITS} w WHERE w.visitor = a.visitor "
             "AND w.bucket >= a.vhi), a.vhi)")
    return (f"UPDATE {VISITS} SET previous = {earlier} WHERE id IN (SELECT v.id FROM web_apply a "
            f"CROSS JOIN {VISITS} v WHERE v.visitor = a.visitor AND v.bucket >= a.vlo "
            f"AND v.bucket <= {after}) AND previous {differs} {earlier}")


def _apply_chunk() -> int:
    vendor = connection.vendor
    with ingestion_writer_turn(), transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('analytics_web_apply'))")
        for sql in _temp_tables(vendor):
            cursor.execute(sql)
        cursor.execute(_claim(vendor))
        claimed = cursor.rowcount
        if not claimed:
            return 0
        if vendor == "sqlite":
            cursor.execute(f"DELETE FROM {DIRTY} WHERE visitor IN (SELECT visitor FROM web_apply)")
        else:
            cursor.execute("ANALYZE web_apply")  # a temp table has no statistics otherwise
        for sql in [*_stretch(vendor), *_recompute(vendor), *_write(), _previous(vendor)]:
            cursor.execute(sql)
        return claimed


# ---- SQLite: inserted events swept by id --------------------------------------------

_UPTO = f"COALESCE((SELECT upto FROM {MARK} WHERE id = 1), 0)"
_MOVE_MARK = (f"INSERT INTO {MARK} (id, upto) SELECT 1, MAX({_UPTO}, COALESCE(MAX(id), 0)) "
              f"FROM {EVENTS} WHERE true ON CONFLICT (id) DO UPDATE SET upto = excluded.upto")


def sweep_statements() -> list[str]:
    """The visitors of the events above the mark onto the queue, the mark past them."""
    return [
        f"INSERT INTO {DIRTY} (visitor, writer, lo, hi) SELECT {VISITOR.format(r='e')}, 0, "
        f"MIN(e.timestamp), MAX(e.timestamp) FROM {EVENTS} e WHERE e.id > {_UPTO} "
        f"AND +e.type IN {WEB} GROUP BY 1 {_upsert('sqlite')}",  # +: by id, not by type
        _MOVE_MARK,
    ]


def _sweep() -> None:
    """Sweep the events above the mark, if any (no write transaction, so no wait for the
    write lock, when there are none: every read of the rollups calls this)."""
    if not _count(f"SELECT EXISTS (SELECT 1 FROM {EVENTS} WHERE id > {_UPTO})"):
        return
    with ingestion_writer_turn(), transaction.atomic(), connection.cursor() as cursor:
        for sql in sweep_statements():
            cursor.execute(sql)


def mark_all_swept(db: Any) -> None:
    """SQLite: every event there is counts as queued (after a rebuild covered them all).
    Nothing before migration 0007, which made the mark and set it so itself."""
    if db.vendor != "sqlite" or MARK not in db.introspection.table_names():
        return
    with db.cursor() as cursor:
        cursor.execute(_MOVE_MARK)


def _count(sql: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


def pending() -> int:
    """Changes waiting: rows on the queue (visitors, per writer) and, on SQLite, events
    not swept yet."""
    waiting = _count(f"SELECT COUNT(*) FROM {DIRTY}")
    if connection.vendor == "sqlite":
        waiting += _count(f"SELECT COUNT(*) FROM {EVENTS} WHERE id > {_UPTO}")
    return waiting


def apply() -> int:
    """Bring the rollups up to date with every change committed so far (those waiting
    when it starts; a writer adding more meanwhile does not keep it going). Returns the
    visitors recomputed."""
    if connection.vendor == "sqlite":
        _sweep()
    waiting = _count(f"SELECT COUNT(*) FROM {DIRTY}")
    done = 0
    while waiting > 0:
        claimed = _apply_chunk()
        done += claimed
        waiting -= claimed
        if claimed < CHUNK:
            break
    return done


# ---- the worker: one job per WINDOW seconds while events are stored ----------------

_scheduled = {"window": -1}  # this process's last window queued


def schedule() -> None:
    """Queue the apply job at the commit (events were stored): once per window."""
    from django.utils import timezone

    from smarketing.core.jobs import enqueue

    window = int(time.time()) // WINDOW
    if _scheduled["window"] == window:
        return
    _scheduled["window"] = window
    run_at = timezone.now() + dt.timedelta(seconds=WINDOW)
    enqueue(JOB, {}, run_at=run_at, dedupe_key=f"{JOB}:{window}")


def due(now: dt.datetime) -> int:
    """The worker's periodic check: queue an apply when any writer left changes."""
    if not pending():
        return 0
    _scheduled["window"] = -1
    schedule()
    return 1


def run_job(payload: dict[str, Any]) -> None:
    apply()

"""Per-quarter-hour counters over the exact web rollups, so a period's web KPIs read
O(buckets) rows instead of O(sessions) (analytics/webrollup.py keeps the rollups).

- analytics_webbucket: sessions started, bounces and page views per UTC quarter hour.
  Triggers on the two rollup tables count them up and down: a session row inserted
  or deleted (the session trigger rewrites a visitor's stretch that way) adds or
  removes one session (and one bounce when it is one page view alone) at the bucket
  of its start; a visit row inserted, deleted or changed adds the change of its page
  views. A month is a sum over about 2,976 rows. On PostgreSQL each backend counts in
  its own row (`writer` = pg_backend_pid()): concurrent transactions never wait on,
  or deadlock over, the same counter row; SQLite has one writer at a time (writer 0).
- analytics_webvisit.previous: the visitor's previous bucket with a page view (NULL
  for the first). The visitors of P = [s, e) are then the visit rows with s <= bucket
  < e whose previous bucket is before s (or none): exactly one row per visitor, a
  range count over the (bucket, previous) index without DISTINCT. A visit row
  inserted takes the largest earlier bucket of its visitor and becomes the previous
  bucket of the visitor's next row; a row deleted hands its own previous bucket on
  to the next row: exact whatever the order of inserts and deletes (the event
  triggers hold the visitor's advisory lock on PostgreSQL).
"""

from __future__ import annotations

from typing import Any

BUCKETS = "analytics_webbucket"
SESSIONS, VISITS = "analytics_websession", "analytics_webvisit"
BOUNCE = "CASE WHEN {r}.events = 1 AND {r}.pages = 1 THEN 1 ELSE 0 END"
NEXT = ("UPDATE {v} SET previous = {value} WHERE visitor = {r}.visitor AND bucket = "
        "(SELECT MIN(bucket) FROM {v} WHERE visitor = {r}.visitor AND bucket > {r}.bucket)")
OWN = ("UPDATE {v} SET previous = (SELECT MAX(bucket) FROM {v} WHERE visitor = NEW.visitor "
       "AND bucket < NEW.bucket) WHERE id = NEW.id")
SQLITE_NAMES = ("analytics_web_count_session_ins", "analytics_web_count_session_del",
                "analytics_web_count_visit_ins", "analytics_web_count_visit_upd",
                "analytics_web_count_visit_del")


def _bucket(vendor: str, ts: str) -> str:
    from smarketing.analytics.webrollup import bucket_sql

    return bucket_sql(vendor, ts)


def _add(vendor: str, bucket: str, sessions: str, bounces: str, pages: str) -> str:
    writer = "pg_backend_pid()" if vendor == "postgresql" else "0"
    return (f"INSERT INTO {BUCKETS} (bucket, writer, sessions, bounces, pages) VALUES "
            f"({bucket}, {writer}, {sessions}, {bounces}, {pages}) "
            f"ON CONFLICT (bucket, writer) DO UPDATE SET "
            f"sessions = {BUCKETS}.sessions + excluded.sessions, "
            f"bounces = {BUCKETS}.bounces + excluded.bounces, "
            f"pages = {BUCKETS}.pages + excluded.pages")


def sqlite_triggers() -> list[str]:
    def add(r: str, sign: str) -> str:
        bounce = BOUNCE.format(r=r)
        return _add("sqlite", _bucket("sqlite", f"{r}.started"), f"{sign}1",
                    f"{sign}{bounce}", "0")

    ins, upd, dele = (f"AFTER {w} ON {VISITS} FOR EACH ROW BEGIN "
                      for w in ("INSERT", "UPDATE OF pages", "DELETE"))
    bodies = (
        f"AFTER INSERT ON {SESSIONS} FOR EACH ROW BEGIN {add('NEW', '')}; END",
        f"AFTER DELETE ON {SESSIONS} FOR EACH ROW BEGIN {add('OLD', '-')}; END",
        f"{ins}{OWN.format(v=VISITS)}; {NEXT.format(v=VISITS, r='NEW', value='NEW.bucket')}; "
        f"{_add('sqlite', 'NEW.bucket', '0', '0', 'NEW.pages')}; END",
        f"{upd}{_add('sqlite', 'NEW.bucket', '0', '0', 'NEW.pages - OLD.pages')}; END",
        f"{dele}{NEXT.format(v=VISITS, r='OLD', value='OLD.previous')}; "
        f"{_add('sqlite', 'OLD.bucket', '0', '0', '-OLD.pages')}; END",
    )
    return [f"CREATE TRIGGER {name} {body}" for name, body in zip(SQLITE_NAMES, bodies,
                                                                  strict=True)]


def postgresql_triggers() -> list[str]:
    pg = "postgresql"
    started = _add(pg, _bucket(pg, "NEW.started"), "1", BOUNCE.format(r="NEW"), "0")
    ended = _add(pg, _bucket(pg, "OLD.started"), "-1", "-" + BOUNCE.format(r="OLD"), "0")
    session = ("CREATE FUNCTION analytics_web_count_session() RETURNS trigger AS $$ BEGIN "
               f"IF TG_OP = 'INSERT' THEN {started}; ELSE {ended}; END IF; "
               "RETURN NULL; END $$ LANGUAGE plpgsql")
    changed = _add(pg, "NEW.bucket", "0", "0", "NEW.pages - OLD.pages")
    visit = ("CREATE FUNCTION analytics_web_count_visit() RETURNS trigger AS $$ BEGIN "
             f"IF TG_OP = 'INSERT' THEN {OWN.format(v=VISITS)}; "
             f"{NEXT.format(v=VISITS, r='NEW', value='NEW.bucket')}; "
             f"{_add(pg, 'NEW.bucket', '0', '0', 'NEW.pages')}; "
             f"ELSIF TG_OP = 'UPDATE' THEN {changed}; "
             f"ELSE {NEXT.format(v=VISITS, r='OLD', value='OLD.previous')}; "
             f"{_add(pg, 'OLD.bucket', '0', '0', '-OLD.pages')}; END IF; "
             "RETURN NULL; END $$ LANGUAGE plpgsql")
    return [
        session, visit,
        f"CREATE TRIGGER analytics_web_count_session AFTER INSERT OR DELETE ON {SESSIONS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_web_count_session()",
        f"CREATE TRIGGER analytics_web_count_visit AFTER INSERT OR DELETE ON {VISITS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_web_count_visit()",
        f"CREATE TRIGGER analytics_web_count_visit_pages AFTER UPDATE OF pages ON {VISITS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_web_count_visit()",
    ]


def drop_statements(vendor: str) -> list[str]:
    if vendor != "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in SQLITE_NAMES]
    return [f"DROP TRIGGER IF EXISTS analytics_web_count_session ON {SESSIONS}",
            f"DROP TRIGGER IF EXISTS analytics_web_count_visit ON {VISITS}",
            f"DROP TRIGGER IF EXISTS analytics_web_count_visit_pages ON {VISITS}",
            "DROP FUNCTION IF EXISTS analytics_web_count_session()",
            "DROP FUNCTION IF EXISTS analytics_web_count_visit()"]


def fill_statements(vendor: str) -> list[str]:
    """The counters and previous buckets from the two rollups, set-based."""
    differs = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return [
        f"UPDATE {VISITS} SET previous = p.prev FROM (SELECT id, LAG(bucket) OVER "
        f"(PARTITION BY visitor ORDER BY bucket) AS prev FROM {VISITS}) AS p "
        f"WHERE p.id = {VISITS}.id AND p.prev {differs} {VISITS}.previous",
        f"DELETE FROM {BUCKETS}",
        f"INSERT INTO {BUCKETS} (bucket, writer, sessions, bounces, pages) "
        "SELECT b, 0, SUM(s), SUM(bo), SUM(p) FROM ("
        f"SELECT {_bucket(vendor, 'started')} AS b, 1 AS s, {BOUNCE.format(r=SESSIONS)} AS bo, "
        f"0 AS p FROM {SESSIONS} UNION ALL SELECT bucket, 0, 0, pages FROM {VISITS}) AS x "
        "GROUP BY b",
    ]


def refill(db: Any) -> None:
    """Drop the counting triggers, fill the counters set-based, install the triggers
    (after the rollups themselves were rebuilt: a bulk rebuild never fires them)."""
    vendor = db.vendor
    create = postgresql_triggers() if vendor == "postgresql" else sqlite_triggers()
    with db.cursor() as cursor:
        for sql in [*drop_statements(vendor), *fill_statements(vendor), *create]:
            cursor.execute(sql)


def uninstall(db: Any) -> None:
    with db.cursor() as cursor:
        for sql in drop_statements(db.vendor):
            cursor.execute(sql)

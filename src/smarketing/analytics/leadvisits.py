"""Exact visitor-to-lead numerator without a probe per new lead: for each contact that
reached lead, its page-view buckets just before and just after that moment, kept by
database triggers.

visitor_to_lead_rate counts the visitors of P who reached lead in P: contacts with
reached(lead) = L in P = [s, e) and a page view in P. With the contact's latest
page-view bucket at or before L (`viewed_before`) and its earliest one after L
(`viewed_after`), from analytics_webvisit (the exact per-quarter-hour rollup of the page
views), a bucket b in [s, e) exists exactly when viewed_before >= s (s <= b <= L) or
viewed_after < e (L < b < e), so the count is one index range over
analytics_leadvisit (migration 0006): lead_at in P and (viewed_before >= s or
viewed_after < e).

Kept exact whatever the order of writes: a contact inserted gets its row (PostgreSQL:
its trigger; SQLite: folded in by id before each read, analytics/folds.py); the
contact's row is recomputed (two index lookups) when a visit row of that contact is
inserted, deleted or moved (the web rollups write them: analytics/webqueue.py applies
late and out-of-order events, merges and stitching), and when its reached(lead) is
set, moved or cleared; a deleted contact's row goes. On PostgreSQL the recomputation
holds the contact's advisory lock. The visit rows are the web rollups' after
`webqueue.apply()`, which the read runs first.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from smarketing.analytics import folds, triggers

LEADS, VISITS, CONTACTS = "analytics_leadvisit", "analytics_webvisit", "people_contact"
NAME = "leadvisits"  # its mark (analytics/folds.py)
LEGACY_SQLITE = ("analytics_lead_visit_contact_insert",)  # before migration 0010: folded
LEAD_CHANGED = "OLD.became_lead_at IS NOT NEW.became_lead_at"
VISIT_CHANGED = "OLD.bucket IS NOT NEW.bucket OR OLD.contact_id IS NOT NEW.contact_id"


def rows_sql(where: str) -> str:
    """INSERT the rows of the contacts selected by `where` (alias c)."""
    return (
        f"INSERT INTO {LEADS} (contact_id, lead_at, viewed_before, viewed_after) "
        "SELECT c.id, c.became_lead_at, "
        f"(SELECT MAX(v.bucket) FROM {VISITS} v WHERE v.contact_id = c.id "
        "AND v.bucket <= c.became_lead_at), "
        f"(SELECT MIN(v.bucket) FROM {VISITS} v WHERE v.contact_id = c.id "
        "AND v.bucket > c.became_lead_at) "
        f"FROM {CONTACTS} c WHERE c.became_lead_at IS NOT NULL AND {where}"
    )


def _refresh(contact: str) -> str:
    return f"DELETE FROM {LEADS} WHERE contact_id = {contact}; {rows_sql(f'c.id = {contact}')};"


def sqlite_triggers() -> list[str]:
    on = {"contact_lead": (f"AFTER UPDATE OF became_lead_at ON {CONTACTS}", LEAD_CHANGED,
                           ["NEW.id"]),
          "visit_insert": (f"AFTER INSERT ON {VISITS}", "NEW.contact_id IS NOT NULL",
                           ["NEW.contact_id"]),
          "visit_delete": (f"AFTER DELETE ON {VISITS}", "OLD.contact_id IS NOT NULL",
                           ["OLD.contact_id"]),
          "visit_update": (f"AFTER UPDATE ON {VISITS}", VISIT_CHANGED,
                           ["OLD.contact_id", "NEW.contact_id"])}
    return [*triggers.sqlite_refreshing("analytics_lead_visit", on, _refresh),
            f"CREATE TRIGGER analytics_lead_visit_contact_delete AFTER DELETE "
            f"ON {CONTACTS} BEGIN DELETE FROM {LEADS} WHERE contact_id = OLD.id; END"]


def _pg_refresh(contact: str) -> str:
    return (f"IF {contact} IS NOT NULL THEN PERFORM pg_advisory_xact_lock("
            f"hashtext('analytics_lead_visit'), {contact}::int); {_refresh(contact)} END IF;")


def postgresql_triggers() -> list[str]:
    distinct = lambda sql: sql.replace("IS NOT", "IS DISTINCT FROM")  # noqa: E731
    return [
        "CREATE FUNCTION analytics_lead_visit_contact() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN DELETE FROM {LEADS} WHERE contact_id = OLD.id; "
        f"ELSE {_pg_refresh('NEW.id')} END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER analytics_lead_visit_contact AFTER INSERT OR DELETE ON {CONTACTS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_lead_visit_contact()",
        f"CREATE TRIGGER analytics_lead_visit_lead AFTER UPDATE OF became_lead_at ON "
        f"{CONTACTS} FOR EACH ROW WHEN ({distinct(LEAD_CHANGED)}) "
        "EXECUTE FUNCTION analytics_lead_visit_contact()",
        "CREATE FUNCTION analytics_lead_visit_visit() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_pg_refresh('OLD.contact_id')} END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_pg_refresh('NEW.contact_id')} END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER analytics_lead_visit_write AFTER INSERT OR DELETE ON {VISITS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_lead_visit_visit()",
        f"CREATE TRIGGER analytics_lead_visit_change AFTER UPDATE ON {VISITS} FOR EACH ROW "
        f"WHEN ({distinct(VISIT_CHANGED)}) EXECUTE FUNCTION analytics_lead_visit_visit()",
    ]


def install(schema_editor: Any) -> None:
    triggers.install(schema_editor, sqlite_triggers, postgresql_triggers, rebuild)


def uninstall(schema_editor: Any) -> None:
    triggers.uninstall(
        schema_editor, sqlite_triggers,
        [(f"analytics_lead_visit_{n}", t) for n, t in (
            ("contact", CONTACTS), ("lead", CONTACTS), ("write", VISITS), ("change", VISITS))],
        ["analytics_lead_visit_contact", "analytics_lead_visit_visit"])


def rebuild(db: Any = connection) -> None:
    """Recompute every row from the contacts and the visit rollup (set-based), and mark
    every contact counted."""
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {LEADS}")
        cursor.execute(rows_sql("TRUE" if db.vendor == "postgresql" else "1"))
    folds.mark_all(db, NAME, CONTACTS)


def _fold_statements(upto: int, newest: int) -> list[str]:
    """The rows of the contacts inserted since (a visit may have made some already: a
    row is a function of the contact and its visits, so it is simply made again)."""
    ids = f"BETWEEN {int(upto) + 1} AND {int(newest)}"
    return [f"DELETE FROM {LEADS} WHERE contact_id {ids}", rows_sql(f"c.id {ids}")]


def fold() -> int:
    """SQLite: the rows of the contacts inserted since the last fold (analytics/folds.py)."""
    return folds.fold(NAME, CONTACTS, _fold_statements)


def count(start: dt.datetime, end: dt.datetime) -> int:
    """Contacts that reached lead in [start, end) with a page-view bucket in it (start
    and end on quarter hours; the visit rollup applied)."""
    fold()
    bounds = [connection.ops.adapt_datetimefield_value(x) for x in (start, end)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {LEADS} WHERE lead_at >= %s AND lead_at < %s "
                       "AND (viewed_before >= %s OR viewed_after < %s)", bounds * 2)
        return int(cursor.fetchone()[0])

"""Each deal with its primary contact, kept by database triggers on the deals and their
contacts: marketing-sourced pipeline and revenue (families/attribution.py) as one index
range over the period instead of a deal row, a primary-contact row and a contact row
looked up per deal.

analytics_dealsource holds one row per deal: created_at, won_at (closed_at of a won
deal, NULL otherwise), amount and the primary contact's id (NULL without one). The
sourced amount of P is the sum over the rows with created_at (pipeline) or won_at
(revenue) in P whose primary contact's original campaign is set: the campaign is read
from the contact when counted, so a contact's campaign changing needs no upkeep here
(and no trigger on the contacts).

Kept exact whatever the order of writes: a deal inserted, or its amount, status,
closed_at or created_at changed, recomputes its row; a primary contact link inserted,
deleted or changed (made primary or not, moved to another contact or deal) recomputes
the deals it names; a deal deleted drops its row. On PostgreSQL the recomputation holds
the deal's advisory lock, so two transactions writing one deal serialise and the second
sees the first's rows. `rebuild()` recomputes every row set-based (migration 0009).
Proof: analytics/tests/test_dealsources.py.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import connection

from smarketing.analytics import triggers
from smarketing.analytics.measures import money

SOURCES, DEALS, LINKS = "analytics_dealsource", "pipeline_deal", "pipeline_dealcontact"
CONTACTS = "people_contact"
DEAL_CHANGED = ("OLD.created_at IS NOT NEW.created_at OR OLD.amount IS NOT NEW.amount OR "
                "OLD.status IS NOT NEW.status OR OLD.closed_at IS NOT NEW.closed_at")
LINK_CHANGED = ("OLD.is_primary IS NOT NEW.is_primary OR OLD.contact_id IS NOT NEW.contact_id "
                "OR OLD.deal_id IS NOT NEW.deal_id")
BASIS_COLUMN = {"pipeline": "created_at", "revenue": "won_at"}


def rows_sql(where: str) -> str:
    """INSERT the rows of the deals selected by `where` (alias d)."""
    return (
        f"INSERT INTO {SOURCES} (deal_id, created_at, won_at, amount, contact_id) "
        "SELECT d.id, d.created_at, CASE WHEN d.status = 'won' THEN d.closed_at END, "
        f"d.amount, (SELECT l.contact_id FROM {LINKS} l WHERE l.deal_id = d.id "
        f"AND l.is_primary) FROM {DEALS} d WHERE {where}"
    )


def _refresh(deal: str) -> str:
    return f"DELETE FROM {SOURCES} WHERE deal_id = {deal}; {rows_sql(f'd.id = {deal}')};"


def sqlite_triggers() -> list[str]:
    on = {"deal_insert": (f"AFTER INSERT ON {DEALS}", "1", ["NEW.id"]),
          "deal_update": (f"AFTER UPDATE ON {DEALS}", DEAL_CHANGED, ["NEW.id"]),
          "link_insert": (f"AFTER INSERT ON {LINKS}", "NEW.is_primary", ["NEW.deal_id"]),
          "link_delete": (f"AFTER DELETE ON {LINKS}", "OLD.is_primary", ["OLD.deal_id"]),
          "link_update": (f"AFTER UPDATE ON {LINKS}", LINK_CHANGED,
                          ["OLD.deal_id", "NEW.deal_id"])}
    return [*triggers.sqlite_refreshing("analytics_deal_source", on, _refresh),
            f"CREATE TRIGGER analytics_deal_source_deal_delete AFTER DELETE ON "
            f"{DEALS} BEGIN DELETE FROM {SOURCES} WHERE deal_id = OLD.id; END"]


def _pg_refresh(deal: str) -> str:
    return (f"PERFORM pg_advisory_xact_lock(hashtext('analytics_deal_source'), {deal}::int); "
            f"{_refresh(deal)}")


def postgresql_triggers() -> list[str]:
    distinct = lambda sql: sql.replace("IS NOT", "IS DISTINCT FROM")  # noqa: E731
    return [
        "CREATE FUNCTION analytics_deal_source_deal() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN DELETE FROM {SOURCES} WHERE deal_id = OLD.id; "
        f"ELSE {_pg_refresh('NEW.id')} END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER analytics_deal_source_deal AFTER INSERT OR DELETE ON {DEALS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_deal_source_deal()",
        f"CREATE TRIGGER analytics_deal_source_deal_change AFTER UPDATE ON {DEALS} "
        f"FOR EACH ROW WHEN ({distinct(DEAL_CHANGED)}) "
        "EXECUTE FUNCTION analytics_deal_source_deal()",
        "CREATE FUNCTION analytics_deal_source_link() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' AND OLD.is_primary THEN {_pg_refresh('OLD.deal_id')} END IF; "
        f"IF TG_OP <> 'DELETE' AND (NEW.is_primary OR TG_OP = 'UPDATE') THEN "
        f"{_pg_refresh('NEW.deal_id')} END IF; RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER analytics_deal_source_link AFTER INSERT OR DELETE ON {LINKS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_deal_source_link()",
        f"CREATE TRIGGER analytics_deal_source_link_change AFTER UPDATE ON {LINKS} "
        f"FOR EACH ROW WHEN ({distinct(LINK_CHANGED)}) "
        "EXECUTE FUNCTION analytics_deal_source_link()",
    ]


def install(schema_editor: Any) -> None:
    triggers.install(schema_editor, sqlite_triggers, postgresql_triggers, rebuild)


def uninstall(schema_editor: Any) -> None:
    triggers.uninstall(
        schema_editor, sqlite_triggers,
        [(f"analytics_deal_source_{n}", t) for n, t in (
            ("deal", DEALS), ("deal_change", DEALS), ("link", LINKS), ("link_change", LINKS))],
        ["analytics_deal_source_deal", "analytics_deal_source_link"])


def rebuild(db: Any = connection) -> None:
    """Recompute every row from the deals and their primary contacts (set-based)."""
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SOURCES}")
        cursor.execute(rows_sql("TRUE" if db.vendor == "postgresql" else "1"))


def sourced_amount(basis: str, start: dt.datetime, end: dt.datetime) -> Decimal | None:
    """The amount of the deals created (pipeline) or won (revenue) in [start, end) whose
    primary contact has an original campaign (None when nothing matched)."""
    column = BASIS_COLUMN[basis]
    bounds = [connection.ops.adapt_datetimefield_value(x) for x in (start, end)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT SUM(s.amount) FROM {SOURCES} s JOIN {CONTACTS} c ON "
                       f"c.id = s.contact_id WHERE s.{column} >= %s AND s.{column} < %s "
                       "AND c.original_campaign <> ''", bounds)
        total = cursor.fetchone()[0]
    return None if total is None else money(Decimal(str(total)))

"""Exact spans of each deal's stages, kept by database triggers: pipeline_value at any
past moment without a window over the whole stage history.

A DealSpan is one DealStageChange with the time the deal left that state: `until` is
the next change's `at` in the deal's (at, id) order, FOREVER for its latest change;
`created` is the deal's created_at. The deal's state at a moment E is the change with
`at < E <= until`, so the open pipeline at E (analytics/families/sales.py) is one
indexed range of the spans in open stages with `until >= E > at` and `created < E`:
the same rows as "each deal's last stage change before E" (tested against it and
against the naive computation).

Kept exact whatever the order of writes: a stage change inserted (also late, before
other changes of the deal), deleted or changed recomputes its deal's spans from the
stage changes themselves (a deal has a handful); a deal's created_at change is copied;
a deal deleted drops its spans. On PostgreSQL the recomputation holds the deal's
advisory lock, so two transactions writing changes of one deal serialise and the second
sees the first's rows. `rebuild()` recomputes every span set-based (migration 0004).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from smarketing.analytics import triggers

SPANS, CHANGES, DEALS = "analytics_dealspan", "pipeline_dealstagechange", "pipeline_deal"
FOREVER = dt.datetime(9000, 1, 1, tzinfo=dt.UTC)
FOREVER_SQL = {"sqlite": "'9000-01-01 00:00:00'", "postgresql": "'9000-01-01 00:00:00+00'"}
CHANGED = ("OLD.at IS NOT NEW.at OR OLD.deal_id IS NOT NEW.deal_id OR "
           "OLD.to_stage_id IS NOT NEW.to_stage_id OR OLD.amount IS NOT NEW.amount")
CREATED_CHANGED = "OLD.created_at IS NOT NEW.created_at"


def spans_sql(vendor: str, where: str) -> str:
    """INSERT the spans of the stage changes selected by `where` (alias c)."""
    return (
        f"INSERT INTO {SPANS} (change_id, deal_id, stage_id, amount, at, until, created) "
        "SELECT c.id, c.deal_id, c.to_stage_id, c.amount, c.at, "
        "COALESCE(LEAD(c.at) OVER (PARTITION BY c.deal_id ORDER BY c.at, c.id), "
        f"{FOREVER_SQL[vendor]}), d.created_at FROM {CHANGES} c "
        f"JOIN {DEALS} d ON d.id = c.deal_id WHERE {where}"
    )


def _refresh(vendor: str, deal: str) -> str:
    return (f"DELETE FROM {SPANS} WHERE deal_id = {deal}; "
            f"{spans_sql(vendor, f'c.deal_id = {deal}')};")


def sqlite_triggers() -> list[str]:
    refresh = lambda deal: _refresh("sqlite", deal)  # noqa: E731
    return [
        f"CREATE TRIGGER analytics_deal_span_insert AFTER INSERT ON {CHANGES} "
        f"BEGIN {refresh('NEW.deal_id')} END",
        f"CREATE TRIGGER analytics_deal_span_delete AFTER DELETE ON {CHANGES} "
        f"BEGIN {refresh('OLD.deal_id')} END",
        f"CREATE TRIGGER analytics_deal_span_update AFTER UPDATE ON {CHANGES} "
        f"WHEN {CHANGED} BEGIN {refresh('OLD.deal_id')} {refresh('NEW.deal_id')} END",
        f"CREATE TRIGGER analytics_deal_span_created AFTER UPDATE OF created_at ON {DEALS} "
        f"WHEN {CREATED_CHANGED} BEGIN UPDATE {SPANS} SET created = NEW.created_at "
        "WHERE deal_id = NEW.id; END",
        f"CREATE TRIGGER analytics_deal_span_gone AFTER DELETE ON {DEALS} "
        f"BEGIN DELETE FROM {SPANS} WHERE deal_id = OLD.id; END",
    ]


def postgresql_triggers() -> list[str]:
    distinct = lambda sql: sql.replace("IS NOT", "IS DISTINCT FROM")  # noqa: E731
    lock = "PERFORM pg_advisory_xact_lock(hashtext('analytics_deal_span'), {deal}::int); "
    refresh = "".join(f"IF {when} THEN {lock.format(deal=d)}{_refresh('postgresql', d)} END IF; "
                      for when, d in (("TG_OP <> 'INSERT'", "OLD.deal_id"),
                                      ("TG_OP <> 'DELETE'", "NEW.deal_id")))
    return [
        "CREATE FUNCTION analytics_deal_span() RETURNS trigger AS $$ BEGIN "
        f"{refresh}RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER analytics_deal_span_write AFTER INSERT OR DELETE ON {CHANGES} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_deal_span()",
        f"CREATE TRIGGER analytics_deal_span_change AFTER UPDATE ON {CHANGES} "
        f"FOR EACH ROW WHEN ({distinct(CHANGED)}) EXECUTE FUNCTION analytics_deal_span()",
        "CREATE FUNCTION analytics_deal_span_deal() RETURNS trigger AS $$ BEGIN "
        f"IF TG_OP = 'DELETE' THEN DELETE FROM {SPANS} WHERE deal_id = OLD.id; "
        f"ELSE UPDATE {SPANS} SET created = NEW.created_at WHERE deal_id = NEW.id; END IF; "
        "RETURN NULL; END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER analytics_deal_span_created AFTER UPDATE OF created_at ON {DEALS} "
        f"FOR EACH ROW WHEN ({distinct(CREATED_CHANGED)}) "
        "EXECUTE FUNCTION analytics_deal_span_deal()",
        f"CREATE TRIGGER analytics_deal_span_gone AFTER DELETE ON {DEALS} "
        "FOR EACH ROW EXECUTE FUNCTION analytics_deal_span_deal()",
    ]


def install(schema_editor: Any) -> None:
    """Create the triggers and fill the spans from the stage changes there are."""
    triggers.install(schema_editor, sqlite_triggers, postgresql_triggers, rebuild)


def uninstall(schema_editor: Any) -> None:
    triggers.uninstall(
        schema_editor, sqlite_triggers,
        [(f"analytics_deal_span_{name}", table) for name, table in (
            ("write", CHANGES), ("change", CHANGES), ("created", DEALS), ("gone", DEALS))],
        ["analytics_deal_span", "analytics_deal_span_deal"])


def rebuild(db: Any = connection) -> None:
    """Recompute every span from the stage changes (set-based, one statement)."""
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {SPANS}")
        cursor.execute(spans_sql(db.vendor, "TRUE" if db.vendor == "postgresql" else "1"))

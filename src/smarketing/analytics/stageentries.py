"""Exact per-day counts of entered(S) by breakdown key, kept by database triggers: the
breakdown tables of new leads, MQLs and the stage rates without a GROUP BY over the
contacts of the period.

analytics_stageentry holds, per UTC day, funnel stage (lead ... customer), dimension
and key, how many contacts reached the stage that day (`became_<stage>_at`, the
monotone reached(S) of KPI.md) with that key: channel (original source), campaign
(original campaign), region (the company's, "" without one) and owner (the owner's id
as text, "" without one; usernames and teams are looked up when read, so renaming a
user or moving them to another team needs no upkeep). "" is "(none)" (key_of).

Kept exact whatever the order of writes: a contact inserted counts +1 at each stage it
has reached (PostgreSQL: its trigger; SQLite: folded in by id before each read,
analytics/folds.py, as an insert trigger cost more than the insert), deleted -1; a
change of a stage's time or of a key moves the contact (-1 at the old day and key, +1
at the new), late or not; a company's region change moves its contacts' counts set-
based. On PostgreSQL each backend counts in its own row (`writer` = its process id, as
analytics_webbucket does), so concurrent writers never wait on or deadlock over a
counter; a count is the sum over the writers; its triggers are statement triggers
over the transition tables, one upsert a key a statement (migration 0011).

A period in the organisation's zone is its whole UTC days (from the rollup) plus the
parts of the first and last UTC day inside it (counted directly from the contacts: at
most two days' worth, none for a UTC organisation). `rebuild()` recomputes it all
set-based (migration 0005). Proof: analytics/tests/test_stageentries.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, QuerySet, Sum

from smarketing.analytics import folds, triggers
from smarketing.core.periods import Period

ENTRIES, CONTACTS, COMPANIES = "analytics_stageentry", "people_contact", "people_company"
NAME = "stageentries"  # its mark (analytics/folds.py)
LEGACY_SQLITE = ("analytics_stage_entry_insert",)  # before migration 0010: inserts folded
STAGES = ("lead", "mql", "sql", "opportunity", "customer")
DIMENSIONS = ("channel", "campaign", "region", "owner")
KEYED = {"channel": "channel", "campaign": "campaign", "region": "region",
         "owner": "owner", "team": "owner"}  # breakdown -> the stored dimension
KEY_COLUMNS = ("original_source", "original_campaign", "company_id", "owner_id")
UPSERT = " ON CONFLICT (day, stage, dimension, key, writer) DO UPDATE SET n = {t}.n + excluded.n"


def utc_day_sql(vendor: str, column: str) -> str:
    """The UTC date of a timestamp column, as SQL."""
    return f"date({column})" if vendor == "sqlite" else f"({column} AT TIME ZONE 'UTC')::date"


def _keys(vendor: str, r: str) -> list[tuple[str, str]]:
    owner = f"CAST({r}.owner_id AS TEXT)" if vendor == "sqlite" else f"{r}.owner_id::text"
    return [
        ("channel", f"{r}.original_source"), ("campaign", f"{r}.original_campaign"),
        ("region", f"COALESCE((SELECT region FROM {COMPANIES} WHERE id = {r}.company_id), '')"),
        ("owner", f"COALESCE({owner}, '')"),
    ]


def _writer(vendor: str) -> str:
    return "0" if vendor == "sqlite" else "pg_backend_pid()"


def count_sql(vendor: str, r: str, stage: str, step: int) -> str:
    """Count the contact `r` (NEW or OLD) `step` (+1/-1) at `stage`, if it reached it."""
    at = f"{r}.became_{stage}_at"
    keys = " UNION ALL ".join(f"SELECT '{d}' AS dimension, {k} AS key" for d, k in
                              _keys(vendor, r))
    return (f"INSERT INTO {ENTRIES} (day, stage, dimension, key, writer, n) "
            f"SELECT {utc_day_sql(vendor, at)}, '{stage}', k.dimension, k.key, {_writer(vendor)}, "
            f"{step} FROM ({keys}) AS k WHERE {at} IS NOT NULL" + UPSERT.format(t=ENTRIES))


def region_sql(vendor: str, stage: str, region: str, step: str) -> str:
    """Move the counts of company NEW's contacts at `stage` to or from `region` (on
    SQLite those already counted: the others are read as they are when folded)."""
    at = f"c.became_{stage}_at"
    counted = f" AND {folds.counted(NAME).replace('OLD.id', 'c.id')}" if vendor == "sqlite" \
        else ""
    return (f"INSERT INTO {ENTRIES} (day, stage, dimension, key, writer, n) "
            f"SELECT {utc_day_sql(vendor, at)}, '{stage}', 'region', {region}, {_writer(vendor)}, "
            f"{step} * COUNT(*) FROM {CONTACTS} c WHERE c.company_id = NEW.id AND {at} IS NOT "
            f"NULL{counted} GROUP BY {utc_day_sql(vendor, at)}" + UPSERT.format(t=ENTRIES))


def _changed(stage: str, distinct: str) -> str:
    columns = (f"became_{stage}_at", *KEY_COLUMNS)
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


REGION_CHANGED = "OLD.region {d} NEW.region"


def sqlite_triggers() -> list[str]:
    def body(statements: Iterable[str]) -> str:
        return "BEGIN " + " ".join(f"{s};" for s in statements) + " END"

    counted = folds.counted(NAME)  # inserts: folded by id (analytics/folds.py)
    result = [
        f"CREATE TRIGGER analytics_stage_entry_delete AFTER DELETE ON {CONTACTS} "
        f"WHEN {counted} " + body(count_sql("sqlite", "OLD", s, -1) for s in STAGES),
        f"CREATE TRIGGER analytics_stage_entry_region AFTER UPDATE OF region ON {COMPANIES} "
        f"WHEN {REGION_CHANGED.format(d='IS NOT')} "
        + body(sql for s in STAGES for sql in (region_sql("sqlite", s, "OLD.region", "-1"),
                                                region_sql("sqlite", s, "NEW.region", "1"))),
    ]
    for s in STAGES:  # one per stage: a contact update touches only the stages it moved
        result.append(
            f"CREATE TRIGGER analytics_stage_entry_{s} AFTER UPDATE ON {CONTACTS} "
            f"WHEN {counted} AND ({_changed(s, 'IS NOT')}) "
            + body((count_sql("sqlite", "OLD", s, -1), count_sql("sqlite", "NEW", s, 1))))
    return result


def _pg_function(name: str, statements: Iterable[str]) -> str:
    return (f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            + " ".join(f"{s};" for s in statements) + " RETURN NULL; END $$ LANGUAGE plpgsql")


PG_TRANSITIONS = {"insert": "NEW TABLE AS new_rows", "update": "OLD TABLE AS old_rows NEW "
                  "TABLE AS new_rows", "delete": "OLD TABLE AS old_rows"}


def _pg_moves() -> str:
    """The statement's moves, summed by (day, stage, dimension, key): -1 for the old rows,
    +1 for the new (of an update, the contacts whose stage times or keys changed; the
    rest cancel out). One upsert a key a statement: a row trigger's upserts of the same
    counters, 13,000 MQLs in one statement, took 8.8 ms a contact at 1M contacts."""
    moved = " OR ".join(f"o.{c} IS DISTINCT FROM n.{c}"
                        for c in (*(f"became_{s}_at" for s in STAGES), *KEY_COLUMNS))
    changed = f"c.id IN (SELECT o.id FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE {moved})"
    moves = {"INSERT": _entries_sql("postgresql", "new_rows", "TRUE", "1"),
             "DELETE": _entries_sql("postgresql", "old_rows", "TRUE", "-1"),
             "UPDATE": _entries_sql("postgresql", "old_rows", changed, "-1") + " UNION ALL "
             + _entries_sql("postgresql", "new_rows", changed, "1")}
    return " ".join(
        f"{'IF' if op == 'INSERT' else 'ELSIF'} TG_OP = '{op}' THEN "
        f"INSERT INTO {ENTRIES} (day, stage, dimension, key, writer, n) SELECT x.day, "
        "x.stage, x.dimension, x.key, pg_backend_pid(), SUM(x.n) FROM "
        f"({sql}) AS x WHERE x.day IS NOT NULL GROUP BY x.day, x.stage, x.dimension, x.key "
        f"HAVING SUM(x.n) <> 0{UPSERT.format(t=ENTRIES)};" for op, sql in moves.items()
    ) + " END IF"


def postgresql_triggers() -> list[str]:
    pg = "postgresql"
    return [
        _pg_function("analytics_stage_entry", [_pg_moves()]),
        *(f"CREATE TRIGGER analytics_stage_entry_{op} AFTER {op.upper()} ON {CONTACTS} "
          f"REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION analytics_stage_entry()"
          for op, tables in PG_TRANSITIONS.items()),
        _pg_function("analytics_stage_entry_region", (
            sql for s in STAGES for sql in (region_sql(pg, s, "OLD.region", "-1"),
                                             region_sql(pg, s, "NEW.region", "1")))),
        f"CREATE TRIGGER analytics_stage_entry_region AFTER UPDATE OF region ON {COMPANIES} "
        f"FOR EACH ROW WHEN ({REGION_CHANGED.format(d='IS DISTINCT FROM')}) "
        "EXECUTE FUNCTION analytics_stage_entry_region()",
    ]


def install(schema_editor: Any) -> None:
    triggers.install(schema_editor, sqlite_triggers, postgresql_triggers, rebuild)


def uninstall(schema_editor: Any) -> None:
    names = ("analytics_stage_entry", "analytics_stage_entry_region")
    statement_level = [(f"analytics_stage_entry_{op}", CONTACTS) for op in PG_TRANSITIONS]
    triggers.uninstall(schema_editor, sqlite_triggers,
                       [*zip(names, (CONTACTS, COMPANIES), strict=True), *statement_level],
                       names)


def _entries_sql(vendor: str, source: str, where: str, step: str) -> str:
    """(day, stage, dimension, key, n = step) for each contact of `source` (alias c)
    selected by `where`, at every stage it reached (day: NULL where it did not) and by
    every dimension: each contact crossed with the stages and the dimensions."""
    keys = _keys(vendor, "c")
    reached = " ".join(f"WHEN '{st}' THEN c.became_{st}_at" for st in STAGES)
    key = " ".join(f"WHEN '{dimension}' THEN {sql}" for dimension, sql in keys)
    stages = " UNION ALL ".join(f"SELECT '{st}' AS stage" for st in STAGES)
    dimensions = " UNION ALL ".join(f"SELECT '{dimension}' AS dimension" for dimension, _ in keys)
    return (f"SELECT {utc_day_sql(vendor, f'CASE s.stage {reached} END')} AS day, s.stage, "
            f"d.dimension, CASE d.dimension {key} END AS key, {step} AS n FROM {source} c "
            f"CROSS JOIN ({stages}) AS s CROSS JOIN ({dimensions}) AS d WHERE {where}")


def _count_sql(vendor: str, where: str) -> str:
    """Count the contacts selected by `where` (alias c) at every stage they reached and by
    every dimension, added to what is stored: one statement, so a fold is a fixed
    handful of queries."""
    return (f"INSERT INTO {ENTRIES} (day, stage, dimension, key, writer, n) "
            "SELECT x.day, x.stage, x.dimension, x.key, 0, COUNT(*) FROM "
            f"({_entries_sql(vendor, CONTACTS, where, '1')}) AS x "
            "WHERE x.day IS NOT NULL GROUP BY x.day, x.stage, x.dimension, x.key"
            + UPSERT.format(t=ENTRIES))


def rebuild(db: Any = connection) -> None:
    """Recompute every count from the contacts (set-based) and mark them all counted."""
    with db.cursor() as cursor:
        for sql in [f"DELETE FROM {ENTRIES}", _count_sql(db.vendor, "TRUE")]:
            cursor.execute(sql)
    folds.mark_all(db, NAME, CONTACTS)


def fold() -> int:
    """SQLite: count the contacts inserted since the last fold (analytics/folds.py)."""
    return folds.fold(NAME, CONTACTS, lambda upto, newest: [_count_sql(
        "sqlite", f"c.id > {int(upto)} AND c.id <= {int(newest)}")])


# ---- reads ------------------------------------------------------------------------

def _utc_days(period: Period) -> tuple[dt.datetime, dt.datetime, dt.date, dt.date]:
    """The period's bounds and its whole UTC days [first, last) (first >= last: none)."""
    start, end = (b.astimezone(dt.UTC) for b in period.bounds())
    first = start.date() + dt.timedelta(days=0 if start.time() == dt.time() else 1)
    return start, end, first, end.date()


def counts(stage: str, breakdown: str, period: Period,
           edge_rows: Any) -> dict[str | None, int] | None:
    """{key or None: contacts that entered `stage` in P} for a breakdown this rollup keeps
    (None otherwise): the stored days plus the edges counted by `edge_rows(start, end)`,
    a queryset of entered(stage) over [start, end) (analytics/stages.py)."""
    if stage not in STAGES or breakdown not in KEYED:
        return None
    fold()
    start, end, first, last = _utc_days(period)
    if first >= last:
        return _edge(edge_rows(start, end), breakdown)
    totals: dict[str | None, int] = {}
    stored = _stored(stage, KEYED[breakdown], first, last)
    for key, n in _named(breakdown, stored):
        totals[key] = totals.get(key, 0) + n
    edges = ((start, _midnight(first)), (_midnight(last), end))
    for low, high in edges:
        if low < high:
            for key, n in _edge(edge_rows(low, high), breakdown).items():
                totals[key] = totals.get(key, 0) + n
    return {k: n for k, n in totals.items() if n}


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _stored(stage: str, dimension: str, first: dt.date, last: dt.date) -> list[tuple[str, int]]:
    from smarketing.analytics.models import StageEntry

    return list(StageEntry.objects.filter(
        stage=stage, dimension=dimension, day__gte=first, day__lt=last,
    ).order_by().values_list("key").annotate(total=Sum("n")).values_list("key", "total"))


EDGE_PATHS = {"channel": "original_source", "campaign": "original_campaign",
              "region": "company__region", "owner": "owner__username",
              "team": "owner__profile__team__name"}


def _edge(rows: QuerySet[Any], breakdown: str) -> dict[str | None, int]:
    grouped = rows.order_by().values_list(EDGE_PATHS[breakdown]).annotate(n=Count("pk"))
    result: dict[str | None, int] = {}
    for key, n in grouped:
        result[key or None] = result.get(key or None, 0) + n
    return result


def _named(breakdown: str, stored: list[tuple[str, int]]) -> list[tuple[str | None, int]]:
    """Stored keys as the breakdown names them ("" -> None; owner ids -> usernames or
    team names)."""
    if breakdown not in ("owner", "team"):
        return [(key or None, n) for key, n in stored]
    ids = [int(key) for key, _ in stored if key]
    users = get_user_model().objects.select_related("profile__team").in_bulk(ids)
    return [(_owner_key(breakdown, users.get(int(key))) if key else None, n)
            for key, n in stored]


def _owner_key(breakdown: str, user: Any) -> str | None:
    if breakdown == "owner":
        return user.username
    profile = getattr(user, "profile", None)
    return profile.team.name if profile is not None and profile.team else None

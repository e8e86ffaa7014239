"""Exact per-day counts of the lifecycle moves, so the customer journey reads a few
thousand rows instead of grouping every contact and every stage change.

analytics_stageflow holds, per UTC day and (from_stage, to_stage), how many
people.StageChange rows have their `at` on that day (from_stage "" is a contact's first
row). The moves in [s, e) are the stored whole UTC days inside it plus the parts of the
first and last UTC day counted directly from the history (index range scans on
stage_change_to_at; none for a UTC organisation). A contact's history starts from "" and
every move starts where the previous one ended (people/lifecycle.py), so the contacts in
stage S at moment m are the moves into S before m minus the moves out of S before m:
the same figure as each contact's last move before m (journey.phase_contacts).

Kept exact whatever the order or lateness of the writes, without a trigger on inserts
(contact imports write a million history rows; a row trigger there costs more than the
insert itself on SQLite):

- SQLite (one writer at a time, ids never reused: AUTOINCREMENT): its row of
  analytics_foldmark (analytics/folds.py) holds the largest StageChange id counted;
  `fold()` adds the rows above it, grouped, in one statement under the write lock,
  before every read. Row triggers handle the rare
  deletes (a contact deleted or merged) and changes of rows already counted (id <= mark);
  rows not yet counted are read as they are when folded.
- PostgreSQL (concurrent writers commit out of id order, so no mark): statement triggers
  over the transition tables add each INSERT, UPDATE and DELETE statement's rows grouped,
  each backend in its own rows (`writer` = pg_backend_pid(), as analytics_webbucket).

`rebuild()` recomputes it set-based (migration 0007). Proof: tests/test_stageflows.py.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db import connection
from django.db.models import Count, Sum

from smarketing.analytics import folds, triggers
from smarketing.analytics.stageentries import utc_day_sql
from smarketing.people.models import Stage, StageChange

FLOWS, CHANGES, NAME = "analytics_stageflow", "people_stagechange", "stageflows"
COLUMNS = f"INSERT INTO {FLOWS} (day, from_stage, to_stage, writer, n) "
UPSERT = (" ON CONFLICT (day, from_stage, to_stage, writer) DO UPDATE SET "
          f"n = {FLOWS}.n + excluded.n")
COUNTED = folds.counted(NAME)
MOVED = "OLD.at IS NOT NEW.at OR OLD.from_stage IS NOT NEW.from_stage OR " \
        "OLD.to_stage IS NOT NEW.to_stage"
Moves = Counter[tuple[str, str]]


def _grouped(vendor: str, rows: str, writer: str) -> str:
    """INSERT the moves of `rows` (columns at, from_stage, to_stage, n) grouped by day."""
    day = utc_day_sql(vendor, "r.at")
    return (f"{COLUMNS}SELECT {day}, r.from_stage, r.to_stage, {writer}, SUM(r.n) "
            f"FROM ({rows}) AS r WHERE TRUE GROUP BY {day}, r.from_stage, r.to_stage")


def _one(r: str, step: int) -> str:
    return (f"{COLUMNS}VALUES ({utc_day_sql('sqlite', f'{r}.at')}, {r}.from_stage, "
            f"{r}.to_stage, 0, {step}){UPSERT};")


def sqlite_triggers() -> list[str]:
    head = f"CREATE TRIGGER analytics_stage_flow_{{}} AFTER {{}} ON {CHANGES} FOR EACH ROW "
    return [
        head.format("delete", "DELETE") + f"WHEN {COUNTED} BEGIN {_one('OLD', -1)} END",
        head.format("update", "UPDATE") + f"WHEN {COUNTED} AND ({MOVED}) "
        f"BEGIN {_one('OLD', -1)} {_one('NEW', 1)} END",
    ]


def _pg_function(name: str, rows: str) -> str:
    return (f"CREATE FUNCTION analytics_stage_flow_{name}() RETURNS trigger AS $$ BEGIN "
            f"{_grouped('postgresql', rows, 'pg_backend_pid()')} ORDER BY 1, 2, 3{UPSERT}; "
            "RETURN NULL; END $$ LANGUAGE plpgsql")


def postgresql_triggers() -> list[str]:
    plus, minus = ("SELECT at, from_stage, to_stage, {} AS n FROM {}".format(*x)
                   for x in (("1", "new_rows"), ("-1", "old_rows")))
    trigger = (f"CREATE TRIGGER analytics_stage_flow_{{0}} AFTER {{1}} ON {CHANGES} "
               "REFERENCING {2} FOR EACH STATEMENT EXECUTE FUNCTION analytics_stage_flow_{0}()")
    return [
        _pg_function("insert", plus), _pg_function("delete", minus),
        _pg_function("update", f"{minus} UNION ALL {plus}"),
        trigger.format("insert", "INSERT", "NEW TABLE AS new_rows"),
        trigger.format("delete", "DELETE", "OLD TABLE AS old_rows"),
        trigger.format("update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ]


def install(schema_editor: Any) -> None:
    triggers.install(schema_editor, sqlite_triggers, postgresql_triggers, rebuild)


def uninstall(schema_editor: Any) -> None:
    names = [f"analytics_stage_flow_{op}" for op in ("insert", "delete", "update")]
    triggers.uninstall(schema_editor, sqlite_triggers, [(n, CHANGES) for n in names], names)


def rebuild(db: Any = connection) -> None:
    """Recompute every count from the history (one grouped statement) and mark it all
    counted."""
    rows = f"SELECT at, from_stage, to_stage, 1 AS n FROM {CHANGES}"
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {FLOWS}")
        cursor.execute(_grouped(db.vendor, rows, "0"))
    folds.mark_all(db, NAME, CHANGES)


def _fold_statements(upto: int, newest: int) -> list[str]:
    rows = (f"SELECT at, from_stage, to_stage, 1 AS n FROM {CHANGES} "
            f"WHERE id > {int(upto)} AND id <= {int(newest)}")
    return [_grouped("sqlite", rows, "0") + UPSERT]


def fold() -> int:
    """SQLite: count the history rows added since the last fold (analytics/folds.py;
    none on PostgreSQL, whose triggers count as they go). Returns the ids moved."""
    return folds.fold(NAME, CHANGES, _fold_statements)


# ---- reads ------------------------------------------------------------------------

def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _direct(low: dt.datetime | None, high: dt.datetime) -> Moves:
    """The moves in [low, high) counted from the history (by stage_change_to_at)."""
    rows = StageChange.objects.filter(to_stage__in=Stage.values, at__lt=high)
    if low is not None:
        rows = rows.filter(at__gte=low)
    grouped = rows.order_by().values_list("from_stage", "to_stage").annotate(n=Count("id"))
    return Counter({(f, t): n for f, t, n in grouped})


def _stored(first: dt.date | None, last: dt.date) -> Moves:
    from smarketing.analytics.models import StageFlow

    rows = StageFlow.objects.filter(day__lt=last)
    if first is not None:
        rows = rows.filter(day__gte=first)
    grouped = (rows.order_by().values_list("from_stage", "to_stage").annotate(total=Sum("n"))
               .values_list("from_stage", "to_stage", "total"))
    return Counter({(f, t): n for f, t, n in grouped if n})


def moves(low: dt.datetime | None, high: dt.datetime) -> Moves:
    """(from_stage, to_stage) -> the lifecycle moves with low <= at < high (low None:
    from the beginning): the stored whole UTC days plus the edges counted directly."""
    fold()
    low_utc = None if low is None else low.astimezone(dt.UTC)
    first = None
    if low_utc is not None:
        first = low_utc.date() + dt.timedelta(days=0 if low_utc.time() == dt.time() else 1)
    last = high.astimezone(dt.UTC).date()
    if first is not None and first >= last:
        return _direct(low, high)
    result = _stored(first, last)
    if low is not None and first is not None and low < _midnight(first):
        result.update(_direct(low, _midnight(first)))
    if _midnight(last) < high:
        result.update(_direct(_midnight(last), high))
    return +result


def stage_counts_at(moment: dt.datetime) -> Counter[str]:
    """Contacts per lifecycle stage at `moment`: the moves into each stage before it
    minus the moves out of it."""
    counts: Counter[str] = Counter()
    for (from_stage, to_stage), n in moves(None, moment).items():
        counts[to_stage] += n
        if from_stage:
            counts[from_stage] -= n
    return counts

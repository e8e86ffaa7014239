"""SQLite: rollups that count a table's new rows by id instead of an insert trigger.

A row trigger on every insert cost more than the insert itself on SQLite (its trigger
program and statement journal: a contact insert took ~82 us CPU with the two contact
rollups' insert triggers, ~19 without). So on SQLite the rollups of the contacts
(stageentries, leadvisits) and of the stage history (stageflows) keep, in
analytics_foldmark, the largest id of their source table already counted (one row per
rollup, by name), and `fold()` adds the rows above it set-based, under the write lock,
before every read (no write at all when nothing is above the mark). Ids only grow
(AUTOINCREMENT) and SQLite commits one writer at a time, so no committed row stays
below the mark uncounted. Deletes and changes keep their row triggers, which act only
on rows already counted (`counted(name)`): a row above the mark is read as it is when
folded. No mark row means 0 (everything is counted again at the next fold, so the
rollup must then be empty: a rebuild sets the mark). PostgreSQL has no such mark: its
triggers count as rows are written, and concurrent writers commit out of id order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction

MARKS = "analytics_foldmark"


def counted(name: str) -> str:
    """SQL: OLD's row was already counted by the rollup `name` (for a trigger's WHEN)."""
    return f"OLD.id <= (SELECT upto FROM {MARKS} WHERE name = '{name}')"


def _marks(name: str, table: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT upto FROM {MARKS} WHERE name = %s), "
                       f"(SELECT MAX(id) FROM {table})", [name])
        upto, newest = cursor.fetchone()
    return upto or 0, newest or 0


def fold(name: str, table: str, statements: Callable[[int, int], list[str]]) -> int:
    """SQLite: run `statements(upto, newest)` (counting the rows of `table` with
    upto < id <= newest) and move the mark of `name` to newest. Returns the ids moved."""
    if connection.vendor == "postgresql":
        return 0
    upto, newest = _marks(name, table)
    if newest <= upto:
        return 0
    with transaction.atomic(), connection.cursor() as cursor:  # the write lock (IMMEDIATE)
        upto, newest = _marks(name, table)
        if newest <= upto:
            return 0
        for sql in statements(upto, newest):
            cursor.execute(sql)
        cursor.execute(f"INSERT INTO {MARKS} (name, upto) VALUES (%s, %s) ON CONFLICT (name) "
                       "DO UPDATE SET upto = excluded.upto", [name, newest])
        return newest - upto


def mark_all(db: Any, name: str, table: str) -> None:
    """Every row of `table` counted by `name` (after a rebuild from all of them; nothing
    before migration 0010, which made the marks and rebuilt each of these rollups)."""
    if MARKS not in db.introspection.table_names():
        return
    with db.cursor() as cursor:
        cursor.execute(f"DELETE FROM {MARKS} WHERE name = %s", [name])
        cursor.execute(f"INSERT INTO {MARKS} (name, upto) SELECT CAST(%s AS VARCHAR(30)), "
                       f"COALESCE(MAX(id), 0) FROM {table}", [name])


def due(now: Any) -> int:
    """The worker's periodic check: fold what the writers added since (so a read after a
    bulk import does not fold its rows itself). Returns the rollups that folded."""
    from smarketing.analytics import leadvisits, stageentries, stageflows

    return sum(1 for module in (stageflows, stageentries, leadvisits) if module.fold())

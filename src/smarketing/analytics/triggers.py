"""Installing and dropping the database triggers that keep analytics' exact rollups
(dealspans.py, stageentries.py, ...): each vendor gets its own statements."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


def install(schema_editor: Any, sqlite: Callable[[], list[str]],
            postgresql: Callable[[], list[str]], fill: Callable[[Any], None]) -> None:
    """Create the vendor's triggers, then fill the rollup from the rows there are."""
    vendor = schema_editor.connection.vendor
    for sql in postgresql() if vendor == "postgresql" else sqlite():
        schema_editor.execute(sql)
    fill(schema_editor.connection)


def uninstall(schema_editor: Any, sqlite: Callable[[], list[str]],
              triggers: Iterable[tuple[str, str]], functions: Iterable[str]) -> None:
    """Drop SQLite's triggers (named in their CREATE statements), or PostgreSQL's
    (trigger, table) pairs and their functions."""
    if schema_editor.connection.vendor != "postgresql":
        for sql in sqlite():
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {sql.split()[2]}")
        return
    for name, table in triggers:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
    for name in functions:
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def sqlite_refreshing(prefix: str, on: Mapping[str, tuple[str, str, list[str]]],
                      refresh: Callable[[str], str]) -> list[str]:
    """SQLite row triggers `<prefix>_<name>`: on `event`, when `when` holds, the
    `refresh` statements of each key expression it names (NEW.id, OLD.deal_id, ...)."""
    return [f"CREATE TRIGGER {prefix}_{name} {event} WHEN {when} "
            f"BEGIN {' '.join(refresh(key) for key in keys)} END"
            for name, (event, when, keys) in on.items()]

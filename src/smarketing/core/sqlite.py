"""SQLite connection settings changed for one piece of work and restored after it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping

from django.db import connection


@contextlib.contextmanager
def pragmas(values: Mapping[str, int]) -> Iterator[None]:
    """Set these PRAGMAs on the default connection (SQLite only; nothing elsewhere) for
    the duration of the block, then put their previous values back."""
    if connection.vendor != "sqlite" or not values:
        yield
        return
    before = {}
    with connection.cursor() as cursor:
        for name, value in values.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = cursor.fetchone()[0]
            cursor.execute(f"PRAGMA {name}={int(value)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name}={value}")

"""An import tunes its SQLite connection for bulk writes and gives it back as it was."""

from __future__ import annotations

import pytest
from django.db import connection

from smarketing.imports.engine import BULK_PRAGMAS, bulk_writes


def _pragmas() -> dict[str, int]:
    values = {}
    with connection.cursor() as cursor:
        for name in BULK_PRAGMAS:
            cursor.execute(f"PRAGMA {name}")
            values[name] = cursor.fetchone()[0]
    return values


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache and checkpoints")
def test_bulk_writes_use_the_bigger_cache_rarer_checkpoints_and_memory_journals_then_restore_them(
) -> None:
    before = _pragmas()
    with bulk_writes():
        assert _pragmas() == BULK_PRAGMAS
    assert _pragmas() == before != BULK_PRAGMAS


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache and checkpoints")
def test_inside_a_transaction_bulk_writes_keep_the_temporary_store() -> None:
    before = _pragmas()
    with bulk_writes():
        assert _pragmas() == {**BULK_PRAGMAS, "temp_store": before["temp_store"]}
    assert _pragmas() == before


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache and checkpoints")
def test_bulk_writes_restore_the_settings_when_the_import_fails() -> None:
    before = _pragmas()
    with pytest.raises(RuntimeError), bulk_writes():
        raise RuntimeError("a batch failed")
    assert _pragmas() == before

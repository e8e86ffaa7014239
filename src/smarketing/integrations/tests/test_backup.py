"""`smarketing backup` / `smarketing restore`: every table round-trips, across engines.

The cross-engine test restores this database's backup into a fresh SQLite database
in a real `smarketing` process, backs that up again there, and restores the second
file here: on the PostgreSQL run that is PostgreSQL -> SQLite -> PostgreSQL, so
both directions are covered; every model's rows must come back identical.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection

from smarketing.integrations.backup import backup, backup_models, label, restore
from smarketing.people.generate import GenerateOptions, generate
from smarketing.people.models import Contact
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db(transaction=True)
END = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every backed-up model's rows, all columns, by primary key."""
    return {
        label(model): list(model._default_manager.order_by("pk").values_list())
        for model in backup_models()
    }


@pytest.fixture
def world(users: dict[str, Any]) -> dict[str, list[tuple[Any, ...]]]:
    """The generated demo world (every capability's tables) plus a user in a group
    with a permission (stored by natural key)."""
    generate(GenerateOptions(contacts=120, seed=9, end=END))
    group = Group.objects.create(name="Auditors")
    group.permissions.add(Permission.objects.get(codename="view_contact"))
    users["marketing"].groups.add(group)
    users["marketing"].user_permissions.add(Permission.objects.get(codename="add_contact"))
    before = snapshot()
    assert sum(1 for rows in before.values() if rows) >= 25, "the world covers most tables"
    return before


def test_a_backup_restores_every_row_of_every_table(world: Any, tmp_path: Path) -> None:
    path = tmp_path / "backup.jsonl.gz"
    counts = backup(path)
    assert counts["people.contact"] == 120
    with gzip.open(path, "rt") as file:
        header = json.loads(file.readline())
    assert (header["format"], header["version"]) == ("smarketing-backup", 1)
    restore(path, force=True)
    assert snapshot() == world
    Contact.objects.create(email="after@example.com")  # sequences were reset
    make_contact(email="next@example.com")


def test_restore_refuses_a_database_in_use_and_a_foreign_file(
    world: Any, tmp_path: Path
) -> None:
    path = tmp_path / "backup.jsonl"
    backup(path)
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(path))
    bad = tmp_path / "other.jsonl"
    bad.write_text('{"hello": 1}\n')
    with pytest.raises(CommandError, match="not a Smarketing backup"):
        call_command("restore", str(bad), force=True)
    truncated = tmp_path / "truncated.jsonl"
    truncated.write_text("".join(path.read_text().splitlines(keepends=True)[:-3]))
    with pytest.raises(CommandError, match="truncated"):
        call_command("restore", str(truncated), force=True)
    assert snapshot() == world  # nothing half-written


def _smarketing(data_dir: Path, *args: str) -> str:
    env = {**os.environ, "SMARKETING_DATA_DIR": str(data_dir), "DATABASE_URL": ""}
    done = subprocess.run(
        [sys.executable, "-m", "smarketing.cli", *args], env=env, capture_output=True,
        text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_a_backup_moves_to_a_fresh_sqlite_database_and_back(
    world: Any, tmp_path: Path
) -> None:
    first, second = tmp_path / "from-here.jsonl", tmp_path / "from-sqlite.jsonl.gz"
    backup(first)
    assert "Restored" in _smarketing(tmp_path / "sqlite", "restore", str(first))
    assert "Backed up" in _smarketing(tmp_path / "sqlite", "backup", str(second))
    restore(second, force=True)
    assert snapshot() == world, f"round trip through SQLite from {connection.vendor}"

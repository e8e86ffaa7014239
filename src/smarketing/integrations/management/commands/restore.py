"""smarketing restore FILE [--force]: load a backup into an empty, migrated database."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smarketing.core.errors import DomainError
from smarketing.integrations.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `smarketing backup` (from SQLite or PostgreSQL) into "
        "this database, migrating it first; refuses a database in use unless --force."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--force", action="store_true",
            help="Delete every existing row first (replaces the whole database).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"file: {path} does not exist")
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        try:
            counts = restore(path, force=options["force"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Restored {sum(counts.values())} rows of {len(counts)} models from {path} "
            f"in {time.monotonic() - started:.1f} s"
        )

"""smarketing backup FILE: a complete, portable dump (JSON Lines, .gz to compress)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from smarketing.integrations.backup import backup


class Command(BaseCommand):
    help = "Write every record and history row to FILE (JSON Lines; gzip if it ends in .gz)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        counts = backup(options["file"])
        rows = sum(counts.values())
        self.stdout.write(
            f"Backed up {rows} rows of {len([n for n in counts.values() if n])} models "
            f"to {options['file']} in {time.monotonic() - started:.1f} s"
        )

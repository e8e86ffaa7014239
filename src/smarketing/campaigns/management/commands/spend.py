"""smarketing spend import costs|metrics FILE [--format generic|facebook] [--map COL=FIELD]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smarketing.campaigns.imports import import_costs, import_metrics
from smarketing.core.errors import ValidationFailed


class Command(BaseCommand):
    help = "Import campaign costs or channel metrics from a CSV file (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import a CSV file.")
        imp.add_argument("what", choices=["costs", "metrics"])
        imp.add_argument("file", type=Path)
        imp.add_argument("--format", default="generic", choices=["generic", "facebook"],
                         help="Metrics only: the export's layout.")
        imp.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                         help="Read the file's COLUMN as FIELD (repeatable).")

    def handle(self, *args: Any, **options: Any) -> None:
        mapping = dict(_pair(item) for item in options["map"])
        try:
            text = options["file"].read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise CommandError(f"{options['file']}: {exc.strerror}") from exc
        try:
            if options["what"] == "costs":
                count = import_costs(actor=None, text=text, mapping=mapping)
            else:
                count = import_metrics(actor=None, text=text, format=options["format"],
                                       mapping=mapping)
        except ValidationFailed as exc:
            raise CommandError(f"{options['file']}: {exc.message}; nothing imported") from exc
        self.stdout.write(f"Imported {count:,} {options['what']} rows from {options['file']}.")


def _pair(item: str) -> tuple[str, str]:
    column, sep, field = item.partition("=")
    if not sep or not column or not field:
        raise CommandError(f"--map: use COLUMN=FIELD, not {item!r}")
    return column, field

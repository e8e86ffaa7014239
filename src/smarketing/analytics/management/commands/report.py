"""smarketing report --period last-week|...|YYYY-MM-DD..YYYY-MM-DD --format html|pdf --out FILE"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smarketing.analytics.report import FORMATS, render
from smarketing.campaigns.rollup import rollup_refresh
from smarketing.core.errors import ValidationFailed
from smarketing.core.periods import parse_range


class Command(BaseCommand):
    help = "Write the weekly marketing-sales alignment report as self-contained HTML or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", default="last-week",
                            help="A preset (last-week, last-month, this-quarter, ...) or "
                                 "YYYY-MM-DD..YYYY-MM-DD (end exclusive). Default: last-week.")
        parser.add_argument("--format", default="html", choices=FORMATS)
        parser.add_argument("--out", type=Path, required=True, help="The file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_range(options["period"])
        except ValidationFailed as exc:
            raise CommandError(f"--period: {exc.message}") from exc
        rollup_refresh()  # not a request: attribution's figures brought up to date first
        content = render(period, options["format"])
        out: Path = options["out"]
        try:
            out.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"--out: {out}: {exc.strerror}") from exc
        self.stdout.write(f"Wrote the {options['format'].upper()} report for {period.label()} "
                          f"to {out} ({len(content):,} bytes).")

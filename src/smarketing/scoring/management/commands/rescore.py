"""smarketing rescore [--batch N]"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smarketing.scoring.scoring import BATCH, rescore_all
from smarketing.scoring.services import active_model

BAR = 30


class Command(BaseCommand):
    help = "Rescore every contact (and account) with the active scoring model, set-based."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=BATCH,
                            help="Contacts (by id range) per set of queries.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch"] < 1:
            raise CommandError(f"--batch: use a positive number, not {options['batch']}")
        quiet = options["verbosity"] < 1
        model = active_model()
        result = rescore_all(batch=options["batch"], progress=None if quiet else self._bar)
        if not quiet:
            sys.stderr.write("\n")
            self.stdout.write(
                f"Rescored {result.contacts:,} contacts with {model} in {result.seconds:.1f} s: "
                f"{result.changed:,} scores changed, {result.mqls:,} new MQLs."
            )

    def _bar(self, done: int, total: int) -> None:
        filled = BAR * done // max(total, 1)
        percent = 100 * done // max(total, 1)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (BAR - filled)}] {percent:3d}% ")
        sys.stderr.flush()

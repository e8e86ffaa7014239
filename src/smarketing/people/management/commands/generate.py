"""smarketing generate --contacts N --seed S [--months 12] [--force]"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smarketing.people.generate import (
    GenerateOptions,
    clear_people_data,
    generate,
    people_data_exists,
)

MAX_CONTACTS = 50_000_000


class Command(BaseCommand):
    help = (
        "Generate a deterministic, realistic B2B data set: teams, users in every role, "
        "companies and contacts with stage histories (bulk inserts)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--contacts", type=int, default=5000, help="How many contacts.")
        parser.add_argument("--seed", type=int, default=42, help="Same seed, same data.")
        parser.add_argument("--months", type=int, default=12, help="History length in months.")
        parser.add_argument(
            "--force", action="store_true",
            help="Delete the existing companies and contacts first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        contacts, months = options["contacts"], options["months"]
        if not 1 <= contacts <= MAX_CONTACTS:
            raise CommandError(f"--contacts: use 1 to {MAX_CONTACTS:,}, not {contacts}")
        if not 1 <= months <= 120:
            raise CommandError(f"--months: use 1 to 120, not {months}")
        if people_data_exists():
            if not options["force"]:
                raise CommandError(
                    "the database already has companies or contacts; "
                    "use --force to delete them and generate anew"
                )
            self.stdout.write("Deleting the existing companies and contacts…")
            clear_people_data()
        started = time.monotonic()
        quiet = options["verbosity"] < 1

        def progress(done: int, total: int) -> None:
            if not quiet and total > 50_000:
                elapsed = time.monotonic() - started
                self.stdout.write(f"  {done:,} / {total:,} contacts ({elapsed:.0f} s)")

        result = generate(
            GenerateOptions(contacts=contacts, seed=options["seed"], months=months), progress
        )
        if not quiet:
            self.stdout.write("\n".join(result.summary()))

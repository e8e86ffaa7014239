"""smarketing demo: migrate, collect statics, load the demo data once (and score it),
refresh the demo users' password, print the credentials, serve."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from smarketing.core.demo import credentials_lines, demo_password, demo_users_refresh
from smarketing.core.management.commands.serve import (
    add_server_arguments,
    check_server_arguments,
    run_server,
)
from smarketing.people.models import Contact

DEMO_CONTACTS = 5000
DEMO_SEED = 42


class Command(BaseCommand):
    help = (
        "Set up and serve the demo: migrate, collect static files, generate the demo data "
        "and score it (only into an empty database), refresh the demo users, print their "
        "credentials."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--contacts", type=int, default=DEMO_CONTACTS,
            help="Contacts to generate when the database has none.",
        )
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="Seed of the data set.")
        parser.add_argument(
            "--no-serve", action="store_true", help="Set up and print, but do not serve."
        )
        add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        check_server_arguments(options)
        self.stdout.write("Migrating the database…")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Collecting static files…")
        call_command("collectstatic", interactive=False, verbosity=0)
        self._load_data(options)
        password = demo_password()
        users = demo_users_refresh(password.value)
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("\n".join(credentials_lines(users, url, password)))
        if not options["no_serve"]:
            self.stdout.flush()
            run_server(options, collect_static=False)

    def _load_data(self, options: dict[str, Any]) -> None:
        existing = Contact.objects.count()
        if existing:
            self.stdout.write(f"The database has {existing:,} contacts: keeping them.")
            return
        self.stdout.write(f"Generating the demo data ({options['contacts']:,} contacts)…")
        call_command(
            "generate", contacts=options["contacts"], seed=options["seed"],
            stdout=self.stdout, verbosity=options["verbosity"],
        )
        self.stdout.write("Scoring the demo contacts…")  # the scores their generated
        # events earn, stored as an operator's first `smarketing rescore` stores them
        call_command("rescore", stdout=self.stdout, verbosity=min(options["verbosity"], 1))

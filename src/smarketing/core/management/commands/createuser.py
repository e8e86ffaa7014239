"""smarketing createuser NAME --role ROLE [--password P] [--email E] [--team T]
[--region R] [--capacity N]"""

from __future__ import annotations

import getpass
import secrets
import sys
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Region, Role
from smarketing.core.services import team_get_or_create, user_create

FLAGS = {"username": "NAME"}


def flag_error(error: ValidationFailed) -> CommandError:
    """The service's message with the field replaced by the command-line flag."""
    flag = FLAGS.get(error.field, f"--{error.field}")
    message = error.message.removeprefix(f"{error.field}: ")
    return CommandError(f"{flag}: {message}")


class Command(BaseCommand):
    help = "Create a user with one role, optionally in a team and region."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="Username to sign in with.")
        parser.add_argument("--role", required=True, help=f"One of {', '.join(Role.values)}.")
        parser.add_argument("--password", help="Password (prompted, or generated, if omitted).")
        parser.add_argument("--email", default="", help="Email address.")
        parser.add_argument("--team", default="", help="Team name (created when new).")
        parser.add_argument("--region", default="", help=f"One of {', '.join(Region.values)}.")
        parser.add_argument("--capacity", type=int, default=50, help="Most open MQLs at once.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["role"] not in Role.values:
            raise CommandError(
                f"--role: {options['role']!r} is not one of {', '.join(Role.values)}"
            )
        region = options["region"].strip().upper()
        email = self._email(options["email"])
        password, generated = self._password(options["password"], options["name"])
        try:
            user = self._create(options, region=region, email=email, password=password)
        except ValidationFailed as error:
            raise flag_error(error) from error
        self.stdout.write(f"Created user {user.username} ({user.profile.get_role_display()}).")
        if generated:
            self.stdout.write(f"Password (shown once): {password}")

    @transaction.atomic
    def _create(self, options: dict[str, Any], *, region: str, email: str, password: str) -> User:
        """The team (when new) and the user, or neither."""
        team_name = options["team"].strip()
        team = team_get_or_create(name=team_name, region=region) if team_name else None
        return user_create(
            username=options["name"].strip(), password=password, role=options["role"],
            email=email, team=team, region=region, capacity=options["capacity"],
        )

    def _email(self, raw: str) -> str:
        email = raw.strip().lower()
        if email:
            try:
                validate_email(email)
            except ValidationError as error:
                raise CommandError(f"--email: {raw!r} is not a valid address") from error
        return email

    def _password(self, given: str | None, username: str) -> tuple[str, bool]:
        generated = given is None and not sys.stdin.isatty()
        if given is None:
            given = secrets.token_urlsafe(12) if generated else self._prompt()
        try:
            validate_password(given, User(username=username))
        except ValidationError as error:
            raise CommandError(f"--password: {' '.join(error.messages)}") from error
        return given, generated

    def _prompt(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("--password: the two passwords differ")
        return first

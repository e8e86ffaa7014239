"""smarketing token create --user NAME [--name LABEL] | list [--user NAME] | revoke ID"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smarketing.core.errors import NotFound
from smarketing.integrations.models import ApiToken
from smarketing.integrations.services import token_create, token_revoke


def _user(username: str, *, active: bool = True) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"--user: no user named {username!r}")
    if active and not user.is_active:
        raise CommandError(f"--user: {username!r} is deactivated")
    return user


def _when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "never"


class Command(BaseCommand):
    help = "Create, list or revoke API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="Create a token and print it once.")
        create.add_argument("--user", required=True, help="Username the token acts as.")
        create.add_argument("--name", default="", help="A label, e.g. the integration's name.")
        create.add_argument(
            "--read-only", action="store_true", help="The token may only read (writes: 403)."
        )
        listing = actions.add_parser("list", help="List tokens (never their value).")
        listing.add_argument("--user", default="", help="Only this user's tokens.")
        revoke = actions.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("id", type=int, help="The token's id (see `token list`).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["user"], options["name"], options["read_only"])
        elif action == "list":
            self._list(options["user"])
        else:
            self._revoke(options["id"])

    def _create(self, username: str, name: str, read_only: bool) -> None:
        token, raw = token_create(
            user=_user(username), name=name.strip()[:100], read_only=read_only
        )
        self.stdout.write(
            f"Created token {token.pk} for {username}. Copy it now: it is not shown again."
        )
        self.stdout.write(raw)

    def _list(self, username: str) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("id")
        if username:
            tokens = tokens.filter(user=_user(username, active=False))
        self.stdout.write(
            f"{'id':>5}  {'user':<16}{'name':<20}{'prefix':<12}{'created':<18}"
            f"{'last used':<18}status"
        )
        for t in tokens:
            status = "active" if t.is_active else f"revoked {_when(t.revoked_at)}"
            status += ", read-only" if t.read_only else ""
            self.stdout.write(
                f"{t.pk:>5}  {t.user.username:<16}{t.name:<20}{t.prefix + '…':<12}"
                f"{_when(t.created_at):<18}{_when(t.last_used_at):<18}{status}"
            )

    def _revoke(self, token_id: int) -> None:
        try:
            token = token_revoke(token_id=token_id, actor=None)
        except NotFound as error:
            raise CommandError(f"ID: {error.message}") from error
        self.stdout.write(f"Revoked token {token.pk} ({token.prefix}…) of {token.user.username}.")

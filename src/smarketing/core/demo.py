"""The demo users: who they are, their shared password, and the credentials block."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction

from smarketing.core.env import env_str
from smarketing.core.models import Region, Role
from smarketing.core.roles import profile_of, role_of
from smarketing.core.services import team_get_or_create, user_create

DEMO_USERNAME = re.compile(r"^(admin|marketing|manager\d*|rep\d+)$")
ROLE_ORDER: dict[str, int] = {
    Role.ADMIN: 0, Role.MARKETING: 1, Role.SALES_MANAGER: 2, Role.SALES_REP: 3,
}
# The users every demo has, even on a database whose data was not generated.
BASE_USERS = (
    ("admin", Role.ADMIN), ("marketing", Role.MARKETING),
    ("manager", Role.SALES_MANAGER), ("rep1", Role.SALES_REP),
)


@dataclass(frozen=True)
class DemoPassword:
    value: str
    from_environment: bool


def demo_password() -> DemoPassword:
    """SMARKETING_DEMO_PASSWORD, or a new random one (printed, so it always works)."""
    chosen = env_str("SMARKETING_DEMO_PASSWORD", "")
    if chosen:
        return DemoPassword(chosen, True)
    return DemoPassword(secrets.token_urlsafe(12), False)


def _ensure_base_users() -> None:
    team = None
    for username, role in BASE_USERS:
        if User.objects.filter(username=username).exists():
            continue
        if role in {Role.SALES_MANAGER, Role.SALES_REP} and team is None:
            team = team_get_or_create(name="NA Sales", region=Region.NA)
        in_team = role in {Role.SALES_MANAGER, Role.SALES_REP}
        user_create(
            username=username, password=None, role=role, email=f"{username}@example.com",
            team=team if in_team else None, region=Region.NA if in_team else "",
        )


def _sort_key(user: User) -> tuple[int, int, str]:
    digits = "".join(ch for ch in user.username if ch.isdigit())
    return ROLE_ORDER.get(role_of(user) or "", 9), int(digits or 0), user.username


@transaction.atomic
def demo_users_refresh(password: str) -> list[User]:
    """Create the missing base users, then give every demo user `password` (and activate)."""
    _ensure_base_users()
    candidates = User.objects.select_related("profile", "profile__team").order_by("username")
    users = sorted((u for u in candidates if DEMO_USERNAME.match(u.username)), key=_sort_key)
    User.objects.filter(pk__in=[u.pk for u in users]).update(
        password=make_password(password), is_active=True
    )
    return users


def credentials_lines(users: list[User], url: str, password: DemoPassword) -> list[str]:
    origin = "from SMARKETING_DEMO_PASSWORD" if password.from_environment else (
        "random, new on every run; set SMARKETING_DEMO_PASSWORD to choose it"
    )
    lines = [
        "", f"Smarketing demo: open {url} and sign in as one of these users.", "",
        f"  {'user':<12}{'role':<16}{'team':<14}region",
    ]
    for user in users:
        profile, role = profile_of(user), role_of(user)
        label = Role(role).label if role else ""
        team = profile.team.name if profile and profile.team else ""
        region = profile.region if profile else ""
        lines.append(f"  {user.username:<12}{label:<16}{team:<14}{region}")
    lines += ["", f"  password for every user above: {password.value}", f"  ({origin})", ""]
    return lines

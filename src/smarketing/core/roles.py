"""Who a user is: role, team, and the questions permission rules ask."""

from __future__ import annotations

from typing import Any

from smarketing.core.models import SALES_ROLES, Profile, Role


def profile_of(user: Any) -> Profile | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile  # type: ignore[no-any-return]
    except Profile.DoesNotExist:
        return None


def role_of(user: Any) -> str | None:
    if user is not None and getattr(user, "is_superuser", False):
        return Role.ADMIN
    profile = profile_of(user)
    return profile.role if profile else None


def is_admin(user: Any) -> bool:
    return role_of(user) == Role.ADMIN


def is_marketing(user: Any) -> bool:
    return role_of(user) == Role.MARKETING


def is_sales(user: Any) -> bool:
    return role_of(user) in SALES_ROLES


def is_manager(user: Any) -> bool:
    return role_of(user) == Role.SALES_MANAGER


def team_id_of(user: Any) -> int | None:
    profile = profile_of(user)
    return profile.team_id if profile else None


def manages(manager: Any, owner_id: int | None) -> bool:
    """True when `manager` is a sales manager whose team includes user `owner_id`."""
    if not is_manager(manager) or owner_id is None:
        return False
    team_id = team_id_of(manager)
    if team_id is None:
        return False
    return Profile.objects.filter(user_id=owner_id, team_id=team_id).exists()

"""Writes for users, profiles and teams."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, User
from django.db import transaction

from smarketing.core.errors import Conflict, ValidationFailed
from smarketing.core.models import Profile, Region, Role, Team


def _check_choice(value: str, choices: type[Role] | type[Region], field: str) -> None:
    if value and value not in choices.values:
        allowed = ", ".join(choices.values)
        raise ValidationFailed(f"{field}: {value!r} is not one of {allowed}", field=field)


def team_get_or_create(*, name: str, region: str = "") -> Team:
    if not name.strip() or len(name) > 100:
        raise ValidationFailed("name: a team needs a name of at most 100 characters", field="name")
    _check_choice(region, Region, "region")
    team, _ = Team.objects.get_or_create(name=name, defaults={"region": region})
    return team


@transaction.atomic
def user_set_role(*, user: User, role: str) -> Profile:
    """Give `user` exactly one role, mirrored as a Django group of the same name."""
    if not role:
        raise ValidationFailed(f"role: use one of {', '.join(Role.values)}", field="role")
    _check_choice(role, Role, "role")
    profile, _ = Profile.objects.get_or_create(user=user)
    profile.role = role
    profile.save(update_fields=["role", "updated_at"])
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    is_admin = role == Role.ADMIN
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    return profile


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
    region: str = "",
    capacity: int = 50,
) -> User:
    if not username.strip() or len(username) > 150:
        raise ValidationFailed("username: use 1 to 150 characters", field="username")
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(f"username: {username!r} is taken", field="username")
    _check_choice(region, Region, "region")
    if capacity < 0:
        raise ValidationFailed("capacity: must be >= 0", field="capacity")
    user = User.objects.create_user(
        username=username, password=password, email=email,
        first_name=first_name, last_name=last_name,
    )
    user_set_role(user=user, role=role)
    Profile.objects.filter(user=user).update(team=team, region=region, capacity=capacity)
    user.profile.refresh_from_db()
    return user


def _team_fields(name: str, region: str, current: Team | None = None) -> None:
    if not name.strip() or len(name) > 100:
        raise ValidationFailed("name: a team needs a name of at most 100 characters", field="name")
    _check_choice(region, Region, "region")
    others = Team.objects.filter(name=name.strip())
    if current is not None:
        others = others.exclude(pk=current.pk)
    if others.exists():
        raise ValidationFailed(f"name: a team {name.strip()!r} exists", field="name")


@transaction.atomic
def team_create(*, actor: Any, name: str, region: str = "") -> Team:
    """A new team (admins: the API checks); names are unique."""
    _team_fields(name, region)
    return Team.objects.create(name=name.strip(), region=region)


@transaction.atomic
def team_update(*, team: Team, actor: Any, name: str | None = None,
                region: str | None = None) -> Team:
    _team_fields(team.name if name is None else name,
                 team.region if region is None else region, team)
    team.name = team.name if name is None else name.strip()
    team.region = team.region if region is None else region
    team.save()
    return team


@transaction.atomic
def team_delete(*, team: Team, actor: Any) -> None:
    """Remove a team nobody (active) belongs to and no routing rule or SLA uses."""
    from django.db.models import ProtectedError

    members = team.members.filter(user__is_active=True).count()
    if members:
        raise Conflict(f"members: {members} active users belong to team {team.name!r}; "
                       "move them first", field="members")
    try:
        team.delete()
    except ProtectedError as exc:
        what = sorted({str(type(o)._meta.verbose_name_plural) for o in exc.protected_objects})
        raise Conflict(f"team: {', '.join(what)} use team {team.name!r}",
                       field="team") from exc


def notifications_mark_read(*, user: Any, ids: list[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or those of `ids`); how many."""
    from django.utils import timezone

    from smarketing.core.models import Notification

    unread = Notification.objects.filter(user_id=user.pk, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


USER_FIELDS = frozenset({"email", "first_name", "last_name", "role", "team", "region",
                         "capacity", "is_active"})


@transaction.atomic
def user_update(*, user: User, actor: Any, **fields: Any) -> User:
    """Change a user's name, email, role, team, region, capacity or active flag (an
    inactive user keeps their records and history, and cannot sign in)."""
    unknown = sorted(set(fields) - USER_FIELDS)
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a user field", field=unknown[0])
    if fields.get("is_active") is False and user.pk == getattr(actor, "pk", None):
        raise ValidationFailed("is_active: you cannot deactivate yourself", field="is_active")
    _check_choice(fields.get("region") or "", Region, "region")
    if (fields.get("capacity") or 0) < 0:
        raise ValidationFailed("capacity: must be >= 0", field="capacity")
    for name in ("email", "first_name", "last_name", "is_active"):
        if name in fields:
            setattr(user, name, fields[name])
    user.save()
    if "role" in fields:
        user_set_role(user=user, role=fields["role"])
    profile = {k: fields[k] for k in ("team", "region", "capacity") if k in fields}
    if profile:
        Profile.objects.filter(user=user).update(**profile)
    user.profile.refresh_from_db()
    return user

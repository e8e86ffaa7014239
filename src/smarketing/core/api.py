"""/api/v1/users: who am I, and the users (owners) records can be given to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status

from smarketing.core.errors import NotFound, PermissionDenied, ValidationFailed
from smarketing.core.models import Notification, Role, Team
from smarketing.core.ordering import both_ways, check_sort, matching
from smarketing.core.roles import is_admin, profile_of, role_of
from smarketing.core.schemas import (
    MarkedOut,
    NotificationList,
    NotificationOut,
    NotificationQuery,
    TeamIn,
    TeamList,
    TeamOut,
    TeamPatch,
    TeamQuery,
    UserIn,
    UserList,
    UserOut,
    UserPatch,
    UserQuery,
)
from smarketing.core.services import (
    notifications_mark_read,
    team_create,
    team_delete,
    team_update,
    user_create,
    user_update,
)

router = Router(tags=["users"])
teams_router = Router(tags=["users"])
notifications_router = Router(tags=["users"])


def user_out(user: object) -> UserOut:
    profile = profile_of(user)
    return UserOut(
        id=user.pk,  # type: ignore[attr-defined]
        username=user.username,  # type: ignore[attr-defined]
        email=user.email,  # type: ignore[attr-defined]
        first_name=user.first_name,  # type: ignore[attr-defined]
        last_name=user.last_name,  # type: ignore[attr-defined]
        role=role_of(user),
        team=profile.team.name if profile and profile.team else None,
        team_id=profile.team_id if profile else None,
        region=profile.region if profile else "",
        capacity=profile.capacity if profile else None,
    )


def _active_users() -> QuerySet[User]:
    """The users records can be given to: active, with a role."""
    return User.objects.filter(is_active=True, profile__isnull=False).select_related(
        "profile", "profile__team"
    )


@router.get("/me", response=UserOut, summary="The signed-in user, with role and team")
def users_me(request: HttpRequest) -> UserOut:
    return user_out(request.user)


USER_SORTS = both_ways("username", "last_name", "email", "date_joined")


@router.get("", response=UserList, summary="Active users with a role (filters, sort, pages)")
def users_list(request: HttpRequest, query: Query[UserQuery]) -> dict[str, Any]:
    """Ordered by username unless `sort` says otherwise; `q` matches the start of the
    username."""
    if query.role and query.role not in Role.values:
        raise ValidationFailed(f"role: one of {', '.join(Role.values)}", field="role")
    qs = _active_users().order_by(*check_sort(query.sort, USER_SORTS))
    qs = matching(qs, profile__role=query.role or None, profile__team_id=query.team_id,
                  profile__region=query.region)
    if query.q.strip():
        qs = qs.filter(username__istartswith=query.q.strip())
    page = query.page_of(qs)
    return {**page, "items": [user_out(u) for u in page["items"]]}


@router.get("/{user_id}", response=UserOut, summary="One active user with a role")
def users_get(request: HttpRequest, user_id: int) -> UserOut:
    user = _active_users().filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"user {user_id} not found", field="id")
    return user_out(user)


def _checked_password(password: str | None, username: str) -> str | None:
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    if password is None:
        return None
    try:
        validate_password(password, User(username=username))
    except ValidationError as exc:
        raise ValidationFailed(f"password: {' '.join(exc.messages)}", field="password") from exc
    return password


def _team_of(team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise ValidationFailed(f"team_id: no team {team_id}", field="team_id")
    return team


@router.post("", response={201: UserOut}, summary="Create a user with a role (admins)")
def users_create(request: HttpRequest, payload: UserIn) -> Status:
    if not is_admin(request.user):
        raise PermissionDenied("role: only admins create users", field="role")
    data = payload.dict()
    user = user_create(
        password=_checked_password(data.pop("password"), payload.username),
        team=_team_of(data.pop("team_id")), **data)
    return Status(201, user_out(user))


@router.patch("/{user_id}", response=UserOut,
              summary="Change a user's role, team, name or capacity, or deactivate them")
def users_update(request: HttpRequest, user_id: int, payload: UserPatch) -> UserOut:
    user = User.objects.filter(pk=user_id, profile__isnull=False).first()
    if user is None:
        raise NotFound(f"user {user_id} not found", field="id")
    if not is_admin(request.user):
        raise PermissionDenied("id: only admins change users", field="id")
    fields = payload.dict(exclude_unset=True)
    if "team_id" in fields:
        fields["team"] = _team_of(fields.pop("team_id"))
    return user_out(user_update(user=user, actor=request.user, **fields))


# `members`: the number of active members (ties by name)
TEAM_SORTS = {**both_ways("name", "created_at"), "members": ("active", "name", "id"),
              "-members": ("-active", "name", "id")}


@teams_router.get("", response=TeamList,
                  summary="Teams, by name, with their active members (filters, sort, pages)")
def teams_list(request: HttpRequest, query: Query[TeamQuery]) -> dict[str, Any]:
    teams = matching(Team.objects.all(), region=query.region)
    if query.q.strip():
        teams = teams.filter(name__icontains=query.q.strip())
    answer = query.page_of(_team_rows(teams, query.sort))
    answer["items"] = [_team_out(row) for row in answer["items"]]
    return answer


def _team_rows(teams: QuerySet[Team], sort: str = "name") -> QuerySet[Any]:
    active = Count("members", filter=Q(members__user__is_active=True))
    rows = teams.annotate(active=active).order_by(*check_sort(sort, TEAM_SORTS))
    return rows.values("id", "name", "region", "active")


def _team_out(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "region": row["region"],
            "members": row["active"]}


def _teams(teams: QuerySet[Team]) -> list[dict[str, Any]]:
    return [_team_out(row) for row in _team_rows(teams)]


def _team(team_id: int) -> Team:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound(f"team {team_id} not found", field="id")
    return team


def _admin_only(user: Any, field: str) -> None:
    if not is_admin(user):
        raise PermissionDenied(f"{field}: only admins change teams", field=field)


@teams_router.get("/{team_id}", response=TeamOut, summary="One team, with its active members")
def teams_get(request: HttpRequest, team_id: int) -> dict[str, Any]:
    return _teams(Team.objects.filter(pk=_team(team_id).pk))[0]


@teams_router.post("", response={201: TeamOut}, summary="Create a team (admins)")
def teams_create(request: HttpRequest, payload: TeamIn) -> Status:
    _admin_only(request.user, "name")
    team = team_create(actor=request.user, name=payload.name, region=payload.region)
    return Status(201, _teams(Team.objects.filter(pk=team.pk))[0])


@teams_router.patch("/{team_id}", response=TeamOut, summary="Rename a team or change its region")
def teams_update(request: HttpRequest, team_id: int, payload: TeamPatch) -> dict[str, Any]:
    team = _team(team_id)
    _admin_only(request.user, "id")
    team_update(team=team, actor=request.user, **payload.dict(exclude_unset=True))
    return _teams(Team.objects.filter(pk=team.pk))[0]


@teams_router.delete("/{team_id}", response={204: None},
                     summary="Delete a team without active members (admins)")
def teams_delete(request: HttpRequest, team_id: int) -> Status:
    team = _team(team_id)
    _admin_only(request.user, "id")
    team_delete(team=team, actor=request.user)
    return Status(204, None)


NOTIFICATION_SORTS = both_ways("created_at", "kind")


@notifications_router.get("", response=NotificationList,
                          summary="Your notifications (the bell), newest first (filters, sort)")
def notifications_list(request: HttpRequest, query: Query[NotificationQuery]) -> dict[str, Any]:
    if not 1 <= query.limit <= 200 or query.offset < 0:
        raise ValidationFailed("limit: use 1 to 200 (offset >= 0)", field="limit")
    mine = Notification.objects.filter(user_id=int(request.user.pk or 0))
    shown = matching(mine.order_by(*check_sort(query.sort, NOTIFICATION_SORTS)),
                     kind=query.kind or None)
    shown = shown.filter(read_at__isnull=True) if query.unread else shown
    return {"items": list(shown[query.offset : query.offset + query.limit]),
            "count": shown.count(), "unread": mine.filter(read_at__isnull=True).count()}


@notifications_router.post("/{notification_id}/read", response=NotificationOut,
                           summary="Mark one of your notifications read")
def notifications_read(request: HttpRequest, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id,
                                               user_id=int(request.user.pk or 0)).first()
    if notification is None:
        raise NotFound(f"notification {notification_id} not found", field="id")
    notifications_mark_read(user=request.user, ids=[notification.pk])
    notification.refresh_from_db()
    return notification


@notifications_router.post("/read-all", response=MarkedOut,
                           summary="Mark all your notifications read")
def notifications_read_all(request: HttpRequest) -> dict[str, int]:
    return {"marked": notifications_mark_read(user=request.user)}

"""/api/v1/users: who am I."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from smarketing.core.roles import profile_of, role_of
from smarketing.core.schemas import UserOut

router = Router(tags=["users"])


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
        region=profile.region if profile else "",
        capacity=profile.capacity if profile else None,
    )


@router.get("/me", response=UserOut, summary="The signed-in user, with role and team")
def users_me(request: HttpRequest) -> UserOut:
    return user_out(request.user)

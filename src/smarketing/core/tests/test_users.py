"""Users, roles, teams and GET /api/v1/users/me."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.test import Client

from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Profile, Role
from smarketing.core.roles import is_admin, is_manager, is_marketing, is_sales, manages, role_of
from smarketing.core.services import team_get_or_create, user_create, user_set_role
from smarketing.integrations.services import token_create
from smarketing.testing.factories import make_team, make_user

pytestmark = pytest.mark.django_db



def groups_of(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


def test_it_creates_a_user_with_one_role_team_region_and_capacity() -> None:
    team = make_team("East", "NA")
    user = user_create(username="ria", password="s3cret-pass", role=Role.SALES_REP,
                       email="ria@x.com", team=team, region="NA", capacity=25)
    profile = Profile.objects.get(user=user)
    assert (profile.role, profile.team, profile.region, profile.capacity) == (
        Role.SALES_REP, team, "NA", 25
    )
    assert groups_of(user) == ["sales_rep"]
    assert user.check_password("s3cret-pass") and not user.is_staff


def test_an_admin_is_staff_and_superuser_and_loses_it_with_the_role() -> None:
    user = user_create(username="boss", password=None, role=Role.ADMIN)
    assert user.is_staff and user.is_superuser and not user.has_usable_password()
    user_set_role(user=user, role=Role.MARKETING)
    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert groups_of(user) == ["marketing"] and role_of(user) == Role.MARKETING


def test_changing_the_role_keeps_exactly_one_role_group() -> None:
    user = make_user(Role.SALES_REP)
    user.groups.add(Group.objects.create(name="newsletter-editors"))
    user_set_role(user=user, role=Role.SALES_MANAGER)
    assert groups_of(user) == ["newsletter-editors", "sales_manager"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"role": "ceo"}, "role"),
        ({"role": ""}, "role"),
        ({"username": "  "}, "username"),
        ({"username": "u" * 151}, "username"),
        ({"region": "MARS"}, "region"),
        ({"capacity": -1}, "capacity"),
    ],
)
def test_it_refuses_a_bad_user_naming_the_field(changes: dict[str, Any], field: str) -> None:
    spec = {"username": "ria", "password": None, "role": Role.SALES_REP, **changes}
    with pytest.raises(ValidationFailed) as err:
        user_create(**spec)
    assert err.value.field == field
    assert not User.objects.exists() and not Profile.objects.exists()


def test_a_taken_username_is_refused() -> None:
    make_user(username="ria")
    with pytest.raises(ValidationFailed) as err:
        user_create(username="ria", password=None, role=Role.MARKETING)
    assert err.value.field == "username"
    assert User.objects.count() == 1


def test_teams_are_created_once_by_name() -> None:
    first = team_get_or_create(name="East", region="NA")
    assert team_get_or_create(name="East") == first
    for name, region, field in [("", "", "name"), ("x" * 101, "", "name"),
                                ("West", "MARS", "region")]:
        with pytest.raises(ValidationFailed) as err:
            team_get_or_create(name=name, region=region)
        assert err.value.field == field


def test_the_role_questions() -> None:
    team, other_team = make_team("East"), make_team("West")
    manager = make_user(Role.SALES_MANAGER, team=team)
    rep = make_user(Role.SALES_REP, team=team)
    outsider = make_user(Role.SALES_REP, team=other_team)
    loner = make_user(Role.SALES_MANAGER)
    marketer = make_user(Role.MARKETING, team=team)
    assert is_sales(rep) and is_sales(manager) and is_manager(manager) and not is_manager(rep)
    assert is_marketing(marketer) and not is_sales(marketer)
    assert manages(manager, rep.pk) and manages(manager, manager.pk)
    assert not manages(manager, outsider.pk) and not manages(manager, None)
    assert not manages(loner, rep.pk) and not manages(rep, rep.pk)
    assert not manages(manager, marketer.pk + 1000)


def test_a_superuser_without_a_profile_is_an_admin_and_nobody_else_has_a_role() -> None:
    root = User.objects.create_superuser("root", password=None)
    plain = User.objects.create_user("plain", password=None)
    assert role_of(root) == Role.ADMIN and is_admin(root)
    assert role_of(plain) is None and role_of(AnonymousUser()) is None and role_of(None) is None


def test_users_me_describes_the_signed_in_user(db: Any) -> None:
    team = make_team("East", "NA")
    user = user_create(username="mia", password=None, role=Role.SALES_MANAGER,
                       first_name="Mia", last_name="Wong", email="mia@x.com", team=team,
                       region="NA", capacity=10)
    _, raw = token_create(user=user)
    body = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/users/me").json()
    assert body == {
        "id": user.pk, "username": "mia", "email": "mia@x.com", "first_name": "Mia",
        "last_name": "Wong", "role": "sales_manager", "team": "East", "team_id": team.pk,
        "region": "NA", "capacity": 10,
    }


def test_a_user_without_a_role_is_refused_by_the_api(db: Any) -> None:
    plain = User.objects.create_user("plain", password="pw-plain")
    _, raw = token_create(user=plain)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get("/api/v1/contacts").status_code == 401
    session = Client()
    session.force_login(plain)
    assert session.get("/api/v1/users/me").status_code == 401


def test_users_me_needs_authentication(db: Any) -> None:
    assert Client().get("/api/v1/users/me").status_code == 401

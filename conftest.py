"""Fixtures shared by every test: roles, API clients and plain static files."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smarketing.core.models import Role
from smarketing.integrations.services import token_create
from smarketing.testing.factories import make_team, make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    """Tests create many users: a cheap hasher keeps them fast (production keeps PBKDF2)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_files(settings: Any) -> None:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def team(db: Any) -> Any:
    return make_team("East", "NA")


@pytest.fixture
def users(db: Any, team: Any) -> dict[str, Any]:
    """One user per role; the manager, rep and rep_b share a team, rep_other does not."""
    other = make_team("West", "EMEA")
    return {
        "admin": make_user(Role.ADMIN, username="admin"),
        "marketing": make_user(Role.MARKETING, username="marketing"),
        "manager": make_user(Role.SALES_MANAGER, username="manager", team=team),
        "rep": make_user(Role.SALES_REP, username="rep1", team=team),
        "rep_b": make_user(Role.SALES_REP, username="rep2", team=team),
        "rep_other": make_user(Role.SALES_REP, username="rep3", team=other),
    }


class ApiClient:
    """A test client that sends a bearer token and JSON bodies."""

    def __init__(self, user: Any) -> None:
        _, raw = token_create(user=user, name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params)

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(path, data or {}, content_type="application/json")

    def patch(self, path: str, data: Any) -> Any:
        return self.client.patch(path, data, content_type="application/json")

    def delete(self, path: str) -> Any:
        return self.client.delete(path)


@pytest.fixture
def api_as(users: dict[str, Any]) -> Any:
    """api_as("rep") -> an ApiClient authenticated as that role's user."""
    return lambda name: ApiClient(users[name])

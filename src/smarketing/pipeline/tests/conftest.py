from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

PASSWORD = "pw-for-tests"  # the conftest users' password


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The forecast is cached per process: no test sees another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def as_user(users: dict[str, Any]) -> Any:
    """A signed-in test client for one of the `users` fixture's roles."""
    def login(name: str) -> Client:
        client = Client()
        assert client.login(username=users[name].username, password=PASSWORD)
        return client
    return login

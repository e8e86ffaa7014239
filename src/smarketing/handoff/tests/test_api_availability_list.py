"""Routing availability takes a checked `sort` (issue 9): by username (as before),
capacity, away or not, or when away/back was last set (never set last), both ways; an
unknown value is a 422 naming `sort` with the accepted values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.core.models import Role
from smarketing.handoff import services
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db
URL = "/api/v1/routing/availability"


@pytest.fixture
def reps(users: dict[str, Any]) -> list[Any]:
    """The sales reps, by username; their capacities differ; the first is marked away
    after the second was marked away and back."""
    found = sorted((u for u in users.values() if u.profile.role == Role.SALES_REP),
                   key=lambda u: u.username)
    for capacity, rep in zip((30, 10, 20), found, strict=False):
        rep.profile.capacity = capacity
        rep.profile.save(update_fields=["capacity"])
    with time_machine.travel(dt.datetime(2026, 4, 6, 9, tzinfo=dt.UTC), tick=False):
        services.availability_set(actor=users["admin"], user=found[1], is_away=False)
    with time_machine.travel(dt.datetime(2026, 4, 7, 9, tzinfo=dt.UTC), tick=False):
        services.availability_set(actor=users["admin"], user=found[0], is_away=True)
    return found


def _ids(api: Any, **params: Any) -> list[int]:
    return list_column(api, URL, "user_id", **params)


def test_availability_sorts_both_ways(reps: list[Any], api_as: Any) -> None:
    api = api_as("manager")
    ids = [rep.pk for rep in reps]
    assert len(ids) == 3
    assert _ids(api) == ids  # by username, as before
    assert _ids(api, sort="-username") == ids[::-1]
    assert _ids(api, sort="capacity") == [ids[1], ids[2], ids[0]]
    assert _ids(api, sort="-capacity") == [ids[0], ids[2], ids[1]]
    assert _ids(api, sort="-is_away") == [ids[0], ids[1], ids[2]]
    assert _ids(api, sort="changed_at") == [ids[1], ids[0], ids[2]]
    assert _ids(api, sort="-changed_at") == [ids[0], ids[1], ids[2]]
    assert _ids(api, is_away="true") == [ids[0]]


def test_an_unknown_sort_is_refused(reps: list[Any], api_as: Any) -> None:
    refused = api_as("manager").get(URL, sort="size")
    assert refused.status_code == 422 and refused.json()["field"] == "sort"
    assert "username, -username, capacity, -capacity" in refused.json()["detail"]

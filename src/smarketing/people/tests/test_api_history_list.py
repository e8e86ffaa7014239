"""GET /api/v1/contacts/{id}/history pages like every other list (issue 9): {items,
count}, `sort` `at` (oldest first, the default) or `-at`, filters `to_stage`, `cause`
and an `at` range."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import Cause, Contact, Stage
from smarketing.testing.factories import make_contact
from smarketing.testing.lists import list_items

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def moved(users: dict[str, Any]) -> Contact:
    """lead (import, T0) -> mql (scoring, +1h) -> sql (by hand, +2h) -> lead (recycled, +3h)."""
    contact = make_contact(Stage.LEAD, owner=users["rep"], at=T0)
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING, at=T0 + HOUR)
    contact_transition(contact=contact, to_stage=Stage.SQL, cause=Cause.MANUAL,
                       actor=users["rep"], at=T0 + 2 * HOUR)
    contact_recycle(contact=contact, actor=users["rep"], reason="Too small", at=T0 + 3 * HOUR)
    return contact


def _moves(api: Any, contact: Contact, **params: Any) -> list[str]:
    items = list_items(api, f"/api/v1/contacts/{contact.pk}/history", **params)
    return [f"{r['from_stage']}>{r['to_stage']}" for r in items]


def test_the_history_pages_oldest_first_or_newest_first(moved: Contact, api_as: Any) -> None:
    api = api_as("marketing")
    body = api.get(f"/api/v1/contacts/{moved.pk}/history", limit=2, offset=1).json()
    assert body["count"] == 4
    assert [r["to_stage"] for r in body["items"]] == ["mql", "sql"]
    assert _moves(api, moved) == [">lead", "lead>mql", "mql>sql", "sql>lead"]
    assert _moves(api, moved, sort="-at") == ["sql>lead", "mql>sql", "lead>mql", ">lead"]


@pytest.mark.parametrize(("params", "expected"), [
    ({"to_stage": "lead"}, [">lead", "sql>lead"]),
    ({"cause": "scoring"}, ["lead>mql"]),
    ({"cause": "recycle", "to_stage": "lead"}, ["sql>lead"]),
    ({"start": "2026-04-06T10:00:00Z"}, ["lead>mql", "mql>sql", "sql>lead"]),
    ({"end": "2026-04-06T11:00:00Z"}, [">lead", "lead>mql"]),
    ({"start": "2026-04-06T10:00:00Z", "end": "2026-04-06T11:00:00Z", "sort": "-at"},
     ["lead>mql"]),
])
def test_the_history_filters_by_stage_cause_and_time(
    moved: Contact, api_as: Any, params: dict[str, Any], expected: list[str]
) -> None:
    body = api_as("rep").get(f"/api/v1/contacts/{moved.pk}/history", **params)
    assert (_moves(api_as("rep"), moved, **params), body.json()["count"]) == (
        expected, len(expected))


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "to_stage"}, "sort"), ({"to_stage": "prospect"}, "to_stage"),
    ({"cause": "magic"}, "cause"), ({"start": "2026-04-07", "end": "2026-04-06"}, "end"),
    ({"limit": 0}, "limit"),
])
def test_a_bad_history_parameter_is_a_422_naming_it(
    moved: Contact, api_as: Any, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get(f"/api/v1/contacts/{moved.pk}/history", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content

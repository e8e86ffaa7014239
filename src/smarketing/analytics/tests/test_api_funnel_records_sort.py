"""The contacts behind a funnel step take a checked `sort` (issue 9): by id (as
before), email, last name or creation, both ways; an unknown value is a 422 naming
`sort` with the accepted values."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.people.models import Stage
from smarketing.testing.factories import make_contact
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db
MARCH = {"start": "2026-03-01", "end": "2026-04-01", "stage": "lead"}
URL = "/api/v1/funnel/records"


@pytest.fixture
def leads(db: Any) -> list[Any]:
    made = []
    for day, email, last_name in ((2, "c@x.example", "Alvarez"), (9, "a@x.example", "Brown"),
                                  (30, "b@x.example", "Chen")):
        contact = make_contact(Stage.LEAD, at=dt.datetime(2026, 3, day, 12, tzinfo=dt.UTC))
        contact.email, contact.last_name = email, last_name
        contact.save(update_fields=["email", "last_name"])
        made.append(contact)
    return made


def _emails(api: Any, **params: Any) -> list[str]:
    return list_column(api, URL, "email", **{**MARCH, **params})


def test_funnel_records_sort_both_ways(leads: list[Any], api_as: Any) -> None:
    api = api_as("marketing")
    assert _emails(api) == ["c@x.example", "a@x.example", "b@x.example"]  # by id
    assert _emails(api, sort="-id") == ["b@x.example", "a@x.example", "c@x.example"]
    assert _emails(api, sort="email") == ["a@x.example", "b@x.example", "c@x.example"]
    assert _emails(api, sort="-last_name") == ["b@x.example", "a@x.example", "c@x.example"]
    refused = api.get(URL, **MARCH, sort="size")
    assert refused.status_code == 422 and refused.json()["field"] == "sort"
    assert "id, -id, email, -email, last_name" in refused.json()["detail"]

"""Reads: contact and company lists, pages without counting, stage history."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from smarketing.core.errors import ValidationFailed
from smarketing.core.ordering import page
from smarketing.people.lifecycle import contact_transition
from smarketing.people.models import Cause, Contact, Stage
from smarketing.people.selectors import (
    ContactFilters,
    company_list,
    contact_list,
    prefix_range,
    stage_history,
)
from smarketing.testing.factories import make_company, make_contact

T0 = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def pks(rows: Any) -> list[int]:
    return [row.pk for row in rows]


def test_a_page_fetches_one_row_more_instead_of_counting() -> None:
    made = [make_contact() for _ in range(5)]
    qs = Contact.objects.order_by("id")
    with CaptureQueriesContext(connection) as queries:
        rows, more = page(qs, limit=2, offset=2)
    assert pks(rows) == [made[2].pk, made[3].pk] and more is True
    assert len(queries) == 1 and "COUNT" not in queries[0]["sql"].upper()
    rows, more = page(qs, limit=2, offset=4)
    assert pks(rows) == [made[4].pk] and more is False


@pytest.mark.parametrize(("limit", "offset", "field"), [(0, 0, "limit"), (501, 0, "limit"),
                                                        (10, -1, "offset")])
def test_a_page_refuses_bad_bounds(limit: int, offset: int, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        page(Contact.objects.all(), limit=limit, offset=offset)
    assert err.value.field == field


@pytest.mark.parametrize(
    ("prefix", "expected"),
    [("a", {"a", "ab", "az~"}), ("ab", {"ab"}), ("az", {"az~"}), ("z", {"z"}),
     ("b", {"b!"}), ("b!", {"b!"}), ("~", set()), ("abc", set())],
)
def test_a_prefix_range_is_exactly_starts_with(prefix: str, expected: set[str]) -> None:
    for name in ["a", "ab", "az~", "b!", "z", "", "A", "{x"]:  # "{" follows "z"
        Contact.objects.create(first_name=name)
    found = Contact.objects.filter(prefix_range(F("first_name"), prefix))
    assert {c.first_name for c in found} == expected


def test_the_contact_list_orders_and_filters_together() -> None:
    with time_machine.travel(T0, tick=False):
        old = make_contact(Stage.MQL, first_name="Ann")
    with time_machine.travel(T0 + dt.timedelta(days=1), tick=False):
        new = make_contact(Stage.MQL, first_name="Annabel")
        make_contact(Stage.LEAD, first_name="Anne")
    assert pks(contact_list(ContactFilters(q="ann", stage=Stage.MQL))) == [new.pk, old.pk]
    assert pks(contact_list(ContactFilters(q="ann", stage=Stage.MQL, sort="created_at"))) == [
        old.pk, new.pk,
    ]


@pytest.mark.parametrize(("filters", "field"), [
    (ContactFilters(sort="-email"), "sort"), (ContactFilters(stage="hot"), "stage"),
    (ContactFilters(props=["x"]), "prop"),
])
def test_the_contact_list_refuses_bad_filters(filters: ContactFilters, field: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        list(contact_list(filters))
    assert err.value.field == field


def test_the_contact_list_search_ignores_surrounding_space_and_case() -> None:
    match = make_contact(first_name="Zoe", last_name="Quinn", email="zq@acme.com")
    assert pks(contact_list(ContactFilters(q="  ZOE   quinn "))) == [match.pk]
    assert pks(contact_list(ContactFilters(q="ZQ@ACME"))) == [match.pk]


def test_the_company_list_searches_name_and_domain_by_prefix() -> None:
    acme = make_company(name="Acme", domain="acme.com")
    other = make_company(name="Beta", domain="acmebeta.io")
    make_company(name="Gamma", domain="gamma.io")
    assert pks(company_list(q="acme")) == [acme.pk, other.pk]
    assert pks(company_list(q="bet")) == [other.pk]
    with pytest.raises(ValidationFailed) as err:
        company_list(sort="revenue")
    assert err.value.field == "sort"


def test_the_stage_history_is_oldest_first() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING,
                       at=T0 + dt.timedelta(hours=1))
    contact_transition(contact=contact, to_stage=Stage.SQL, cause=Cause.IMPORT,
                       at=T0 + dt.timedelta(hours=1))
    rows = list(stage_history(contact))
    assert [r.to_stage for r in rows] == [Stage.LEAD, Stage.MQL, Stage.SQL]

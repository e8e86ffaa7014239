"""GET /api/v1/contacts/merges: the audit of merges, filtered, sorted and paged; every
role reads it (as every contact); bad input names the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.people.merge import contact_merge
from smarketing.people.models import Stage
from smarketing.testing.factories import make_contact

T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def merges(users: dict[str, Any]) -> dict[str, Any]:
    keep = make_contact(Stage.LEAD, at=T0, email="pat@acme.com")
    ids = {}
    for n, (email, actor, at) in enumerate([
        ("pat.home@mail.com", users["admin"], T0 + DAY),
        ("p.t@acme.com", users["manager"], T0 + 2 * DAY),
        ("pat.old@mail.com", None, T0 + 3 * DAY),
    ]):
        duplicate = make_contact(Stage.LEAD, at=T0, email=email)
        ids[n] = duplicate.pk
        with time_machine.travel(at, tick=False):
            contact_merge(primary=keep, duplicate=duplicate, actor=actor)
    other = make_contact(Stage.LEAD, at=T0, email="sam@acme.com")
    with time_machine.travel(T0 + 4 * DAY, tick=False):
        contact_merge(primary=other, duplicate=make_contact(Stage.LEAD, at=T0,
                                                            email="sam2@acme.com"),
                      actor=users["admin"])
    return {"keep": keep, "other": other, "merged": ids}


def _emails(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["merged_email"] for item in response.json()["items"]]


def test_merges_are_listed_newest_first_with_their_snapshot(
    api_as: Any, merges: dict[str, Any]
) -> None:
    body = api_as("rep").get("/api/v1/contacts/merges").json()
    assert body["count"] == 4
    assert [i["merged_email"] for i in body["items"]] == [
        "sam2@acme.com", "pat.old@mail.com", "p.t@acme.com", "pat.home@mail.com"]
    first = body["items"][3]
    assert (first["primary_id"], first["merged_contact_id"]) == (
        merges["keep"].pk, merges["merged"][0])
    assert first["snapshot"]["email"] == "pat.home@mail.com"
    assert first["at"].startswith("2026-04-07T09:00:00")


@pytest.mark.parametrize(("params", "expected"), [
    ({"sort": "at", "limit": 2}, ["pat.home@mail.com", "p.t@acme.com"]),
    ({"sort": "at", "limit": 2, "offset": 2}, ["pat.old@mail.com", "sam2@acme.com"]),
    ({"merged_email": "P.T@acme.com"}, ["p.t@acme.com"]),
    ({"start": "2026-04-08", "end": "2026-04-10"}, ["pat.old@mail.com", "p.t@acme.com"]),
])
def test_filters_sort_and_pages(
    api_as: Any, merges: dict[str, Any], params: dict[str, Any], expected: list[str]
) -> None:
    assert _emails(api_as("marketing").get("/api/v1/contacts/merges", **params)) == expected


def test_merges_of_a_contact_by_an_actor(
    api_as: Any, merges: dict[str, Any], users: dict[str, Any]
) -> None:
    api = api_as("manager")
    assert len(_emails(api.get("/api/v1/contacts/merges", primary_id=merges["keep"].pk))) == 3
    assert _emails(api.get("/api/v1/contacts/merges", actor_id=users["manager"].pk)) == [
        "p.t@acme.com"]
    assert _emails(api.get("/api/v1/contacts/merges",
                           merged_contact_id=merges["merged"][2])) == ["pat.old@mail.com"]


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "email"}, "sort"),
    ({"start": "2026-04-09", "end": "2026-04-08"}, "end"),
    ({"start": "soon"}, "start"),
    ({"primary_id": "x"}, "primary_id"),
    ({"limit": 0}, "limit"),
])
def test_bad_input_names_the_field(
    api_as: Any, merges: dict[str, Any], params: dict[str, Any], field: str
) -> None:
    response = api_as("admin").get("/api/v1/contacts/merges", **params)
    assert (response.status_code, response.json()["field"]) == (422, field)


def test_the_merges_list_is_in_the_openapi_schema(api_as: Any) -> None:
    schema = api_as("rep").get("/api/v1/openapi.json").json()
    answer = schema["paths"]["/api/v1/contacts/merges"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"]["$ref"].endswith("/MergeList")
    assert {"snapshot", "merged_email", "actor_id"} <= set(
        schema["components"]["schemas"]["MergeOut"]["properties"])

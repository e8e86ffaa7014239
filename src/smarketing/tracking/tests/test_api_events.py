"""GET /api/v1/events: stored events with filters, a whitelisted sort, pages whose count
stops at a cap, one event, and the same filters as a streamed CSV. Every role reads;
a write key reads nothing."""

from __future__ import annotations

import base64
import csv
import io
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event, Source
from smarketing.tracking.services import source_create

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _event(source: Source, n: int, **fields: Any) -> Event:
    fields.setdefault("anonymous_id", f"anon-{n}")
    fields.setdefault("type", "page")
    at = fields.pop("at", T0 + timedelta(minutes=n))
    return Event.objects.create(source=source, message_id=f"m{n}", timestamp=at,
                                received_at=at, **fields)


@pytest.fixture
def events(source: Source) -> dict[str, Any]:
    ann = make_contact(email="ann@example.com")
    other, _ = source_create(actor=None, name="Backend", kind="server")
    return {
        "page": _event(source, 1, name="Pricing", utm_campaign="spring-sale"),
        "signup": _event(source, 2, type="track", name="Signed Up", contact=ann,
                         anonymous_id="anon-ann"),
        "identify": _event(source, 3, type="identify", contact=ann, anonymous_id="",
                           user_id="u-ann"),
        "server": _event(other, 4, type="track", name="Signed Up", anonymous_id="",
                         user_id="u-bob", utm_campaign="Spring-Sale"),
        "ann": ann, "other": other,
    }


def _ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_events_are_listed_newest_first_with_their_fields(
    api_as: Any, events: dict[str, Any]
) -> None:
    body = api_as("marketing").get("/api/v1/events").json()
    assert [e["message_id"] for e in body["items"]] == ["m4", "m3", "m2", "m1"]
    assert (body["count"], body["count_exact"]) == (4, True)
    first = body["items"][3]
    assert (first["type"], first["name"], first["utm_campaign"]) == (
        "page", "Pricing", "spring-sale")


@pytest.mark.parametrize(("params", "expected"), [
    ({"type": "track"}, ["server", "signup"]),
    ({"type": "track", "name": "Signed Up"}, ["server", "signup"]),
    ({"type": "page", "name": "Signed Up"}, []),
    ({"anonymous_id": "anon-ann"}, ["signup"]),
    ({"user_id": "u-bob"}, ["server"]),
    ({"utm_campaign": "spring-sale"}, ["page"]),
    ({"start": "2026-03-02T09:02:00Z", "end": "2026-03-02T09:04:00Z"}, ["identify", "signup"]),
    ({"start": "2026-03-02T09:03:00Z"}, ["server", "identify"]),
    ({"sort": "timestamp"}, ["page", "signup", "identify", "server"]),
])
def test_filters_and_sort_choose_the_events(
    api_as: Any, events: dict[str, Any], params: dict[str, str], expected: list[str]
) -> None:
    got = _ids(api_as("marketing").get("/api/v1/events", **params))
    assert got == [events[key].pk for key in expected]


def test_events_of_a_contact_and_of_a_source(api_as: Any, events: dict[str, Any]) -> None:
    api = api_as("marketing")
    assert _ids(api.get("/api/v1/events", contact_id=events["ann"].pk)) == [
        events["identify"].pk, events["signup"].pk]
    assert _ids(api.get("/api/v1/events", source_id=events["other"].pk)) == [
        events["server"].pk]


def test_pages_follow_each_other(api_as: Any, events: dict[str, Any]) -> None:
    api = api_as("marketing")
    first = api.get("/api/v1/events", limit=3).json()
    second = api.get("/api/v1/events", limit=3, offset=3).json()
    assert (len(first["items"]), len(second["items"]), second["count"]) == (3, 1, 4)
    assert second["items"][0]["message_id"] == "m1"


def test_the_count_stops_at_the_cap(
    api_as: Any, source: Source, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("smarketing.tracking.api.EVENT_COUNT_CAP", 2)
    for n in range(3):
        _event(source, n)
    body = api_as("rep").get("/api/v1/events", limit=1).json()
    assert (body["count"], body["count_exact"], len(body["items"])) == (2, False, 1)


@pytest.mark.parametrize(("params", "field"), [
    ({"type": "click"}, "type"),
    ({"name": "Signed Up"}, "name"),
    ({"sort": "name"}, "sort"),
    ({"start": "2026-03-02", "end": "2026-03-01"}, "end"),
    ({"start": "yesterday"}, "start"),
    ({"limit": 501}, "limit"),
    ({"offset": -1}, "offset"),
])
def test_bad_input_is_refused_naming_the_field(
    api_as: Any, events: dict[str, Any], params: dict[str, Any], field: str
) -> None:
    response = api_as("marketing").get("/api/v1/events", **params)
    assert response.status_code == 422
    assert response.json()["field"] == field
    csv_response = api_as("marketing").get("/api/v1/events/export.csv", **params)
    if field not in ("limit", "offset"):  # the export ignores paging
        assert csv_response.json()["field"] == field


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_every_role_reads_events_as_it_reads_contact_timelines(
    api_as: Any, events: dict[str, Any], role: str
) -> None:
    api = api_as(role)
    assert len(_ids(api.get("/api/v1/events"))) == 4
    assert api.get(f"/api/v1/events/{events['signup'].pk}").json()["contact_id"] == (
        events["ann"].pk)


def test_an_unknown_event_is_404_naming_id(api_as: Any) -> None:
    response = api_as("marketing").get("/api/v1/events/999")
    assert response.status_code == 404
    assert response.json() == {"detail": "event 999 not found", "field": "id",
                               "code": "not_found"}


def test_a_write_key_reads_nothing(write_key: str, events: dict[str, Any]) -> None:
    basic = base64.b64encode(f"{write_key}:".encode()).decode()
    for header in (f"Bearer {write_key}", f"Basic {basic}"):
        client = Client(HTTP_AUTHORIZATION=header)
        assert client.get("/api/v1/events").status_code == 401
        assert client.get("/api/v1/events/export.csv").status_code == 401


def test_the_export_streams_the_filtered_events_as_csv(
    api_as: Any, events: dict[str, Any]
) -> None:
    response = api_as("manager").get("/api/v1/events/export.csv", type="track",
                                     sort="timestamp", limit=1)
    assert response.status_code == 200
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["message_id"] for r in rows] == ["m2", "m4"]
    assert rows[0]["contact_id"] == str(events["ann"].pk)
    assert rows[0]["timestamp"] == "2026-03-02T09:02:00+00:00"


def test_ingested_events_are_listed(api_as: Any, tracker: Any) -> None:
    tracker.post("track", {"anonymousId": "a-9", "event": "Demo Requested",
                           "timestamp": "2026-03-02T10:00:00Z", "messageId": "x-1"})
    body = api_as("marketing").get("/api/v1/events", type="track",
                                   name="Demo Requested").json()
    assert [(e["message_id"], e["anonymous_id"]) for e in body["items"]] == [("x-1", "a-9")]


def test_the_events_list_is_in_the_openapi_schema(api_as: Any) -> None:
    paths = api_as("marketing").get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/events", "/api/v1/events/export.csv", "/api/v1/events/{event_id}",
            "/api/v1/sources/{source_id}/forms/{form_id}"} <= set(paths)

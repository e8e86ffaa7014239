"""The tracking API answers as Segment's HTTP API does, and stores exactly what it accepts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine

from smarketing.tracking.messages import MAX_BATCH_MESSAGES
from smarketing.tracking.models import DebugMessage, Event, Source
from smarketing.tracking.services import source_set_enabled

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def _track(**fields: Any) -> dict[str, Any]:
    return {"anonymousId": "anon-1", "event": "Clicked", "messageId": "m1", **fields}


@time_machine.travel(NOW, tick=False)
def test_a_track_call_is_stored_with_its_fields(tracker: Any, source: Source) -> None:
    response = tracker.post("track", _track(
        userId="u-1", properties={"plan": "pro"}, timestamp="2026-03-02T11:00:00Z",
        context={"page": {"url": "https://acme.com/pricing?utm_source=google&utm_medium=cpc"
                          "&utm_campaign=spring", "referrer": "https://www.google.com/"}},
    ))
    assert response.status_code == 200
    assert response.json() == {"success": True, "stored": 1, "duplicates": 0, "errors": []}
    event = Event.objects.get()
    assert (event.source, event.type, event.name) == (source, "track", "Clicked")
    assert (event.message_id, event.anonymous_id, event.user_id) == ("m1", "anon-1", "u-1")
    assert event.properties == {"plan": "pro"}
    assert event.timestamp == NOW - timedelta(hours=1) and event.received_at == NOW
    assert (event.utm_source, event.utm_medium, event.utm_campaign) == ("google", "cpc", "spring")
    assert (event.page_path, event.referrer) == ("/pricing", "https://www.google.com/")


@pytest.mark.parametrize("kind", ["identify", "page", "screen", "group", "alias"])
def test_every_single_call_is_stored_as_its_type(tracker: Any, kind: str) -> None:
    body = {"userId": "u-1", "messageId": f"m-{kind}", "groupId": "g-1", "previousId": "a-1"}
    assert tracker.post(kind, body).status_code == 200
    assert Event.objects.get().type == kind


def test_the_write_key_may_come_in_the_body(tracker: Any, write_key: str) -> None:
    response = tracker.post("track", _track(writeKey=write_key), auth=False)
    assert response.status_code == 200
    assert Event.objects.count() == 1


def test_a_gzipped_body_is_accepted(tracker: Any) -> None:
    body = {"batch": [{**_track(), "type": "track"}]}
    assert tracker.post("batch", body, gzipped=True).json()["stored"] == 1


def test_a_retried_message_is_acknowledged_and_not_stored_twice(
    tracker: Any, source: Source
) -> None:
    first = tracker.post("track", _track())
    again = tracker.post("track", _track())
    assert first.json()["stored"] == 1
    assert again.status_code == 200 and again.json()["duplicates"] == 1
    assert Event.objects.count() == 1
    source.refresh_from_db()
    assert source.duplicate_count == 1
    assert DebugMessage.objects.get().status == "duplicate"


def test_a_batch_mixing_stored_and_new_messages_stores_only_the_new_ones(
    tracker: Any,
) -> None:
    tracker.post("batch", {"batch": [{**_track(), "type": "track", "messageId": "m-2"}]})
    batch = [{**_track(), "type": "track", "messageId": f"m-{n}"} for n in range(1, 5)]
    answer = tracker.post("batch", {"batch": batch}).json()
    assert (answer["stored"], answer["duplicates"]) == (3, 1)
    assert sorted(Event.objects.values_list("message_id", flat=True)) == [
        "m-1", "m-2", "m-3", "m-4"]


def test_batch_context_and_integrations_are_merged_into_each_message(tracker: Any) -> None:
    tracker.post("batch", {
        "batch": [{**_track(context={"ip": "1.2.3.4"}), "type": "track"}],
        "context": {"library": {"name": "x"}, "ip": "9.9.9.9"},
        "integrations": {"All": True},
    })
    context = Event.objects.get().context
    assert context["library"] == {"name": "x"}
    assert context["ip"] == "1.2.3.4"  # the message's own value wins
    assert context["integrations"] == {"All": True}


def test_an_explicit_null_id_is_allowed_beside_the_other(tracker: Any) -> None:
    response = tracker.post("track", _track(userId=None))
    assert response.status_code == 200
    assert Event.objects.get().user_id == ""


def test_a_batch_reports_invalid_messages_by_index_and_stores_the_rest(
    tracker: Any, source: Source
) -> None:
    response = tracker.post("batch", {"batch": [
        {**_track(messageId="ok-1"), "type": "track"},
        {"type": "track", "event": "No id", "messageId": "bad-1"},
        {"type": "track", "anonymousId": "a", "messageId": "bad-2"},
        {"type": "dance", "anonymousId": "a"},
        {**_track(messageId="ok-2"), "type": "page"},
    ]})
    assert response.status_code == 200
    body = response.json()
    assert body["stored"] == 2
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "userId"), (2, "event"), (3, "type"),
    ]
    assert set(Event.objects.values_list("message_id", flat=True)) == {"ok-1", "ok-2"}
    source.refresh_from_db()
    assert source.rejected_count == 3
    assert DebugMessage.objects.filter(status="rejected").count() == 3


def test_identify_traits_are_read_from_context_traits_too(tracker: Any) -> None:
    tracker.post("identify", {"anonymousId": "a", "context": {"traits": {"plan": "pro"}}})
    assert Event.objects.get().properties == {"plan": "pro"}


# --- bad input: documented status and body, nothing stored ---------------------------

def _refused(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is False and body["code"] == code and body["message"]
    assert Event.objects.count() == 0
    return body


def test_invalid_json_is_a_400_naming_it(tracker: Any) -> None:
    _refused(tracker.post("track", b'{"event": '), 400, "invalid_json")


def test_a_missing_id_is_a_400_naming_the_field(tracker: Any) -> None:
    body = _refused(tracker.post("track", {"event": "x"}), 400, "invalid_message")
    assert body["field"] == "userId"


def test_a_track_without_event_is_a_400_naming_the_field(tracker: Any) -> None:
    body = _refused(tracker.post("track", {"anonymousId": "a"}), 400, "invalid_message")
    assert body["field"] == "event"


def test_a_message_over_32_kb_is_a_400(tracker: Any) -> None:
    response = tracker.post("track", _track(properties={"x": "y" * 33_000}))
    body = _refused(response, 400, "too_large")
    assert "32 KB" in body["message"]


def test_a_batch_message_over_32_kb_is_refused_by_index(tracker: Any) -> None:
    big = {**_track(properties={"x": "y" * 33_000}), "type": "track"}
    body = tracker.post("batch", {"batch": [big]}).json()
    assert body["errors"] == [
        {"index": 0, "field": "message", "message": "message: larger than 32 KB"}
    ]


def test_a_batch_over_500_kb_is_a_400(tracker: Any) -> None:
    batch = [{**_track(messageId=str(i), properties={"x": "y" * 20_000}), "type": "track"}
             for i in range(30)]
    _refused(tracker.post("batch", {"batch": batch}), 400, "too_large")


def test_a_gzipped_batch_over_500_kb_once_inflated_is_a_400(tracker: Any) -> None:
    batch = [{**_track(messageId=str(i), properties={"x": "y" * 20_000}), "type": "track"}
             for i in range(30)]
    _refused(tracker.post("batch", {"batch": batch}, gzipped=True), 400, "too_large")


def test_a_batch_of_more_than_2500_messages_is_a_400(tracker: Any) -> None:
    batch = [{"type": "track"}] * (MAX_BATCH_MESSAGES + 1)
    _refused(tracker.post("batch", {"batch": batch}), 400, "too_many_messages")


def test_a_batch_that_is_not_a_list_is_a_400(tracker: Any) -> None:
    _refused(tracker.post("batch", {"batch": {"type": "track"}}), 400, "invalid_batch")


def test_an_unknown_write_key_is_a_401(tracker: Any) -> None:
    _refused(tracker.post("track", _track(), key="wk_nope"), 401, "unauthorized")


def test_no_write_key_at_all_is_a_401(tracker: Any) -> None:
    _refused(tracker.post("track", _track(), auth=False), 401, "unauthorized")


def test_a_disabled_source_is_refused(tracker: Any, source: Source) -> None:
    source_set_enabled(source=source, actor=None, enabled=False)
    _refused(tracker.post("track", _track()), 403, "unauthorized")


def test_a_wrong_content_type_is_a_400(tracker: Any) -> None:
    response = tracker.post("track", json.dumps(_track()).encode(),
                            content_type="application/x-www-form-urlencoded")
    _refused(response, 400, "content_type")


def test_invalid_gzip_is_a_400(tracker: Any) -> None:
    response = tracker.post("track", b"not gzip", headers={"Content-Encoding": "gzip"})
    _refused(response, 400, "invalid_gzip")


def test_an_unknown_content_encoding_is_a_400(tracker: Any) -> None:
    response = tracker.post("track", _track(), headers={"Content-Encoding": "br"})
    _refused(response, 400, "unsupported_encoding")


def test_get_is_refused(tracker: Any) -> None:
    assert tracker.client.get("/v1/track").status_code == 405


# --- timestamps ----------------------------------------------------------------------

@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("text", [
    "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.000Z", "2026-03-01T10:00:00.123456789Z",
    "2026-03-01T11:00:00+01:00", "2026-03-01T11:00:00+0100", "2026-03-01T10:00:00",
    "2026-03-01 10:00:00Z", "20260301T100000Z", "2026-W09-7T10:00:00Z", "2026-060T10:00:00Z",
    "2026-03-01T10:00Z", "2026-03-01T05:00:00-05:00", "2026-03-01T10Z",
])
def test_a_timestamp_in_any_iso_8601_shape_is_read(tracker: Any, text: str) -> None:
    assert tracker.post("track", _track(timestamp=text)).status_code == 200
    stored = Event.objects.get().timestamp
    assert stored.replace(microsecond=0) == datetime(2026, 3, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize("text", ["garbage", "2026-13-01T00:00:00Z", "yesterday", "1700000000"])
def test_a_garbage_timestamp_is_a_400_naming_it(tracker: Any, text: str) -> None:
    body = _refused(tracker.post("track", _track(timestamp=text)), 400, "invalid_message")
    assert body["field"] == "timestamp"


def test_a_number_timestamp_is_refused(tracker: Any) -> None:
    body = _refused(tracker.post("track", _track(timestamp=1700000000)), 400, "invalid_message")
    assert body["field"] == "timestamp"


@time_machine.travel(NOW, tick=False)
def test_clock_skew_is_corrected_with_sent_at(tracker: Any) -> None:
    # The client's clock is 10 minutes fast: it says it sent at 12:10 an event of 12:05.
    tracker.post("track", _track(timestamp="2026-03-02T12:05:00Z", sentAt="2026-03-02T12:10:00Z"))
    event = Event.objects.get()
    assert event.timestamp == NOW - timedelta(minutes=5)
    assert event.sent_at == NOW + timedelta(minutes=10)


@time_machine.travel(NOW, tick=False)
def test_a_historical_timestamp_without_sent_at_is_kept(tracker: Any) -> None:
    tracker.post("track", _track(timestamp="2019-05-01T08:00:00Z"))
    assert Event.objects.get().timestamp == datetime(2019, 5, 1, 8, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
def test_a_message_without_timestamp_happened_when_received(tracker: Any) -> None:
    tracker.post("track", _track())
    assert Event.objects.get().timestamp == NOW


@time_machine.travel(NOW, tick=False)
def test_a_timestamp_is_never_later_than_its_receipt(tracker: Any) -> None:
    tracker.post("track", _track(timestamp="2030-01-01T00:00:00Z"))
    assert Event.objects.get().timestamp == NOW


@time_machine.travel(NOW + timedelta(seconds=15), tick=False)
def test_a_source_over_its_rate_limit_gets_429_with_retry_after(
    tracker: Any, source: Source
) -> None:
    source.rate_limit = 3
    source.save()
    batch = [{**_track(messageId=str(i)), "type": "track"} for i in range(2)]
    assert tracker.post("batch", {"batch": batch}).status_code == 200
    response = tracker.post("batch", {"batch": [{**_track(messageId="x"), "type": "track"}] * 2})
    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert response.json()["code"] == "rate_limited"
    assert Event.objects.count() == 2
    assert tracker.post("track", _track(messageId="y")).status_code == 200  # 3rd of 3
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        assert tracker.post("track", _track(messageId="z")).status_code == 200


def test_a_numeric_user_id_is_stored_as_text(tracker: Any) -> None:
    assert tracker.post("track", _track(userId=42)).status_code == 200
    assert Event.objects.get().user_id == "42"


@pytest.mark.parametrize(("value", "field"), [(True, "userId"), (1.5, "userId"),
                                              ("x" * 201, "userId"), ({"a": 1}, "userId")])
def test_an_id_that_is_not_text_or_a_whole_number_is_refused(
    tracker: Any, value: Any, field: str
) -> None:
    body = _refused(tracker.post("track", _track(userId=value)), 400, "invalid_message")
    assert body["field"].startswith(field)


@pytest.mark.parametrize("body", [
    b'{"anonymousId": "a", "event": "x", "properties": {"n": NaN}}',
    b'{"anonymousId": "a", "event": "x", "properties": {"n": Infinity}}',
    b'{"anonymousId": "a", "event": "x\\u0000y"}',
    b'{"anonymousId": "a", "event": "x\\ud800y"}',  # a lone surrogate: no valid text
    b'{"anonymousId": "a", "event": "x", "properties": ' + b'[' * 100_000 + b']' * 100_000 + b'}',
])
def test_json_that_no_database_can_store_is_a_400(tracker: Any, body: bytes) -> None:
    code = "too_large" if len(body) > 32_000 else "invalid_json"
    _refused(tracker.post("track", body), 400, code)


def test_deeply_nested_json_in_a_batch_is_a_400(tracker: Any) -> None:
    body = b'{"batch": ' + b'[' * 100_000 + b']' * 100_000 + b'}'
    _refused(tracker.post("batch", body), 400, "invalid_json")


def _nested_batch(levels: int) -> dict[str, Any]:
    """A batch whose JSON nests `levels` deep: batch object, list, message, properties."""
    value: Any = []
    for _ in range(levels - 5):
        value = [value]
    return {"batch": [_track(type="track", properties={"n": value})]}


def test_a_body_nested_deeper_than_200_levels_is_a_400_naming_the_limit(tracker: Any) -> None:
    body = _refused(tracker.post("batch", _nested_batch(201)), 400, "invalid_json")
    assert "200 levels" in body["message"]
    assert not Event.objects.exists()


def test_a_body_nested_200_levels_deep_is_stored(tracker: Any) -> None:
    response = tracker.post("batch", _nested_batch(200))
    assert response.json()["stored"] == 1
    assert Event.objects.get().properties == _nested_batch(200)["batch"][0]["properties"]


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_timestamp_out_of_the_range_of_dates_is_a_400(tracker: Any, text: str) -> None:
    body = _refused(tracker.post("track", _track(timestamp=text)), 400, "invalid_message")
    assert body["field"] == "timestamp"

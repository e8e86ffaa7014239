"""A webhook delivery's attempts page like every other list (issue 9): {items,
count}, `sort` by time, status (no answer last either way) or duration, filters
`status` and `answered`; admins only, like the rest of the webhooks API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


@pytest.fixture
def url() -> str:
    hook = WebhookSubscription.objects.create(name="CRM", url="https://example.com/hook",
                                              secret="s", events=["deal.won"])
    delivery = WebhookDelivery.objects.create(subscription=hook, event="deal.won",
                                              event_id="deal.won:5", created_at=T0)
    for minutes, status, ms in ((0, None, 10_000), (1, 500, 120), (3, None, 10_000),
                                (7, 503, 80), (15, 204, 45)):
        WebhookAttempt.objects.create(delivery=delivery, at=T0 + minutes * MINUTE,
                                      status=status, duration_ms=ms,
                                      error="" if status else "timed out")
    return f"/api/v1/webhooks/{hook.pk}/deliveries/{delivery.pk}/attempts"


def _statuses(api: Any, url: str, **params: Any) -> list[int | None]:
    return list_column(api, url, "status", **params)


def test_attempts_page_newest_first(url: str, api_as: Any) -> None:
    api = api_as("admin")
    body = api.get(url, limit=2, offset=1).json()
    assert (body["count"], [a["status"] for a in body["items"]]) == (5, [503, None])
    assert _statuses(api, url) == [204, 503, None, 500, None]
    assert _statuses(api, url, sort="at") == [None, 500, None, 503, 204]


@pytest.mark.parametrize(("sort", "expected"), [
    ("status", [204, 500, 503, None, None]), ("-status", [503, 500, 204, None, None]),
    ("duration_ms", [204, 503, 500, None, None]), ("-duration_ms", [None, None, 500, 503, 204]),
])
def test_attempts_sort_by_status_with_no_answer_last_or_by_duration(
    url: str, api_as: Any, sort: str, expected: list[int | None]
) -> None:
    assert _statuses(api_as("admin"), url, sort=sort) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"status": 500}, [500]), ({"answered": "true"}, [204, 503, 500]),
    ({"answered": "false"}, [None, None]), ({"answered": "true", "sort": "status"},
                                            [204, 500, 503]),
])
def test_attempts_filter_by_status_and_answer(
    url: str, api_as: Any, params: dict[str, Any], expected: list[int | None]
) -> None:
    body = api_as("admin").get(url, **params).json()
    assert ([a["status"] for a in body["items"]], body["count"]) == (expected, len(expected))


@pytest.mark.parametrize(("role", "params", "code", "field"), [
    ("admin", {"sort": "error"}, 422, "sort"), ("admin", {"status": "ok"}, 422, "status"),
    ("admin", {"limit": 0}, 422, "limit"), ("manager", {}, 403, "webhooks"),
])
def test_a_bad_attempt_list_request_is_refused_naming_the_field(
    url: str, api_as: Any, role: str, params: dict[str, Any], code: int, field: str
) -> None:
    response = api_as(role).get(url, **params)
    assert (response.status_code, response.json()["field"]) == (code, field), response.content

"""The tokens, webhooks and delivery-log lists take a checked `sort` (issue 9): each
sorts both ways, the default is the order they had before, an unknown value is a 422
naming `sort` with the accepted values; plus the filters a user expects (tokens by
read-only and revoked, webhooks by name, deliveries by last status and time)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from smarketing.integrations.models import ApiToken, WebhookDelivery, WebhookSubscription
from smarketing.integrations.services import token_create
from smarketing.testing.lists import assert_refuses_sort, list_column

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


def test_my_tokens_sort_both_ways_and_filter_by_read_only_and_revoked(
    users: dict[str, Any], api_as: Any
) -> None:
    rep = users["rep"]
    for name, read_only in (("beta", True), ("alpha", False), ("gamma", True)):
        token_create(user=rep, name=name, read_only=read_only)
    ApiToken.objects.filter(user=rep, name="gamma").update(revoked_at=timezone.now())
    api, url = api_as("rep"), "/api/v1/tokens"
    mine = [n for n in list_column(api, url, "name") if n in {"alpha", "beta", "gamma"}]
    assert mine == ["gamma", "alpha", "beta"]  # newest first, as before
    assert list_column(api, url, "name", sort="name", read_only="true") == ["beta", "gamma"]
    assert list_column(api, url, "name", sort="-name", read_only="true") == ["gamma", "beta"]
    assert list_column(api, url, "name", revoked="true") == ["gamma"]
    assert "gamma" not in list_column(api, url, "name", revoked="false")
    assert_refuses_sort(api, url, "-created_at, name, -name, last_used_at")


def test_webhooks_sort_both_ways_and_filter_by_name(api_as: Any) -> None:
    for name, failures in (("crm", 2), ("bi", 0), ("chat", 5)):
        WebhookSubscription.objects.create(name=name, url=f"https://{name}.example",
                                           secret="s", consecutive_failures=failures)
    api, url = api_as("admin"), "/api/v1/webhooks"
    assert list_column(api, url, "name") == ["bi", "chat", "crm"]
    assert list_column(api, url, "name", sort="-name") == ["crm", "chat", "bi"]
    assert list_column(api, url, "name", sort="-consecutive_failures") == ["chat", "crm", "bi"]
    assert list_column(api, url, "name", sort="consecutive_failures") == ["bi", "crm", "chat"]
    assert list_column(api, url, "name", q="C", sort="-created_at") == ["chat", "crm"]
    assert_refuses_sort(api, url, "name, -name, created_at")


@pytest.fixture
def deliveries_url() -> str:
    hook = WebhookSubscription.objects.create(name="CRM", url="https://crm.example",
                                              secret="s", events=["deal.won"])
    rows = (("deal.won:1", 0, 3, 500, T0 + 5 * HOUR), ("deal.won:2", 1, 1, 204, None),
            ("deal.lost:3", 2, 2, 503, T0 + 4 * HOUR))
    for event_id, hours, attempts, status, retry in rows:
        WebhookDelivery.objects.create(
            subscription=hook, event=event_id.split(":")[0], event_id=event_id,
            created_at=T0 + hours * HOUR, attempts=attempts, last_status=status,
            next_attempt_at=retry, delivered_at=None if retry else T0 + hours * HOUR)
    return f"/api/v1/webhooks/{hook.pk}/deliveries"


def test_deliveries_sort_both_ways_with_no_retry_last(deliveries_url: str, api_as: Any) -> None:
    api, url = api_as("admin"), deliveries_url
    assert list_column(api, url, "event_id") == ["deal.lost:3", "deal.won:2", "deal.won:1"]
    assert list_column(api, url, "event_id", sort="created_at") == [
        "deal.won:1", "deal.won:2", "deal.lost:3"]
    assert list_column(api, url, "attempts", sort="attempts") == [1, 2, 3]
    assert list_column(api, url, "attempts", sort="-attempts") == [3, 2, 1]
    assert list_column(api, url, "event_id", sort="next_attempt_at") == [
        "deal.lost:3", "deal.won:1", "deal.won:2"]
    assert list_column(api, url, "event_id", sort="-next_attempt_at") == [
        "deal.won:1", "deal.lost:3", "deal.won:2"]
    assert_refuses_sort(api, url, "-created_at, attempts, -attempts, next_attempt_at")


def test_deliveries_filter_by_event_state_last_status_and_time(
    deliveries_url: str, api_as: Any
) -> None:
    api, url = api_as("admin"), deliveries_url
    assert list_column(api, url, "event_id", event="deal.won", state="pending") == ["deal.won:1"]
    assert list_column(api, url, "event_id", last_status=503) == ["deal.lost:3"]
    assert list_column(api, url, "event_id", start=(T0 + HOUR).isoformat(),
                  end=(T0 + 2 * HOUR).isoformat()) == ["deal.won:2"]
    refused = api.get(url, state="lost")
    assert refused.status_code == 422 and refused.json()["field"] == "state"
    backwards = api.get(url, start=T0.isoformat(), end=T0.isoformat())
    assert backwards.status_code == 422 and backwards.json()["field"] == "end"

"""Outbound webhooks against a real local HTTP server: signed, retried with backoff
for 24 h, disabled after that with a notice to admins, delivered once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from smarketing.core import jobs
from smarketing.core.events import publish
from smarketing.core.models import Notification
from smarketing.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription
from smarketing.integrations.services import webhook_ping, webhook_resend
from smarketing.integrations.webhooks import emit, retry_delay
from smarketing.testing.webhooks import Receiver, webhook_receiver
from smarketing.testing.workers import two_workers

pytestmark = pytest.mark.django_db(transaction=True)
UTC = dt.UTC
START = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def _subscribe(url: str, events: list[str]) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="crm", url=url, secret="s3cret", events=events)


def verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """What a receiver does: recompute HMAC-SHA256 over "<t>.<body>"."""
    parts = dict(part.split("=", 1) for part in headers["X-Smarketing-Signature"].split(","))
    expected = hmac.new(
        secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(parts["v1"], expected)


def test_an_event_is_posted_signed_with_hmac_sha256(receiver: Receiver) -> None:
    _subscribe(receiver.url, ["sla.breached"])
    _subscribe(receiver.url, ["mql.accepted"])
    with time_machine.travel(START, tick=False):
        assert emit("sla.breached", "sla.breached:7", {"assignment_id": 7}) == 1
        jobs.run_burst("w")
    [(headers, body)] = receiver.requests
    assert json.loads(body) == {
        "id": "sla.breached:7",
        "event": "sla.breached",
        "created_at": "2026-03-04T12:00:00Z",
        "data": {"assignment_id": 7},
    }
    assert headers["X-Smarketing-Event"] == "sla.breached"
    assert verify("s3cret", headers, body)
    assert not verify("another secret", headers, body)


def test_a_published_domain_event_is_delivered_after_commit_only(receiver: Receiver) -> None:
    _subscribe(receiver.url, ["deal.won"])
    with pytest.raises(RuntimeError), transaction.atomic():
        publish("deal.won", "deal.won:1", {"id": 1})
        raise RuntimeError("rolled back")
    assert not WebhookDelivery.objects.exists()
    with transaction.atomic():
        publish("deal.won", "deal.won:2", {"id": 2})
        assert not WebhookDelivery.objects.exists()
    assert WebhookDelivery.objects.get().event_id == "deal.won:2"


def test_a_failed_delivery_is_retried_after_a_minute_and_delivered_once(
    receiver: Receiver,
) -> None:
    receiver.fail_next = 1
    _subscribe(receiver.url, ["mql.assigned"])
    with time_machine.travel(START, tick=False):
        emit("mql.assigned", "mql.assigned:1", {})
        emit("mql.assigned", "mql.assigned:1", {})  # the same event again: ignored
        jobs.run_burst("w")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status, delivery.delivered_at) == (1, 500, None)
    assert delivery.next_attempt_at == START + dt.timedelta(minutes=1)
    with time_machine.travel(START + dt.timedelta(seconds=59), tick=False):
        assert jobs.run_burst("w") == 0
    with time_machine.travel(START + dt.timedelta(minutes=1), tick=False):
        jobs.run_burst("w")
        jobs.run_burst("w")
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.last_status == 204
    assert len(receiver.requests) == 2
    assert [a.status for a in WebhookAttempt.objects.order_by("at", "id")] == [500, 204]
    assert WebhookSubscription.objects.get().consecutive_failures == 0


def test_the_backoff_doubles_from_a_minute_up_to_four_hours() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in range(1, 11)] == [
        1, 2, 4, 8, 16, 32, 64, 128, 240, 240,
    ]


def _run_until(limit: dt.datetime) -> int:
    """Run the worker at each due retry until `limit`; returns the attempts made."""
    while True:
        delivery = WebhookDelivery.objects.get()
        if delivery.next_attempt_at is None or delivery.next_attempt_at > limit:
            return delivery.attempts
        with time_machine.travel(delivery.next_attempt_at, tick=False):
            jobs.run_burst("w")


def test_a_receiver_failing_for_24_hours_disables_the_subscription_and_tells_admins(
    receiver: Receiver, users: dict[str, Any]
) -> None:
    receiver.fail_next = 10_000
    subscription = _subscribe(receiver.url, ["deal.lost"])
    with time_machine.travel(START, tick=False):
        emit("deal.lost", "deal.lost:1", {})
        jobs.run_burst("w")
    attempts = _run_until(START + dt.timedelta(hours=25))
    delivery = WebhookDelivery.objects.get()
    assert delivery.failed_at is not None and delivery.next_attempt_at is None
    assert delivery.failed_at - START <= dt.timedelta(hours=24)
    assert delivery.failed_at - START > dt.timedelta(hours=20)
    assert attempts == len(receiver.requests) == 13
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.disabled_at is not None
    assert "failed for 24 h" in subscription.disabled_reason
    notified = Notification.objects.filter(kind="webhook.disabled")
    assert [n.user.username for n in notified] == ["admin"]
    assert emit("deal.lost", "deal.lost:2", {}) == 0  # a disabled subscription gets nothing


def test_resend_posts_a_delivered_event_again_with_the_same_id(receiver: Receiver) -> None:
    _subscribe(receiver.url, ["deal.won"])
    emit("deal.won", "deal.won:9", {"id": 9})
    jobs.run_burst("w")
    webhook_resend(delivery=WebhookDelivery.objects.get(), actor=None)
    jobs.run_burst("w")
    ids = [json.loads(body)["id"] for _, body in receiver.requests]
    assert ids == ["deal.won:9", "deal.won:9"]
    assert WebhookAttempt.objects.count() == 2


def test_a_ping_is_posted_at_once_and_its_status_returned(receiver: Receiver) -> None:
    subscription = _subscribe(receiver.url, ["deal.won"])
    assert webhook_ping(subscription=subscription, actor=None).status == 204
    receiver.fail_next = 1
    failed = webhook_ping(subscription=subscription, actor=None)
    assert (failed.status, failed.error) == (500, "HTTP 500")
    assert [json.loads(body)["event"] for _, body in receiver.requests] == ["ping", "ping"]


def test_an_unreachable_receiver_is_logged_without_a_status() -> None:
    subscription = _subscribe("http://127.0.0.1:9/nothing", ["deal.won"])
    result = webhook_ping(subscription=subscription, actor=None)
    assert result.status is None and result.error


def test_two_workers_deliver_each_event_exactly_once(receiver: Receiver) -> None:
    _subscribe(receiver.url, ["sla.warning"])
    for n in range(20):
        emit("sla.warning", f"sla.warning:{n}", {"n": n})

    two_workers()
    ids = sorted(json.loads(body)["data"]["n"] for _, body in receiver.requests)
    assert ids == list(range(20))

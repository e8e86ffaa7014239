"""Outbound webhooks against a real local HTTP server: signed, retried, delivered once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection

from smarketing.core import jobs
from smarketing.integrations.models import WebhookDelivery, WebhookSubscription
from smarketing.integrations.webhooks import emit
from smarketing.testing.webhooks import Receiver, webhook_receiver

pytestmark = pytest.mark.django_db(transaction=True)
UTC = dt.UTC


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def _subscribe(url: str, events: list[str]) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name="crm", url=url, secret="s3cret", events=events)


def test_an_event_is_posted_signed_with_hmac_sha256(receiver: Receiver) -> None:
    state, url = receiver, receiver.url
    _subscribe(url, ["sla.breached"])
    _subscribe(url, ["mql.accepted"])
    assert emit("sla.breached", "sla.breached:7", {"assignment_id": 7}) == 1
    jobs.run_burst("w")
    [(headers, body)] = state.requests
    assert json.loads(body) == {
        "id": "sla.breached:7",
        "event": "sla.breached",
        "data": {"assignment_id": 7},
    }
    assert headers["X-Smarketing-Event"] == "sla.breached"
    timestamp, signature = (
        part.split("=", 1)[1] for part in headers["X-Smarketing-Signature"].split(",")
    )
    expected = hmac.new(b"s3cret", f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)


def test_a_failed_delivery_is_retried_later_and_delivered_once(
    receiver: Receiver,
) -> None:
    state, url = receiver, receiver.url
    state.fail_next = 1
    _subscribe(url, ["mql.assigned"])
    start = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        emit("mql.assigned", "mql.assigned:1", {})
        emit("mql.assigned", "mql.assigned:1", {})  # the same event again: ignored
        jobs.run_burst("w")
    delivery = WebhookDelivery.objects.get()
    assert (delivery.attempts, delivery.last_status, delivery.delivered_at) == (1, 500, None)
    with time_machine.travel(start + dt.timedelta(minutes=5), tick=False):
        jobs.run_burst("w")
        jobs.run_burst("w")
    delivery.refresh_from_db()
    assert delivery.delivered_at is not None and delivery.last_status == 204
    assert len(state.requests) == 2


def test_two_workers_deliver_each_event_exactly_once(receiver: Receiver) -> None:
    state, url = receiver, receiver.url
    _subscribe(url, ["sla.warning"])
    for n in range(20):
        emit("sla.warning", f"sla.warning:{n}", {"n": n})

    def work(name: str) -> None:
        try:
            jobs.run_burst(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = sorted(json.loads(body)["data"]["n"] for _, body in state.requests)
    assert ids == list(range(20))

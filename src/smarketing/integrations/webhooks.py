"""Outbound webhooks: `emit(event, event_id, data)` records one delivery per active
subscription to `event` (at most once per subscription and event id) and queues
it after commit; the worker POSTs it as JSON. It subscribes to the domain events
of core.events (see IntegrationsConfig.ready), so the apps below never import it.

Headers: `X-Smarketing-Event`, `X-Smarketing-Delivery` (the delivery id) and
`X-Smarketing-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed
with the subscription's secret>`; a receiver recomputes it and rejects old `t`.

A failed attempt (no answer, or a status outside 2xx) is retried with exponential
backoff (1 min, 2, 4, ... capped at 4 h) for RETRY_WINDOW (24 h) after the event;
then the delivery is marked failed and the subscription disabled, with an in-app
notification to every admin.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from smarketing.core.jobs import enqueue
from smarketing.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

JOB = "integrations.webhook"
TIMEOUT = 10
RETRY_WINDOW = dt.timedelta(hours=24)
FIRST_RETRY = dt.timedelta(minutes=1)
MAX_BACKOFF = dt.timedelta(hours=4)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def retry_delay(attempts: int) -> dt.timedelta:
    """The wait after the `attempts`-th failed attempt: 1 min, 2 min, 4 min ... 4 h."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def queue(delivery: WebhookDelivery, run_at: dt.datetime | None = None, tag: str = "") -> None:
    key = f"webhook:{delivery.pk}:{delivery.attempts}{tag}"
    enqueue(JOB, {"delivery_id": delivery.pk}, run_at=run_at, dedupe_key=key)


def emit(event: str, event_id: str, data: Mapping[str, Any]) -> int:
    """Record and queue `event` for every active subscriber; returns how many."""
    return emit_many(event, [(event_id, data)])


def emit_many(event: str, items: Sequence[tuple[str, Mapping[str, Any]]]) -> int:
    """emit for many occurrences of `event`: the active subscriptions are read once
    (none taking `event`, the usual case of a bulk move: one query in all)."""
    created = 0
    for subscription in WebhookSubscription.objects.filter(is_active=True):
        if event not in subscription.events:
            continue
        for event_id, data in items:
            delivery, new = WebhookDelivery.objects.get_or_create(
                subscription=subscription,
                event_id=event_id,
                defaults={"event": event, "payload": dict(data), "created_at": timezone.now()},
            )
            if new:
                queue(delivery)
                created += 1
    return created


def subscribed(event: str) -> bool:
    """Whether an active subscription takes `event` (bulk writers skip building the
    payloads of events nobody receives)."""
    return any(event in events for events in WebhookSubscription.objects.filter(
        is_active=True).values_list("events", flat=True))


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": delivery.event_id,
        "event": delivery.event,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder).encode()


def _post(delivery: WebhookDelivery) -> int:
    body = body_of(delivery)
    request = urllib.request.Request(delivery.subscription.url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("User-Agent", "Smarketing-Webhooks/1")
    request.add_header("X-Smarketing-Event", delivery.event)
    request.add_header("X-Smarketing-Delivery", str(delivery.pk))
    request.add_header(
        "X-Smarketing-Signature", sign(delivery.subscription.secret, int(time.time()), body)
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - admin URL
        return int(response.status)


def attempt(delivery: WebhookDelivery) -> WebhookAttempt:
    """POST `delivery` once and log the attempt (status None: no answer)."""
    started = time.monotonic()
    status: int | None
    try:
        status, error = _post(delivery), ""
    except urllib.error.HTTPError as exc:
        status, error = exc.code, f"HTTP {exc.code}"
    except OSError as exc:
        status, error = None, str(exc) or type(exc).__name__
    if status is not None and not 200 <= status < 300 and not error:
        error = f"HTTP {status}"
    return WebhookAttempt.objects.create(
        delivery=delivery, at=timezone.now(), status=status, error=error[:1000],
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def deliver(payload: dict[str, Any]) -> None:
    """The job: POST one delivery unless it is settled; schedule the retry on failure."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=payload["delivery_id"])
    if delivery.delivered_at is not None or delivery.failed_at is not None:
        return
    result = attempt(delivery)
    if not result.error:
        _succeeded(delivery, result)
    else:
        _failed(delivery, result)


def _succeeded(delivery: WebhookDelivery, result: WebhookAttempt) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=F("attempts") + 1, last_status=result.status, last_error="",
        delivered_at=result.at, next_attempt_at=None,
    )
    WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
        consecutive_failures=0
    )


def _failed(delivery: WebhookDelivery, result: WebhookAttempt) -> None:
    delivery.attempts += 1
    retry_at = result.at + retry_delay(delivery.attempts)
    gives_up = retry_at > delivery.created_at + RETRY_WINDOW
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=delivery.attempts, last_status=result.status, last_error=result.error,
            next_attempt_at=None if gives_up else retry_at,
            failed_at=result.at if gives_up else None,
        )
        WebhookSubscription.objects.filter(pk=delivery.subscription_id).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        if gives_up:
            from smarketing.integrations.services import webhook_disable

            webhook_disable(
                subscription=delivery.subscription,
                reason=f"delivery {delivery.pk} ({delivery.event}) failed for 24 h: "
                f"{result.error}",
            )
        else:
            queue(delivery, run_at=retry_at)


def on_domain_event(event: str, event_id: str, data: Mapping[str, Any]) -> None:
    """The core.events subscriber: every domain event becomes a webhook delivery."""
    emit(event, event_id, data)


def on_domain_events(event: str, items: list[tuple[str, Mapping[str, Any]]]) -> None:
    """The batch form of on_domain_event (core.events.publish_many)."""
    emit_many(event, items)

"""Outbound webhooks: `emit(event, event_id, data)` records one delivery per active
subscription to `event` (at most once per subscription and event id) and queues
it after commit; the worker POSTs it as JSON and retries with backoff on failure.

Headers: `X-Smarketing-Event`, `X-Smarketing-Delivery` (the delivery id) and
`X-Smarketing-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed
with the subscription's secret>`; a receiver recomputes it and rejects old `t`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from smarketing.core.jobs import enqueue
from smarketing.integrations.models import WebhookDelivery, WebhookSubscription

JOB = "integrations.webhook"
TIMEOUT = 10


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def emit(event: str, event_id: str, data: dict[str, Any]) -> int:
    """Record and queue `event` for every active subscriber; returns how many."""
    created = 0
    for subscription in WebhookSubscription.objects.filter(is_active=True):
        if event not in subscription.events:
            continue
        delivery, new = WebhookDelivery.objects.get_or_create(
            subscription=subscription,
            event_id=event_id,
            defaults={"event": event, "payload": data, "created_at": timezone.now()},
        )
        if new:
            enqueue(JOB, {"delivery_id": delivery.pk}, dedupe_key=f"webhook:{delivery.pk}")
            created += 1
    return created


def _post(delivery: WebhookDelivery) -> int:
    body = json.dumps(
        {"id": delivery.event_id, "event": delivery.event, "data": delivery.payload},
        cls=DjangoJSONEncoder,
    ).encode()
    request = urllib.request.Request(delivery.subscription.url, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Smarketing-Event", delivery.event)
    request.add_header("X-Smarketing-Delivery", str(delivery.pk))
    request.add_header(
        "X-Smarketing-Signature", sign(delivery.subscription.secret, int(time.time()), body)
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - admin URL
        return int(response.status)


def deliver(payload: dict[str, Any]) -> None:
    """The job: POST one delivery unless already delivered; raise to be retried."""
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=payload["delivery_id"])
    if delivery.delivered_at is not None:
        return
    try:
        status = _post(delivery)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        _record(delivery, None, str(exc))
        raise
    if not 200 <= status < 300:
        _record(delivery, status, f"HTTP {status}")
        raise RuntimeError(f"webhook answered HTTP {status}")
    _record(delivery, status, "", delivered=True)


def _record(
    delivery: WebhookDelivery, status: int | None, error: str, delivered: bool = False
) -> None:
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            attempts=delivery.attempts + 1,
            last_status=status,
            last_error=error[:1000],
            delivered_at=timezone.now() if delivered else None,
        )

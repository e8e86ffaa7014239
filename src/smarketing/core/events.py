"""Domain events: `publish(event, event_id, data)` from any app, delivered after commit.

Apps that react to what happens elsewhere without being imported by it (outbound
webhooks in integrations) register a subscriber in their AppConfig.ready():
`subscribe(handler)`; a handler gets `(event, event_id, data)` once the
surrounding transaction commits (nothing for work that rolled back; at once
outside a transaction). `event_id` is unique per occurrence (e.g.
`deal.won:<stage change id>`), so a subscriber can record each event exactly once.
`data` must be JSON-serialisable (ids, strings, ISO dates, decimal strings).

The event names are listed in EVENTS (documented with payloads in docs/webhooks.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)

EVENTS = (
    "contact.created",
    "contact.stage_changed",
    "mql.assigned",
    "mql.accepted",
    "mql.rejected",
    "sla.warning",
    "sla.breached",
    "deal.created",
    "deal.stage_changed",
    "deal.won",
    "deal.lost",
    "import.finished",
)
Subscriber = Callable[[str, str, Mapping[str, Any]], None]
_SUBSCRIBERS: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> None:
    if subscriber not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(subscriber)


def publish(event: str, event_id: str, data: Mapping[str, Any]) -> None:
    """Hand `event` to every subscriber after the current transaction commits."""
    if event not in EVENTS:
        raise ValueError(f"unknown domain event {event!r}: add it to core.events.EVENTS")
    for subscriber in _SUBSCRIBERS:
        def call(subscriber: Subscriber = subscriber) -> None:
            subscriber(event, event_id, data)

        transaction.on_commit(call, robust=True)

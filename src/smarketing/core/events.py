"""Domain events: `publish(event, event_id, data)` from any app, delivered after commit.

Apps that react to what happens elsewhere without being imported by it (outbound
webhooks in integrations) register a subscriber in their AppConfig.ready():
`subscribe(handler)`; a handler gets `(event, event_id, data)` once the
surrounding transaction commits (nothing for work that rolled back; at once
outside a transaction). `event_id` is unique per occurrence (e.g.
`deal.won:<stage change id>`), so a subscriber can record each event exactly once.
`data` must be JSON-serialisable (ids, strings, ISO dates, decimal strings).
A bulk writer calls `publish_many(event, [(event_id, data), ...])`: a subscriber
registered with a batch form (`subscribe(handler, batch=handler_many)`) gets them
in one call.

The event names are listed in EVENTS (documented with payloads in docs/webhooks.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
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
BatchSubscriber = Callable[[str, list[tuple[str, Mapping[str, Any]]]], None]
_SUBSCRIBERS: list[Subscriber] = []
_BATCH_FORMS: dict[Subscriber, BatchSubscriber] = {}


def subscribe(subscriber: Subscriber, batch: BatchSubscriber | None = None) -> None:
    """`batch`, optional: the subscriber's form for many occurrences of one event at
    once (publish_many calls it once with all of them)."""
    if subscriber not in _SUBSCRIBERS:
        _SUBSCRIBERS.append(subscriber)
    if batch is not None:
        _BATCH_FORMS[subscriber] = batch


def _known(event: str) -> None:
    if event not in EVENTS:
        raise ValueError(f"unknown domain event {event!r}: add it to core.events.EVENTS")


def _after_commit(subscriber: Subscriber, event: str, event_id: str,
                  data: Mapping[str, Any]) -> None:
    def call() -> None:
        subscriber(event, event_id, data)

    transaction.on_commit(call, robust=True)


def publish(event: str, event_id: str, data: Mapping[str, Any]) -> None:
    """Hand `event` to every subscriber after the current transaction commits."""
    _known(event)
    for subscriber in _SUBSCRIBERS:
        _after_commit(subscriber, event, event_id, data)


def publish_many(event: str, items: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
    """publish for many (event_id, data) occurrences of `event` at once (a bulk move):
    a subscriber with a batch form gets them all in one call after commit (webhooks
    look their subscriptions up once, not once per occurrence), others one by one."""
    _known(event)
    occurrences = list(items)
    for subscriber in _SUBSCRIBERS:
        batch = _BATCH_FORMS.get(subscriber)
        if batch is None:
            for event_id, data in occurrences:
                _after_commit(subscriber, event, event_id, data)
        elif occurrences:
            def call(batch: BatchSubscriber = batch) -> None:
                batch(event, occurrences)

            transaction.on_commit(call, robust=True)

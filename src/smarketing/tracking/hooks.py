"""What other apps hear about ingestion. Apps depend downward only, so tracking cannot
call scoring; scoring (or any later app) registers a listener in its AppConfig.ready():

    register_events_listener("scoring.rescore", after_events_ingested)

A listener gets the ids of the contacts that the request's stored events belong to
(after stitching), inside the request's transaction: use transaction.on_commit for
side effects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class StoredBatch:
    """What one request stored: its source, the message ids of its stored events that
    belong to a contact, and the contacts whose earlier events changed hands in it
    (identify, alias, group): a listener that derives rows from events reads these
    events, not every event of the request's contacts."""

    source_id: int
    message_ids: tuple[str, ...]
    restitched: tuple[int, ...]


Listener = Callable[[Iterable[int]], None]
BatchListener = Callable[[StoredBatch], None]
_LISTENERS: dict[str, Listener] = {}
_BATCH: dict[str, BatchListener] = {}
_STORED: dict[str, Callable[[], None]] = {}


def register_events_listener(name: str, listener: Listener) -> None:
    _LISTENERS[name] = listener


def events_listeners() -> dict[str, Listener]:
    return dict(_LISTENERS)


def notify_events_ingested(contact_ids: set[int]) -> None:
    if contact_ids:
        for listener in _LISTENERS.values():
            listener(sorted(contact_ids))


def register_stored_listener(name: str, listener: Callable[[], None]) -> None:
    """`listener()` runs inside the transaction of every request that stored events,
    anonymous ones included (analytics queues its web rollups' apply job)."""
    _STORED[name] = listener


def notify_events_stored() -> None:
    for listener in _STORED.values():
        listener()


def register_batch_listener(name: str, listener: BatchListener) -> None:
    """`listener(batch)` runs inside the transaction of every request that stored events
    of contacts or moved earlier ones (campaigns materialise their touch points)."""
    _BATCH[name] = listener


def notify_batch_stored(batch: StoredBatch) -> None:
    if batch.message_ids or batch.restitched:
        for listener in _BATCH.values():
            listener(batch)

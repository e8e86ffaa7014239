"""8 clients sending batches at once to a live server: no "database is locked", every
acknowledged message stored exactly once (also when a batch is sent twice)."""

from __future__ import annotations

import base64
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests

from smarketing.people.models import Contact
from smarketing.tracking.models import Event, Source

pytestmark = pytest.mark.django_db(transaction=True)
CLIENTS = 8
BATCHES = 6
PER_BATCH = 50


def _batch(client: int, number: int) -> list[dict[str, Any]]:
    visitor = f"v{client}-{number % 2}"
    messages: list[dict[str, Any]] = [
        {"type": "page" if i % 3 else "track", "event": "Clicked", "anonymousId": visitor,
         "messageId": f"c{client}-b{number}-{i}", "properties": {"i": i}}
        for i in range(PER_BATCH - 1)
    ]
    messages.append({"type": "identify", "anonymousId": visitor,
                     "messageId": f"c{client}-b{number}-id",
                     "traits": {"email": f"{visitor}@example.com"}})
    return messages


def _client(url: str, key: str, client: int) -> list[str]:
    """Send this client's batches (each of them twice); the ids the server acknowledged."""
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    acknowledged: list[str] = []
    with requests.Session() as session:
        for number in range(BATCHES):
            batch = _batch(client, number)
            for _ in range(2):
                response = session.post(f"{url}/v1/batch", json={"batch": batch},
                                        headers={"Authorization": auth}, timeout=60)
                assert response.status_code == 200, response.text
                assert response.json()["errors"] == []
            acknowledged += [m["messageId"] for m in batch]
    return acknowledged


def test_eight_concurrent_clients_lose_nothing_and_store_nothing_twice(
    live_server: Any, source_and_key: tuple[Source, str]
) -> None:
    source, key = source_and_key
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = list(pool.map(lambda n: _client(live_server.url, key, n), range(CLIENTS)))
    acknowledged = [message_id for ids in results for message_id in ids]
    stored = list(Event.objects.filter(source=source).values_list("message_id", flat=True))
    assert len(acknowledged) == CLIENTS * BATCHES * PER_BATCH
    assert sorted(stored) == sorted(acknowledged)
    assert Contact.objects.count() == CLIENTS * 2
    assert not Event.objects.filter(contact__isnull=True).exists()

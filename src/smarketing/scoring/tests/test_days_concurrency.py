"""The daily counts stay exact while clients ingest through a live server (with
stitching and late events), the worker applies the queue over and over, and a model
change builds a new matcher meanwhile."""

from __future__ import annotations

import base64
import datetime as dt
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.db import connection

from smarketing.scoring import days
from smarketing.scoring.engine import ModelSpec
from smarketing.scoring.models import EngagementMatcher
from smarketing.scoring.services import active_model
from smarketing.scoring.tests.helpers import a_model, direct_counts, stored_counts
from smarketing.tracking.services import source_create

pytestmark = pytest.mark.django_db(transaction=True)
PAGES = {"event_type": "page", "points": 1, "daily_cap": 5}
FORMS = {"event_type": "track", "event_name": "Form Submitted", "points": 30}
PRICING = {"event_type": "page", "property_filters": {"page_path": "/pricing"}, "points": 5}
TODAY = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _batch(client: int, number: int) -> list[dict[str, Any]]:
    """Anonymous pages of several days, then the visitor identified (stitched), then a
    form, so some batches move earlier events to a contact."""
    visitor = f"v{client}-{number % 3}"
    messages: list[dict[str, Any]] = [
        {"type": "page", "anonymousId": visitor, "messageId": f"c{client}-b{number}-p{i}",
         "properties": {"path": "/pricing" if i % 2 else "/blog"},
         "timestamp": (TODAY - dt.timedelta(days=i % 4, hours=i)).isoformat()}
        for i in range(8)
    ]
    messages.append({"type": "identify", "anonymousId": visitor, "userId": f"u-{visitor}",
                     "messageId": f"c{client}-b{number}-id",
                     "traits": {"email": f"{visitor}@example.com"}})
    messages.append({"type": "track", "event": "Form Submitted", "userId": f"u-{visitor}",
                     "messageId": f"c{client}-b{number}-f", "timestamp": TODAY.isoformat()})
    return messages


def _client(url: str, key: str, client: int) -> None:
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    with requests.Session() as session:
        for number in range(6):
            response = session.post(f"{url}/v1/batch", json={"batch": _batch(client, number)},
                                    headers={"Authorization": auth}, timeout=60)
            assert response.status_code == 200, response.text


def _in_thread(work: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            work()
        finally:
            connection.close()
    return run


def test_counts_stay_exact_while_clients_ingest_and_the_worker_applies_and_builds(
    live_server: Any, users: Any,
) -> None:
    a_model(users["marketing"], engagement=[PAGES, FORMS])
    spec = ModelSpec.of(active_model())
    days.ready_ids(spec)
    days.build(spec)
    _, key = source_create(actor=None, name="Website", kind="website")
    stop = threading.Event()

    def apply_until_stopped() -> None:
        while not stop.is_set():
            days.apply()

    def change_the_model() -> None:  # a new matcher (the pricing page), built meanwhile
        a_model(users["marketing"], engagement=[PAGES, FORMS, PRICING])
        changed = ModelSpec.of(active_model())
        days.ready_ids(changed)
        days.build(changed)

    with ThreadPoolExecutor(5) as pool:
        applier = pool.submit(_in_thread(apply_until_stopped))
        clients = [pool.submit(_in_thread(lambda n=n: _client(live_server.url, key, n)))
                   for n in range(3)]
        builder = pool.submit(_in_thread(change_the_model))
        for future in [*clients, builder]:
            future.result()
        stop.set()
        applier.result()
    days.apply()
    assert not EngagementMatcher.objects.filter(ready=False).exists()
    wanted = days.wanted(ModelSpec.of(active_model()))  # 3 rules' and 2 hand-raises'
    assert set(EngagementMatcher.objects.values_list("key", flat=True)) == set(wanted)
    assert stored_counts() == direct_counts()
    assert len(stored_counts()) > 20

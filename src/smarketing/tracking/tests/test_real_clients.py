"""The real Segment and RudderStack Python clients, pointed at a live server, as a
customer would point them: only the host changes."""

from __future__ import annotations

import http.server
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from rudderstack.analytics.client import Client as RudderClient
from segment.analytics.client import Client as SegmentClient

from smarketing.people.models import Company, Contact
from smarketing.tracking.models import Event, Source

pytestmark = pytest.mark.django_db(transaction=True)


def _send_journey(client: Any) -> None:
    client.page(anonymous_id="visitor-1", name="Pricing",
                properties={"url": "https://acme.com/pricing?utm_source=google&utm_medium=cpc"})
    client.track(anonymous_id="visitor-1", event="Asset Downloaded",
                 properties={"asset": "ebook"})
    client.identify(user_id="user-1", anonymous_id="visitor-1",
                    traits={"email": "ann@acme.com", "firstName": "Ann", "lastName": "Lee"})
    client.group(user_id="user-1", group_id="acme", traits={"name": "Acme", "employees": 50})
    client.alias(previous_id="visitor-1", user_id="user-1")
    client.flush()


def _assert_journey_stored(source: Source, errors: list[Any]) -> None:
    assert errors == []
    types = sorted(Event.objects.filter(source=source).values_list("type", flat=True))
    assert types == ["alias", "group", "identify", "page", "track"]
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.lifecycle_stage) == (
        "ann@acme.com", "Ann", "lead"
    )
    assert contact.original_source == "paid_search"
    assert Event.objects.filter(contact=contact).count() == 5
    assert contact.company == Company.objects.get(name="Acme")


def test_the_segment_python_client_sends_a_whole_journey(
    live_server: Any, source_and_key: tuple[Source, str]
) -> None:
    source, key = source_and_key
    errors: list[Any] = []
    client = SegmentClient(key, host=live_server.url, on_error=lambda e, b: errors.append(e),
                           max_retries=1)
    _send_journey(client)
    client.shutdown()
    _assert_journey_stored(source, errors)


def test_the_rudderstack_python_client_sends_a_gzipped_journey(
    live_server: Any, source_and_key: tuple[Source, str]
) -> None:
    source, key = source_and_key
    errors: list[Any] = []
    client = RudderClient(key, host=live_server.url, on_error=lambda e, b: errors.append(e),
                          max_retries=1, gzip=True)
    _send_journey(client)
    client.shutdown()
    _assert_journey_stored(source, errors)


class _FailFirstProxy(http.server.BaseHTTPRequestHandler):
    """Forwards each request to the server; the first answer is replaced by a 503, as if the
    connection broke after the server had stored the batch."""

    target = ""
    answered = 0
    lock = threading.Lock()

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        request = urllib.request.Request(self.target + self.path, data=body, headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload = response.status, response.read()
        with self.lock:
            type(self).answered += 1
            first = type(self).answered == 1
        if first:
            status, payload = 503, b'{"code": "unavailable", "message": "try again"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def _proxy(target: str) -> Iterator[str]:
    handler = type("Proxy", (_FailFirstProxy,), {"target": target, "answered": 0})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_retried_batch_is_not_stored_twice(
    live_server: Any, source_and_key: tuple[Source, str]
) -> None:
    source, key = source_and_key
    errors: list[Any] = []
    with _proxy(live_server.url) as host:
        client = SegmentClient(key, host=host, on_error=lambda e, b: errors.append(e),
                               max_retries=3)
        for n in range(5):
            client.track(anonymous_id="v", event="Clicked", properties={"n": n})
        client.flush()
        client.shutdown()
    assert errors == []
    assert sorted(e.properties["n"] for e in Event.objects.all()) == [0, 1, 2, 3, 4]
    source.refresh_from_db()
    assert source.duplicate_count == 5  # the retry was acknowledged without storing again

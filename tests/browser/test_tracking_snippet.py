"""The website snippet (/static/smarketing/track.js) on a customer's page, in a real
headless Chromium: the page lives on another origin, as a customer's site would."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.people.models import Contact
from smarketing.tracking.models import Event
from smarketing.tracking.services import source_create
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

LANDING = """<!doctype html><html><head><title>Launch offer</title>
<script src="{host}/static/smarketing/track.js" data-write-key="{key}" data-host="{host}" async>
</script></head><body>
<h1>Get the ebook</h1>
<form id="ebook" data-smarketing-form action="/thanks" method="get">
  <label>Email <input name="email" type="email"></label>
  <label>First name <input name="first_name"></label>
  <label>Password <input name="password" type="password"></label>
  <button type="submit">Download</button>
</form>
<button id="cta" onclick="smarketing.track('Demo Requested', {{plan: 'pro'}})">Demo</button>
</body></html>"""


@pytest.fixture
def customer_site(live_server: Any) -> Iterator[Callable[[str], str]]:
    """A web server on another origin; returns a function that serves LANDING for a key."""
    pages: dict[str, str] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            html = pages["landing"] if self.path.startswith("/landing") else "<p>Thanks</p>"
            payload = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def serve(key: str) -> str:
        pages["landing"] = LANDING.format(host=live_server.url, key=key)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield serve
    server.shutdown()
    server.server_close()


def _wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the events"
        time.sleep(0.1)


def test_the_snippet_tracks_a_visit_and_a_form_fill_into_a_lead(
    browser_page: Page, customer_site: Callable[[str], str], users: dict[str, Any]
) -> None:
    source, key = source_create(actor=None, name="Shop", kind="website")
    site = customer_site(key)
    page = browser_page
    page.goto(f"{site}/landing?utm_source=news&utm_medium=email&utm_campaign=launch")
    _wait_for(lambda: Event.objects.filter(type="page").exists())
    visit = Event.objects.get(type="page")
    assert (visit.utm_source, visit.utm_medium, visit.utm_campaign) == ("news", "email", "launch")
    assert visit.page_path == "/landing" and visit.anonymous_id
    assert visit.properties["title"] == "Launch offer"

    page.click("#cta")
    page.fill("input[name=email]", "reader@example.com")
    page.fill("input[name=first_name]", "Rita")
    page.fill("input[name=password]", "secret")
    page.click("button[type=submit]")
    page.wait_for_url("**/thanks**")
    _wait_for(lambda: Event.objects.filter(name="Form Submitted").exists()
              and Contact.objects.exists())

    contact = Contact.objects.get()
    assert (contact.email, contact.first_name) == ("reader@example.com", "Rita")
    # A lead; scoring may already have made it an MQL: the CTA sent "Demo Requested", a
    # hand-raise of the default scoring model (docs/scoring.md), right after the commit.
    assert contact.became_lead_at is not None and contact.lifecycle_stage in {"lead", "mql"}
    assert (contact.original_source, contact.original_campaign) == ("email", "launch")
    form = Event.objects.get(name="Form Submitted")
    assert form.properties["form_id"] == "ebook"
    assert "password" not in form.properties["fields"]
    _wait_for(lambda: Event.objects.filter(name="Demo Requested").exists())
    assert set(Event.objects.values_list("contact_id", flat=True)) == {contact.pk}
    assert set(Event.objects.values_list("anonymous_id", flat=True)) == {visit.anonymous_id}

    # The stitched history is on the contact page, with the stage changes.
    page.goto(f"/contacts/{contact.pk}/")  # relative: the live server
    log_in(page, "marketing")
    activity = page.get_by_test_id("activity")
    for text in ("Viewed /landing", "Form Submitted", "Demo Requested", "(new) → Lead"):
        expect(activity).to_contain_text(text)

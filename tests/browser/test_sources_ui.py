"""The Sources page in a real headless Chromium: create a source, copy its key, send
events with it, and watch the live debugger refresh."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _send(url: str, key: str, batch: list[dict[str, Any]]) -> None:
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    response = requests.post(f"{url}/v1/batch", json={"batch": batch},
                             headers={"Authorization": auth}, timeout=30)
    assert response.status_code == 200, response.text


def test_marketing_creates_a_source_and_watches_the_debugger(
    browser_page: Page, users: dict[str, Any], live_server: Any
) -> None:
    page = browser_page
    page.goto("/sources/")
    log_in(page, "marketing")
    page.get_by_role("link", name="Sources").click()
    page.get_by_label("Name").fill("Marketing site")
    page.get_by_label("Kind").select_option("website")
    page.get_by_role("button", name="Create source").click()

    expect(page.get_by_test_id("source-name")).to_have_text("Marketing site")
    key = page.get_by_test_id("write-key").inner_text()
    expect(page.get_by_test_id("snippet-js")).to_contain_text(key)
    expect(page.get_by_test_id("debugger")).to_contain_text("Nothing received yet")

    _send(live_server.url, key, [
        {"type": "page", "anonymousId": "v1", "messageId": "p1", "name": "Home"},
        {"type": "track", "anonymousId": "v1", "messageId": "t1"},
    ])
    rows = page.get_by_test_id("debugger-row")
    expect(rows).to_have_count(2)  # htmx polls every 2 s
    expect(page.locator("[data-status=rejected]")).to_contain_text("needs an event name")
    expect(page.locator("[data-status=stored]")).to_contain_text("Home")
    snap(page, "source-debugger")

    page.reload()
    expect(page.get_by_test_id("key-prefix")).to_contain_text(key[:10])
    expect(page.get_by_test_id("write-key")).to_have_count(0)

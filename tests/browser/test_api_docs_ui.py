"""The interactive API reference at /api/v1/docs in a real headless Chromium: Swagger
UI comes from the app's own static files (no CDN), so it works on an offline network."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_api_reference_lists_the_operations_without_any_outside_request(
    browser_page: Page, users: dict[str, Any]
) -> None:
    page = browser_page
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url)
            if not r.url.startswith(("http://localhost", "http://127.0.0.1", "data:")) else None)
    page.goto("/contacts/")
    log_in(page, "marketing")
    page.goto("/api/v1/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Smarketing")
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/kpis").first).to_be_visible()
    assert outside == []

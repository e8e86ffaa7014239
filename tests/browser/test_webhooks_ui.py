"""The Webhooks page in a real headless Chromium: an admin subscribes a real local
receiver, copies the secret shown once, pings it, reads the delivery log with the
receiver's status codes and resends a failed delivery."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.core import jobs
from smarketing.integrations.models import WebhookDelivery, WebhookSubscription
from smarketing.integrations.webhooks import emit
from smarketing.testing.webhooks import webhook_receiver
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_an_admin_subscribes_pings_and_resends_a_failed_delivery(
    browser_page: Page, users: dict[str, Any]
) -> None:
    page = browser_page
    with webhook_receiver() as receiver:
        page.goto("/integrations/webhooks/")
        log_in(page, "admin")
        page.get_by_label("Name").fill("Data warehouse")
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("deal.won").check()
        page.get_by_label("deal.lost").check()
        page.get_by_role("button", name="Create webhook").click()

        secret = page.get_by_test_id("webhook-secret").locator("code").inner_text()
        assert secret == WebhookSubscription.objects.get().secret
        page.get_by_role("button", name="Send test ping").click()
        expect(page.get_by_role("status")).to_contain_text("Ping answered 204")

        receiver.fail_next = 1
        emit("deal.won", "deal.won:77", {"id": 77})
        jobs.run_burst("w")
        page.goto(page.url.split("?")[0] + "?state=pending")
        delivery = WebhookDelivery.objects.get(event="deal.won")
        row = page.locator(f"tr[data-delivery='{delivery.pk}']")
        expect(row.get_by_test_id("responses")).to_contain_text("500")
        snap(page, "webhook-log")
        row.get_by_role("button", name="Resend").click()
        expect(page.get_by_role("status")).to_contain_text("queued again")
        jobs.run_burst("w")
        page.reload()
        expect(row).to_contain_text("Delivered")
        expect(row.get_by_test_id("responses")).to_contain_text("204")
        events = [json.loads(body)["event"] for _, body in receiver.requests]
        assert events == ["ping", "deal.won", "deal.won"]

        page.goto("/integrations/webhooks/")
        expect(page.get_by_test_id("webhooks-table")).to_contain_text("Data warehouse")


def test_a_non_admin_gets_a_403_page(browser_page: Page, users: dict[str, Any]) -> None:
    page = browser_page
    page.goto("/login/")
    log_in(page, "marketing")
    response = page.goto("/integrations/webhooks/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("link", name="Webhooks")).to_have_count(0)

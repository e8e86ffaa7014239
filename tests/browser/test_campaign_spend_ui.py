"""Spend on the campaign page in a real headless Chromium (HTMX): marketing adds a
cost after a refused value, edits and deletes it, enters a day of channel metrics,
corrects and deletes it; the spend KPI and the charts follow without a reload; a rep
sees the numbers without the forms."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.campaigns.tests.factories import make_campaign
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
PERIOD = "start=2026-03-01&end=2026-04-01"


def _charts_drawn(page: Page, *ids: str) -> None:
    """The charts of these canvases are drawn, and only these (none left from a swap)."""
    page.wait_for_function(
        "ids => window.Chart && ids.every(id => window.Chart.getChart("
        "document.getElementById(id))) && Object.keys(window.Chart.instances).length === "
        "ids.length", arg=list(ids))


def test_marketing_adds_edits_and_deletes_costs_and_channel_metrics(
    browser_page: Page, users: dict[str, Any]
) -> None:
    ads = make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/login/")
    log_in(page, "marketing")
    page.goto(f"/campaigns/{ads.pk}/?{PERIOD}")
    costs, spend = page.get_by_test_id("costs-section"), page.get_by_test_id("k-spend")
    expect(spend).to_have_text("0.00")

    costs.get_by_label("Amount").fill("lots")
    costs.get_by_label("Date / from").fill("2026-03-02")
    costs.get_by_role("button", name="Add cost").click()
    expect(costs.get_by_test_id("error-amount")).to_contain_text("amount")
    costs.get_by_label("Amount").fill("300")
    costs.get_by_role("button", name="Add cost").click()
    expect(costs.get_by_test_id("costs-notice")).to_have_text("Cost added.")
    expect(spend).to_have_text("300.00")

    costs.get_by_test_id("cost-row").get_by_role("link", name="Edit").click()
    expect(costs.get_by_label("Amount")).to_have_value("300.00")
    costs.get_by_label("Amount").fill("250")
    costs.get_by_role("button", name="Save cost").click()
    expect(costs.get_by_test_id("costs-notice")).to_have_text("Cost saved.")
    expect(costs.get_by_test_id("cost-amount")).to_have_text("250.00")
    expect(spend).to_have_text("250.00")

    metrics = page.get_by_test_id("metrics-section")
    metrics.get_by_label("Day", exact=True).fill("2026-03-05")
    metrics.get_by_label("Impressions", exact=True).fill("12,000")
    metrics.get_by_label("Clicks", exact=True).fill("many")
    metrics.get_by_label("Spend", exact=True).fill("17.35")
    metrics.get_by_role("button", name="Save day").click()
    expect(metrics.get_by_test_id("error-clicks")).to_contain_text("clicks")
    metrics.get_by_label("Clicks", exact=True).fill("340")
    metrics.get_by_role("button", name="Save day").click()
    expect(metrics.get_by_test_id("metrics-notice")).to_have_text("Metrics of 2026-03-05 saved.")
    expect(metrics.get_by_test_id("metric-clicks")).to_have_text("340")
    expect(spend).to_have_text("267.35")
    _charts_drawn(page, "costs-chart", "metrics-chart")
    snap(page, "campaign-spend")

    metrics.get_by_test_id("metric-row").get_by_role("link", name="Edit").click()
    expect(metrics.get_by_label("Clicks", exact=True)).to_have_value("340")
    metrics.get_by_label("Clicks", exact=True).fill("350")
    metrics.get_by_role("button", name="Save day").click()
    expect(metrics.get_by_test_id("metric-clicks")).to_have_text("350")

    metrics.get_by_test_id("metric-row").get_by_role("button", name="Delete").click()
    expect(metrics.get_by_test_id("metric-row")).to_have_count(0)
    costs.get_by_test_id("cost-row").get_by_role("button", name="Delete").click()
    expect(costs).to_contain_text("No cost entered.")
    expect(spend).to_have_text("0.00")
    _charts_drawn(page, "costs-chart")  # no metrics left: no metrics chart


def test_a_rep_sees_costs_and_metrics_without_the_forms(
    browser_page: Page, users: dict[str, Any]
) -> None:
    ads = make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    page = browser_page
    page.goto("/login/")
    log_in(page, "rep1")
    page.goto(f"/campaigns/{ads.pk}/?{PERIOD}")
    expect(page.get_by_test_id("campaign-costs")).to_be_visible()
    expect(page.get_by_test_id("campaign-metrics")).to_be_visible()
    expect(page.get_by_test_id("cost-form")).to_have_count(0)
    expect(page.get_by_test_id("metric-form")).to_have_count(0)

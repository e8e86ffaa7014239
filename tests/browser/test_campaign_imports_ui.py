"""Spend from a file in a real headless Chromium: marketing uploads a Facebook
Ads-style export on the Imports page as channel metrics; the good day is stored and
shows on the campaign page, the bad line is reported with its line and column."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.campaigns.tests.factories import make_campaign
from smarketing.core import jobs
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_marketing_imports_a_facebook_export_on_the_imports_page(
    browser_page: Page, users: dict[str, Any], tmp_path: Path
) -> None:
    ads = make_campaign("Spring launch", channel="paid_social", utm_campaign="spring-launch")
    path = tmp_path / "facebook-ads.csv"
    path.write_text(
        "Reporting starts,Reporting ends,Campaign name,Reach,Impressions,Link clicks,"
        "Amount spent (USD)\n"
        '2026-03-01,2026-03-01,Spring launch,"8,120","12,400",310,$152.40\n'
        "2026-03-02,2026-03-02,Spring launch,7001,11002,ten,$140.10\n")
    page = browser_page
    page.goto("/imports/")
    log_in(page, "marketing")
    page.get_by_label("File").set_input_files(str(path))
    page.get_by_label("What it holds").select_option("channel_metrics")
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.get_by_test_id("preview")).to_contain_text("Amount spent (USD) → spend")
    page.get_by_role("button", name="Run import").click()

    jobs.run_burst("browser-test-worker")
    counts = page.get_by_test_id("import-counts")
    expect(counts).to_contain_text("1 created")
    expect(page.get_by_test_id("issue-table")).to_contain_text("clicks")
    expect(page.get_by_test_id("issue-table")).to_contain_text("3")

    page.goto(f"/campaigns/{ads.pk}/?start=2026-03-01&end=2026-04-01")
    expect(page.get_by_test_id("metric-clicks")).to_have_text("310")
    expect(page.get_by_test_id("k-spend")).to_have_text("152.40")

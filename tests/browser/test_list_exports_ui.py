"""Export CSV in a real headless Chromium: on the content library a marketer filters by
type, clicks Export CSV and gets a download holding exactly the filtered rows."""

from __future__ import annotations

import csv
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.campaigns.tests.factories import make_asset, make_campaign
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_the_content_library_exports_the_filtered_assets(
    browser_page: Page, users: dict[str, Any]
) -> None:
    spring = make_campaign("Spring launch")
    make_asset("Pricing ebook", type="ebook", campaign=spring)
    make_asset("Buyer checklist", type="ebook")
    make_asset("Launch webinar", type="webinar", campaign=spring, gated=True)
    page = browser_page
    page.goto("/content/")
    log_in(page, "marketing")
    page.get_by_label("Type").select_option("ebook")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("tbody tr")).to_have_count(2)
    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value
    assert download.suggested_filename == "assets.csv"
    with open(download.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["title"], r["type"], r["campaign"]) for r in rows] == [
        ("Buyer checklist", "ebook", ""), ("Pricing ebook", "ebook", "Spring launch")]

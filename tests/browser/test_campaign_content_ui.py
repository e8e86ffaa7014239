"""Content on the contact page in a real headless Chromium: a rep sees the assets a
contact viewed, shares another one (refused first without a choice), and the sending
shows in the panel and, after a reload, on the contact's timeline."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.campaigns.tests.factories import make_asset, make_event
from smarketing.testing.factories import make_contact
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_rep_shares_an_asset_with_a_contact(browser_page: Page, users: dict[str, Any]) -> None:
    guide = make_asset("Pricing guide", type="buyers_guide", url="https://ex.com/guide")
    make_asset("Customer story", type="case_study", url="https://ex.com/story")
    contact = make_contact(owner=users["rep"])
    make_event(contact, dt.datetime(2026, 3, 3, tzinfo=dt.UTC), type="track",
               name="Asset Viewed", properties={"asset_id": guide.pk})
    page = browser_page
    page.goto("/login/")
    log_in(page, "rep1")
    page.goto(f"/contacts/{contact.pk}/")
    panel = page.get_by_test_id("contact-content")
    expect(panel.get_by_test_id("contact-assets")).to_contain_text("Pricing guide")

    panel.get_by_role("button", name="Share").click()
    expect(panel.get_by_test_id("error-asset_id")).to_contain_text("asset_id")
    panel.get_by_label("Share an asset").select_option(label="Customer story (Case study)")
    panel.get_by_label("Message (optional)").fill("The story I mentioned")
    panel.get_by_role("button", name="Share").click()
    expect(panel.get_by_test_id("share-notice")).to_have_text("Shared “Customer story”.")
    expect(panel.get_by_test_id("share-row")).to_contain_text("Customer story")
    snap(page, "contact-content")

    page.reload()
    expect(page.get_by_text("Shared: Customer story").first).to_be_visible()

"""Campaigns in a real headless Chromium: the list sorts, the attribution page draws
its chart and its totals reconcile, marketing adds a cost on the campaign page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.campaigns.services import cost_add
from smarketing.campaigns.tests.factories import make_campaign, make_event
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]
PERIOD = "start=2026-03-01&end=2026-04-01"


@pytest.fixture
def campaigns(users: dict[str, Any]) -> dict[str, Any]:
    ads = make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    news = make_campaign("Newsletter", channel="email", utm_campaign="news")
    cost_add(campaign=ads, actor=None, kind="lump_sum", amount="300.00",
             start_date=dt.date(2026, 3, 2))
    contact = make_contact(at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC))
    make_event(contact, dt.datetime(2026, 3, 3, tzinfo=dt.UTC), utm_campaign="ads")
    make_event(contact, dt.datetime(2026, 3, 6, tzinfo=dt.UTC), utm_campaign="news")
    deal = make_deal(users["rep"], amount="1000.00", contacts=[contact],
                     at=dt.datetime(2026, 3, 7, tzinfo=dt.UTC))
    deal_win(deal=deal, actor=users["rep"], at=dt.datetime(2026, 3, 20, tzinfo=dt.UTC))
    return {"ads": ads, "news": news}


def test_marketing_compares_models_sorts_campaigns_and_adds_a_cost(
    browser_page: Page, campaigns: dict[str, Any]
) -> None:
    page = browser_page
    page.goto(f"/attribution/?{PERIOD}")
    log_in(page, "marketing")
    page.goto(f"/attribution/?{PERIOD}")
    totals = page.get_by_test_id("attribution-totals")
    expect(totals).to_contain_text("1,000.00")
    page.wait_for_function(
        "() => window.Chart && Object.keys(window.Chart.instances).length === 1")
    snap(page, "attribution")

    page.get_by_role("link", name="Campaigns").click()
    page.goto(f"/campaigns/?{PERIOD}&sort=-spend")
    rows = page.get_by_test_id("campaign-row")
    expect(rows.first).to_contain_text("Search ads")
    page.get_by_test_id("sort-name").click()
    expect(rows.first).to_contain_text("Newsletter")
    expect(page.get_by_test_id("total-revenue")).to_have_text("1,000.00")
    expect(page.get_by_test_id("total-spend")).to_have_text("300.00")
    page.get_by_label("Rows").select_option("channel")
    page.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    expect(page.get_by_test_id("campaign-table")).to_contain_text("Paid search")
    expect(page.get_by_test_id("total-revenue")).to_have_text("1,000.00")

    page.goto(f"/campaigns/{campaigns['ads'].pk}/?{PERIOD}")
    expect(page.get_by_test_id("k-spend")).to_have_text("300.00")
    page.get_by_label("Kind").select_option("daily")
    page.get_by_label("Amount").fill("10")
    page.get_by_label("Date / from").fill("2026-03-30")
    page.get_by_label("To (daily)").fill("2026-04-02")
    page.get_by_role("button", name="Add cost").click()
    expect(page.get_by_text("Cost added.")).to_be_visible()
    page.goto(f"/campaigns/{campaigns['ads'].pk}/?{PERIOD}")
    expect(page.get_by_test_id("k-spend")).to_have_text("320.00")
    snap(page, "campaign")


def test_marketing_creates_then_edits_a_campaign_and_drills_into_an_attributed_number(
    browser_page: Page, campaigns: dict[str, Any]
) -> None:
    page = browser_page
    page.goto("/campaigns/")
    log_in(page, "marketing")
    page.goto("/campaigns/")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name").fill("Spring webinar")
    page.get_by_label("Channel").select_option("events_webinars")
    page.get_by_label("utm_campaign").fill("Spring-Webinar")
    page.get_by_label("Start").fill("2026-03-01")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.locator("h1")).to_have_text("Spring webinar")
    page.get_by_test_id("edit-campaign").click()
    page.get_by_label("Budget").fill("-1")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_test_id("form-error")).to_contain_text("budget")
    page.get_by_label("Budget").fill("2500")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.locator(".subtitle").first).to_contain_text("budget 2,500.00")

    page.goto(f"/attribution/?{PERIOD}")
    page.get_by_test_id("attribution-table").get_by_role("link", name="500.00").first.click()
    expect(page.get_by_test_id("drill-deal")).to_have_count(1)
    expect(page.get_by_test_id("drill-total")).to_have_text("500.00")

    page.goto("/content/")
    page.get_by_role("link", name="New asset").click()
    page.get_by_label("Title").fill("Webinar recording")
    page.get_by_label("Type").select_option("webinar")
    page.get_by_label("Campaign").select_option(label="Spring webinar")
    page.get_by_role("button", name="Save asset").click()
    expect(page.get_by_test_id("asset-table")).to_contain_text("Webinar recording")

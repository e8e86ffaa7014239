"""The deal board in a real headless Chromium: drag a deal across, totals follow."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.people.models import Contact, Stage
from smarketing.pipeline.models import Deal
from smarketing.pipeline.services import quota_set
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_company, make_contact
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def deals(users: dict[str, Any]) -> dict[str, Deal]:
    engines = make_company(name="Analytical Engines")
    ada = make_contact(Stage.SQL, first_name="Ada", last_name="Lovelace", company=engines)
    return {
        "engines": make_deal(users["rep"], amount="1000", stage_name="Discovery",
                             name="Engines platform", company=engines, contacts=[ada]),
        "other": make_deal(users["rep_b"], amount="4000", stage_name="Demo", name="Looms"),
    }


def test_a_rep_drags_a_deal_to_the_next_stage_and_the_totals_change(
    browser_page: Page, deals: dict[str, Deal]
) -> None:
    page = browser_page
    page.goto("/deals/")
    log_in(page, "rep1")
    expect(page.get_by_test_id("total-discovery")).to_have_text("1,000.00")
    expect(page.get_by_test_id("total-demo")).to_have_text("4,000.00")
    expect(page.get_by_test_id("weighted-demo")).to_have_text("1,000.00")
    snap(page, "board")

    card = page.get_by_test_id("deal-card").filter(has_text="Engines platform")
    page.evaluate("window.__sameDocument = true")
    card.drag_to(page.get_by_test_id("column-demo"))

    expect(page.get_by_test_id("board-message")).to_contain_text("Moved Engines platform to Demo")
    expect(page.get_by_test_id("total-discovery")).to_have_text("0.00")
    expect(page.get_by_test_id("total-demo")).to_have_text("5,000.00")
    expect(page.get_by_test_id("weighted-demo")).to_have_text("1,250.00")
    expect(page.get_by_test_id("column-demo")).to_contain_text("Engines platform")
    assert page.evaluate("window.__sameDocument") is True  # swapped in place, no reload
    assert Deal.objects.get(pk=deals["engines"].pk).stage.name == "Demo"
    snap(page, "board-moved")


def test_a_rep_moves_with_the_card_menu_and_wins_on_the_deal_page(
    browser_page: Page, deals: dict[str, Deal]
) -> None:
    page = browser_page
    page.goto("/deals/")
    log_in(page, "rep1")
    page.get_by_label("Move Engines platform").select_option(label="Negotiation")
    expect(page.get_by_test_id("total-negotiation")).to_have_text("1,000.00")
    expect(page.get_by_label("Move Looms")).to_have_count(0)  # rep2's deal: not rep1's to move

    page.get_by_role("link", name="Engines platform").click()
    expect(page.get_by_test_id("deal-stage")).to_have_text("Negotiation")
    page.get_by_role("button", name="Mark won").click()
    expect(page.get_by_test_id("deal-status")).to_have_text("Won")
    entries = page.get_by_test_id("deal-timeline-entry")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text("Negotiation → Closed Won")
    ada = Contact.objects.get(first_name="Ada")
    assert ada.lifecycle_stage == Stage.CUSTOMER
    page.goto(f"/contacts/{ada.pk}/")
    expect(page.get_by_test_id("contact-sales")).to_contain_text("Engines platform")
    snap(page, "deal-won")


def test_a_manager_reads_the_forecast_with_its_interval_chart(
    browser_page: Page, users: dict[str, Any], deals: dict[str, Deal]
) -> None:
    today = dt.date.today()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quota_set(actor=None, owner=users["rep"], period="quarter", start=quarter_start,
              amount="20000")
    Deal.objects.update(expected_close_date=today)
    page = browser_page
    page.goto("/forecast/")
    log_in(page, "manager")
    expect(page.get_by_test_id("f-quota")).to_have_text("20,000")
    expect(page.get_by_test_id("forecast-owners")).to_contain_text("rep1")
    has_chart = page.evaluate(
        "() => !!window.Chart && !!window.Chart.getChart(document.getElementById('forecast-chart'))"
    )
    assert has_chart
    snap(page, "forecast")

"""The deal board in a real headless Chromium: drag a deal across, totals follow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.people.models import Contact, Stage
from smarketing.pipeline.models import Deal
from smarketing.pipeline.services import quota_set
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_company, make_contact
from tests.browser.helpers import log_in, settled, snap

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
    expect(entries.nth(0)).to_contain_text("Negotiation → Closed Won")  # the deal's own
    expect(entries.filter(has_text="Opportunity → Customer")).to_contain_text("Ada Lovelace")
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
    page.wait_for_function(  # the deferred scripts draw it after the page has loaded
        "() => !!window.Chart && !!window.Chart.getChart(document.getElementById('forecast-chart'))"
    )
    snap(page, "forecast")


def test_a_rep_deletes_a_deal_and_its_call_stays_on_the_contact(
    browser_page: Page, deals: dict[str, Deal], users: dict[str, Any]
) -> None:
    from smarketing.pipeline.services import activity_log

    ada = Contact.objects.get(first_name="Ada")
    activity_log(actor=users["rep"], kind="call", subject="Kick-off call", contact=ada,
                 deal=deals["engines"])
    page = browser_page
    page.goto(f"/deals/{deals['engines'].pk}/")
    log_in(page, "rep1")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("deal-delete").click()
    expect(page.get_by_text("Deleted Engines platform.")).to_be_visible()
    expect(page.get_by_test_id("total-discovery")).to_have_text("0.00")
    assert not Deal.objects.filter(pk=deals["engines"].pk).exists()
    page.goto(f"/contacts/{ada.pk}/")
    expect(page.get_by_test_id("contact-activities")).to_contain_text("Kick-off call")
    page.goto(f"/deals/{deals['other'].pk}/")
    expect(page.get_by_test_id("deal-delete")).to_have_count(0)  # rep2's deal


def test_the_company_page_shows_its_deals_and_a_call_in_its_timeline(
    browser_page: Page, deals: dict[str, Deal]
) -> None:
    page = browser_page
    page.goto(f"/deals/{deals['engines'].pk}/")
    log_in(page, "rep1")
    page.get_by_role("button", name="Mark won").click()
    expect(page.get_by_test_id("deal-status")).to_have_text("Won")
    page.get_by_role("link", name="Analytical Engines").click()
    expect(page.get_by_test_id("company-customer")).to_contain_text("Customer since")
    expect(page.get_by_test_id("company-won")).to_have_text("1,000.00")
    expect(page.get_by_test_id("company-deals")).to_contain_text("Engines platform")
    page.get_by_label("Subject").fill("Renewal call with the board")
    page.get_by_role("button", name="Log", exact=True).click()
    timeline = page.get_by_test_id("company-timeline")
    expect(timeline).to_contain_text("Call: Renewal call with the board")
    expect(timeline).to_contain_text("Discovery → Closed Won")
    expect(timeline).to_contain_text("Opportunity → Customer")
    snap(page, "company")


def test_a_manager_adds_a_pipeline_and_edits_its_stages(
    browser_page: Page, users: dict[str, Any]
) -> None:
    from smarketing.pipeline.models import Pipeline

    page = browser_page
    page.goto("/pipelines/")
    log_in(page, "manager")
    page.get_by_label("New pipeline").fill("Renewals")
    page.get_by_role("button", name="Add pipeline").click()
    expect(page.get_by_text("Added Renewals with the default stages.")).to_be_visible()
    card = page.get_by_test_id("pipeline-renewals")
    card.get_by_label("New stage of Renewals", exact=True).fill("Trial")
    card.get_by_label("New stage probability of Renewals").fill("40")
    card.get_by_role("button", name="Add stage").click()
    expect(page.get_by_text("Added stage Trial.")).to_be_visible()
    for _ in range(2):  # above Closed Lost, then above Closed Won
        card.get_by_label("Move Trial up").click()
        expect(page.get_by_text("Moved Trial up.")).to_be_visible()
    card.get_by_label("Probability of Demo").fill("30")
    card.get_by_label("Stall days of Demo").fill("14")
    card.get_by_role("row").filter(has=page.get_by_label("Name of stage Demo")).get_by_role(
        "button", name="Save").click()
    expect(page.get_by_text("Saved Demo.")).to_be_visible()
    renewals = Pipeline.objects.get(name="Renewals")
    stages = list(renewals.stages.order_by("order").values_list("name", "probability",
                                                                 "stall_days"))
    assert [s[0] for s in stages] == ["Discovery", "Demo", "Proposal", "Negotiation", "Trial",
                                      "Closed Won", "Closed Lost"]
    assert stages[1][1:] == (Decimal("0.3000"), 14)
    snap(page, "pipelines")


def test_load_more_brings_a_columns_next_cards_under_the_filters(
    browser_page: Page, users: dict[str, Any]
) -> None:
    for n in range(30):
        make_deal(users["rep"], amount="10", stage_name="Demo", name=f"Bulk {n:02}",
                  close=dt.date(2026, 12, 1) + dt.timedelta(days=n))
    make_deal(users["rep_b"], amount="10", stage_name="Demo", name="Not mine")
    page = browser_page
    page.goto(f"/deals/?owner={users['rep'].pk}")
    log_in(page, "rep1")
    column = page.get_by_test_id("column-demo")
    expect(column.get_by_test_id("deal-card")).to_have_count(25)
    expect(page.get_by_test_id("total-demo")).to_have_text("300.00")
    page.get_by_test_id("load-more-demo").click()
    expect(column.get_by_test_id("deal-card")).to_have_count(30)
    expect(column).to_contain_text("Bulk 29")
    expect(column).not_to_contain_text("Not mine")
    expect(page.get_by_test_id("load-more-demo")).to_have_count(0)
    settled(page)  # the loaded cards' move menus listen once htmx has settled them
    page.get_by_label("Move Bulk 29").select_option(label="Proposal")  # a loaded card moves
    expect(page.get_by_test_id("total-proposal")).to_have_text("10.00")

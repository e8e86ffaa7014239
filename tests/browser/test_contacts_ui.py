"""The contacts UI in a real headless Chromium: log in, search, filter, open, edit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.people.lifecycle import contact_transition
from smarketing.people.models import Cause, Contact, Stage
from smarketing.testing.factories import make_company, make_contact
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def ada(users: dict[str, Any]) -> Contact:
    """An SQL owned by rep1 with three stage changes, among a few other contacts."""
    acme = make_company(name="Analytical Engines", domain="engines.example", industry="Software")
    for n, stage in enumerate([Stage.LEAD, Stage.MQL, Stage.LEAD, Stage.CUSTOMER]):
        make_contact(stage, first_name=f"Other{n}", last_name="Person", owner=users["rep_b"])
    contact = make_contact(
        Stage.LEAD, first_name="Ada", last_name="Lovelace", email="ada@engines.example",
        company=acme, owner=users["rep"], title="Head of Research",
    )
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    contact_transition(contact=contact, to_stage=Stage.SQL, cause=Cause.MANUAL,
                       actor=users["rep"], reason="Budget and timing confirmed")
    return contact


def rows(page: Page) -> Any:
    return page.get_by_test_id("contacts-table").locator("tbody tr")


def test_a_rep_logs_in_searches_opens_a_contact_and_reads_its_stage_history(
    browser_page: Page, ada: Contact
) -> None:
    page = browser_page
    page.goto("/contacts/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/contacts/$"))
    snap(page, "login")
    log_in(page, "rep1")
    expect(page).to_have_url(re.compile(r"/contacts/$"))
    expect(page.get_by_text("Sales rep")).to_be_visible()
    expect(rows(page)).to_have_count(5)
    snap(page, "contacts")

    page.get_by_label("Search").fill("lovel")
    expect(rows(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"q=lovel"))
    page.get_by_role("link", name="Ada Lovelace").click()

    expect(page.get_by_test_id("contact-name")).to_have_text("Ada Lovelace")
    expect(page.get_by_test_id("properties")).to_contain_text("ada@engines.example")
    expect(page.get_by_test_id("identities")).to_contain_text("ada@engines.example")
    expect_adas_history(page)
    snap(page, "contact")


def expect_adas_history(page: Page) -> None:
    """The timeline shows Ada's three moves, newest first, with who or what made each."""
    entries = page.get_by_test_id("timeline-entry")
    expect(entries).to_have_count(3)
    expect(entries.nth(0)).to_contain_text(re.compile(r"MQL\s*→\s*SQL"))
    expect(entries.nth(0)).to_contain_text("by rep1")
    expect(entries.nth(0)).to_contain_text("Budget and timing confirmed")
    expect(entries.nth(1)).to_contain_text(re.compile(r"Lead\s*→\s*MQL"))
    expect(entries.nth(1)).to_contain_text("Scoring (automatic)")
    expect(entries.nth(2)).to_contain_text(re.compile(r"Entered as\s*Lead"))


def test_filtering_by_stage_updates_the_table_in_place(browser_page: Page, ada: Contact) -> None:
    page = browser_page
    log_in(page, "marketing")
    page.goto("/contacts/")  # the home page is the shared dashboard
    expect(rows(page)).to_have_count(5)
    page.evaluate("window.__sameDocument = true")

    page.get_by_label("Stage").select_option("lead")
    expect(rows(page)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/contacts/\?(.*&)?stage=lead(&|$)"))
    for n in range(2):
        expect(rows(page).nth(n).locator(".badge")).to_have_text("Lead")
    assert page.evaluate("window.__sameDocument") is True  # htmx swapped, no reload

    page.reload()
    expect(page.get_by_label("Stage")).to_have_value("lead")
    expect(rows(page)).to_have_count(2)


def test_a_bad_filter_shows_an_error_naming_the_field(browser_page: Page, ada: Contact) -> None:
    page = browser_page
    page.goto("/contacts/")  # a rep's home is /work/; log in on the way to the contacts
    log_in(page, "rep1")
    page.get_by_label("Property").fill("no_such_property:1")
    page.get_by_label("Property").press("Enter")
    error = page.get_by_test_id("filter-error")
    expect(error).to_contain_text("Property")
    expect(error).to_contain_text("no property named 'no_such_property'")

    page.get_by_label("Property").fill("")
    page.get_by_label("Property").press("Enter")
    expect(rows(page)).to_have_count(5)


def test_the_owner_edits_a_contact(browser_page: Page, ada: Contact) -> None:
    make_company(name="Difference Engines Ltd", domain="difference.example")
    page = browser_page
    log_in(page, "rep1")
    page.goto(f"/contacts/{ada.pk}/")
    page.get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(rf"/contacts/{ada.pk}/edit/$"))

    page.get_by_label("Job title").fill("Chief Scientist")
    page.get_by_label("Lead status").select_option("connected")
    company = page.get_by_label("Company")
    company.fill("Diff")
    expect(page.locator("#company-options option")).to_have_count(1)
    company.fill("difference.example")
    snap(page, "contact-edit")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(re.compile(rf"/contacts/{ada.pk}/$"))
    expect(page.get_by_role("status")).to_contain_text("Saved Ada Lovelace")
    properties = page.get_by_test_id("properties")
    expect(properties).to_contain_text("Chief Scientist")
    expect(properties).to_contain_text("Connected")
    expect(properties).to_contain_text("Difference Engines Ltd")
    ada.refresh_from_db()
    assert ada.title == "Chief Scientist"


def test_a_form_error_keeps_the_input_and_names_the_field(
    browser_page: Page, ada: Contact
) -> None:
    page = browser_page
    log_in(page, "rep1")
    page.goto(f"/contacts/{ada.pk}/edit/")
    page.get_by_label("Email").fill("not an email")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field.has-error")).to_contain_text("is not a valid address")
    expect(page.get_by_label("Email")).to_have_value("not an email")


def test_another_teams_rep_cannot_edit(browser_page: Page, ada: Contact) -> None:
    page = browser_page
    log_in(page, "rep3")
    page.goto(f"/contacts/{ada.pk}/")
    expect(page.get_by_test_id("contact-name")).to_have_text("Ada Lovelace")
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    response = page.goto(f"/contacts/{ada.pk}/edit/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="You may not do that")).to_be_visible()
    snap(page, "forbidden")


def test_the_owner_recycles_an_sql_with_a_reason(browser_page: Page, ada: Contact) -> None:
    page = browser_page
    log_in(page, "rep1")
    page.goto(f"/contacts/{ada.pk}/")
    actions = page.get_by_test_id("lifecycle-actions")
    actions.get_by_placeholder("Why is it going back to nurture?").fill("No budget this year")
    actions.get_by_role("button", name="Recycle").click()
    expect(page.get_by_role("status")).to_contain_text("Recycled Ada Lovelace")
    entries = page.get_by_test_id("timeline-entry")
    expect(entries).to_have_count(4)
    expect(entries.nth(0)).to_contain_text("No budget this year")


def test_a_company_leads_to_its_contacts(browser_page: Page, ada: Contact) -> None:
    page = browser_page
    log_in(page, "manager")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Companies").click()
    companies = page.get_by_test_id("companies-table").locator("tbody tr")
    expect(companies).to_have_count(1)
    expect(companies.first).to_contain_text("engines.example")
    snap(page, "companies")
    companies.first.get_by_role("link", name="Analytical Engines").click()
    expect(page.get_by_text("Contacts at Analytical Engines")).to_be_visible()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Ada Lovelace")

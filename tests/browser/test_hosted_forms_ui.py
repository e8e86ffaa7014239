"""Hosted forms in a real headless Chromium: marketing defines a form on the source
page, a visitor fills it at its public URL, and the contact is a lead."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from smarketing.people.models import Contact
from smarketing.tracking.services import source_create
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def _new_form(page: Page, users: dict[str, Any], name: str, slug: str, fields: str) -> Locator:
    """Marketing on a new source's page, the New form filled with a name, slug, fields."""
    source, _ = source_create(actor=users["marketing"], name="Website", kind="website")
    page.goto(f"/sources/{source.pk}/")
    log_in(page, "marketing")
    definition = page.get_by_test_id("form-definition")
    definition.get_by_label("Form name").fill(name)
    definition.get_by_label("URL slug").fill(slug)
    definition.get_by_label("Fields").fill(fields)
    return definition


def test_marketing_defines_a_form_and_a_visitor_fills_it(
    browser_page: Page, users: dict[str, Any], live_server: Any
) -> None:
    page = browser_page
    definition = _new_form(page, users, "Get the guide", "guide",
                           "email, Work email, email, required\nfirst_name, First name, text")
    definition.get_by_label("Consent checkbox text").fill("I agree to be contacted.")
    definition.get_by_label("Thank-you text").fill("The guide is yours.")
    definition.get_by_label("Asset to deliver (URL)").fill("https://acme.example/guide.pdf")
    definition.get_by_role("button", name="Create form").click()

    row = page.get_by_test_id("hosted-form-row")
    expect(row).to_contain_text("Get the guide")
    expect(row.get_by_test_id("snippet-form")).to_contain_text('/f/guide/')
    snap(page, "hosted-form-defined")

    page.get_by_test_id("hosted-form-link").click()
    page.get_by_label("Work email").fill("nina@acme.example")
    page.get_by_label("First name").fill("Nina")
    page.get_by_label("I agree to be contacted.").check()
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_test_id("thank-you")).to_have_text("The guide is yours.")
    expect(page.get_by_test_id("asset")).to_have_attribute(
        "href", "https://acme.example/guide.pdf")
    contact = Contact.objects.get(email="nina@acme.example")
    assert (contact.first_name, contact.lifecycle_stage) == ("Nina", "lead")


def test_a_form_without_an_email_field_is_refused_on_the_page(
    browser_page: Page, users: dict[str, Any], live_server: Any
) -> None:
    page = browser_page
    definition = _new_form(page, users, "Broken", "broken", "first_name, First name, text")
    definition.get_by_role("button", name="Create form").click()
    expect(page.get_by_role("alert")).to_contain_text("a form needs an email field")
    expect(page.get_by_test_id("hosted-form-row")).to_have_count(0)

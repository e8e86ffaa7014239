"""The deal page and the home page in a real headless Chromium: a rep edits a deal's
close date and forecast category, adds a champion by email, and clears a task from
their home page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.people.models import Stage
from smarketing.pipeline.models import Activity, Deal
from smarketing.pipeline.services import activity_log
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_a_rep_edits_a_deal_and_adds_a_champion(
    browser_page: Page, users: dict[str, Any]
) -> None:
    deal = make_deal(users["rep"], amount="2000", stage_name="Proposal", name="Looms")
    make_contact(Stage.SQL, first_name="Grace", last_name="Hopper", email="grace@example.com")
    page = browser_page
    page.goto(f"/deals/{deal.pk}/")
    log_in(page, "rep1")
    page.get_by_test_id("deal-edit").locator("summary").click()
    page.get_by_label("Expected close date").fill("2027-02-26")
    page.get_by_label("Forecast category").select_option(label="Commit")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved.")
    expect(page.locator("dl.props")).to_contain_text("Commit (override)")
    expect(page.locator("dl.props")).to_contain_text("Feb 26, 2027")

    form = page.get_by_test_id("deal-contact-form")
    form.get_by_label("Contact email").fill("grace@example.com")
    form.get_by_label("Role").select_option(label="Champion")
    form.get_by_role("button", name="Add contact").click()
    expect(page.get_by_role("status")).to_contain_text("Contact added.")
    expect(page.get_by_role("row", name="Grace Hopper")).to_contain_text("Champion")
    saved = Deal.objects.get(pk=deal.pk)
    assert (saved.expected_close_date, saved.forecast_category_override) == (
        dt.date(2027, 2, 26), "commit")
    snap(page, "deal-edited")


def test_a_reps_open_tasks_are_on_the_home_page_and_done_clears_them(
    browser_page: Page, users: dict[str, Any]
) -> None:
    ada = make_contact(Stage.SQL, first_name="Ada", last_name="Lovelace")
    task = activity_log(actor=users["rep"], kind="task", subject="Send the proposal",
                        contact=ada, due_at=dt.datetime(2026, 1, 5, tzinfo=dt.UTC))
    page = browser_page
    page.goto("/")
    log_in(page, "rep1")
    panel = page.get_by_test_id("home-tasks")
    expect(panel).to_contain_text("Send the proposal")
    expect(panel.locator(".task-overdue")).to_have_count(1)
    panel.get_by_role("button", name="Done").click()
    expect(page.get_by_test_id("home-tasks")).to_have_count(0)
    assert Activity.objects.get(pk=task.pk).done_at is not None

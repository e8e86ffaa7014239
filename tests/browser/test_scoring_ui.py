"""The scoring page in a real headless Chromium: the distribution chart draws, the
live preview counts MQLs under a draft threshold, and a new rule becomes a version."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.testing.factories import make_contact, set_score
from tests.browser.helpers import log_in, settled, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


def test_marketing_previews_a_threshold_and_adds_a_rule(
    browser_page: Page, users: dict[str, Any]
) -> None:
    for score in (10, 35, 65, 80):
        contact = make_contact()
        set_score(contact, score)
    page = browser_page
    page.goto("/scoring/")
    log_in(page, "marketing")
    page.get_by_role("link", name="Scoring").click()
    expect(page.get_by_test_id("active-model")).to_contain_text("Default B2B model v1")
    expect(page.locator("#distribution-chart")).to_have_attribute("data-drawn", "true")

    page.get_by_label("MQL threshold").fill("0")
    expect(page.get_by_test_id("preview-count")).to_have_text("4")
    page.get_by_label("MQL threshold").fill("500")
    expect(page.get_by_test_id("preview-count")).to_have_text("0")

    form = page.get_by_test_id("engagement-form")
    form.get_by_label("Label").fill("Trial")
    form.get_by_label("Event type").select_option("track")
    form.get_by_label("Event name").fill("Trial Started")
    form.get_by_label("Points").fill("30")
    form.get_by_role("button", name="Add engagement rule").click()
    expect(page.get_by_test_id("active-model")).to_contain_text("v2")
    expect(page.get_by_test_id("engagement-rules")).to_contain_text("Trial Started")
    expect(page.get_by_test_id("history")).to_contain_text("added engagement rule 'Trial'")
    snap(page, "scoring")


def test_a_rep_sees_the_score_explained_on_the_contact_page(
    browser_page: Page, users: dict[str, Any]
) -> None:
    from smarketing.scoring.scoring import score_contacts
    from smarketing.scoring.tests.helpers import a_model, event

    a_model(users["marketing"], half_life_days=0, fit=[
        {"label": "Senior title", "field": "title", "operator": "contains", "value": "VP",
         "points": 15}],
        engagement=[{"label": "Form", "event_type": "track", "event_name": "Form Submitted",
                     "points": 50}])
    lead = make_contact(title="VP Sales")
    event(lead, "track", "Form Submitted")
    score_contacts(contact_ids=[lead.pk])
    page = browser_page
    page.goto(f"/contacts/{lead.pk}/")
    log_in(page, "rep1")
    card = page.get_by_test_id("score-explanation")
    expect(card).to_contain_text("Score 65")
    expect(card.get_by_test_id("score-item")).to_have_count(2)
    expect(card.get_by_test_id("score-total")).to_have_text("65")
    snap(page, "contact-score")


def test_marketing_plans_the_threshold_from_a_capacity_typed_in(
    browser_page: Page, users: dict[str, Any]
) -> None:
    for score in (10, 20, 30, 40, 45):
        contact = make_contact()
        set_score(contact, score)
    page = browser_page
    page.goto("/scoring/")
    log_in(page, "marketing")
    plan = page.get_by_test_id("plan")
    plan.get_by_label("Capacity (MQLs per period; blank: the reps' capacities)").fill("2")
    plan.get_by_role("button", name="Plan").click()
    expect(page.get_by_test_id("plan")).to_contain_text("capacity 2 MQLs per 30 days (typed in)")
    expect(page.get_by_test_id("plan-threshold")).to_have_text("35")
    page.get_by_role("button", name="Apply threshold 35").click()
    expect(page.get_by_test_id("active-model")).to_contain_text("v2")
    expect(page.get_by_test_id("history")).to_contain_text(
        "planned from sales capacity 2 per 30 days")


def test_marketing_edits_a_rule_in_place_with_a_live_preview_and_gets_a_version(
    browser_page: Page, users: dict[str, Any]
) -> None:
    from smarketing.scoring.models import FitRule
    from smarketing.scoring.tests.helpers import a_model

    a_model(users["marketing"], threshold=15, fit=[
        {"label": "Senior title", "field": "title", "operator": "contains", "value": "VP",
         "points": 10}])
    for title in ("VP Sales", "VP Marketing", "Engineer"):
        make_contact(title=title)
    rule = FitRule.objects.get(model__is_active=True)
    page = browser_page
    page.goto("/scoring/")
    log_in(page, "marketing")
    page.get_by_test_id(f"fit-edit-{rule.pk}").click()
    form = page.get_by_test_id("rule-edit-form")
    expect(form.get_by_label("Field")).to_have_value("title")
    settled(page)  # htmx listens to the swapped-in form only once it has settled
    expect(form.get_by_label("Value")).to_have_value('"VP"')
    form.get_by_label("Points").fill("20")  # the draft: both VPs reach 15
    expect(page.get_by_test_id("preview-count")).to_have_text("2")
    form.get_by_label("Value").fill("not json")  # the add form's validation
    form.get_by_role("button", name="Save as a new version").click()
    expect(page.get_by_text("value: not JSON")).to_be_visible()
    page.get_by_test_id(f"fit-edit-{rule.pk}").click()
    expect(page.get_by_test_id("rule-edit-form")).to_be_visible()
    settled(page)
    page.get_by_test_id("rule-edit-form").get_by_label("Points").fill("20")
    page.get_by_test_id("rule-edit-form").get_by_role(
        "button", name="Save as a new version").click()
    expect(page.get_by_test_id("active-model")).to_contain_text("v3")
    expect(page.get_by_test_id("fit-rules")).to_contain_text("Senior title")
    expect(page.get_by_test_id("fit-rules").locator("td.num")).to_have_text("20")
    expect(page.get_by_test_id("history")).to_contain_text(f"changed fit rule {rule.pk}")
    snap(page, "scoring-rule-edit")

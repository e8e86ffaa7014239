"""Handoff settings in a real headless Chromium: an admin publishes an SLA version, adds
and reorders routing rules, adds a rejection reason and sets a rep's capacity; a sales
manager edits their team's rule but not the SLA; a rep marks themselves away."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.core.models import Profile
from smarketing.handoff.models import SLA, RejectionReason, RepAvailability, RoutingRule
from smarketing.handoff.tests.helpers import make_rule, make_sla
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def setup(users: dict[str, Any], team: Any) -> dict[str, Any]:
    make_sla(follow_up_hours=8, mql_target=40)
    west = users["rep_other"].profile.team
    return {"west": make_rule(west, 1, name="West accounts", conditions={"region": ["EMEA"]})}


def _names(page: Page) -> list[str]:
    return page.get_by_test_id("rules").locator("td.primary").all_inner_texts()


def test_an_admin_sets_up_the_sla_routing_reasons_and_capacity(
    browser_page: Page, setup: dict[str, Any], users: dict[str, Any]
) -> None:
    page = browser_page
    page.goto("/sla/settings/")
    log_in(page, "admin")
    form = page.get_by_test_id("sla-form")
    form.get_by_label("MQL target").fill("60")
    form.get_by_label("Follow-up hours").fill("4")
    form.get_by_label("Change note").fill("Faster follow-up")
    form.get_by_role("button", name="Publish version").click()
    expect(page.get_by_role("status")).to_contain_text("new SLA version")
    expect(page.get_by_test_id("sla-versions").locator("tr[data-active]")).to_contain_text("v2")
    active = SLA.objects.get(is_active=True)
    assert (active.mql_target, active.follow_up_hours, SLA.objects.count()) == (60, 4, 2)

    page.locator("summary", has_text="Add a rule").click()
    new = page.get_by_test_id("rule-form-new")
    new.get_by_label("Name", exact=True).fill("East enterprise")
    new.get_by_label("Team", exact=True).select_option(label="East")
    new.get_by_label("NA", exact=True).check()
    new.get_by_label("Employees from").fill("1000")
    new.get_by_role("button", name="Add rule").click()
    expect(page.get_by_role("status")).to_contain_text("Routing rule saved")
    assert _names(page) == ["West accounts", "East enterprise"]
    page.get_by_role("button", name="Move East enterprise up").click()
    expect(page.get_by_role("status")).to_contain_text("moved up")
    assert _names(page) == ["East enterprise", "West accounts"]
    rule = RoutingRule.objects.get(name="East enterprise")
    assert (rule.position, rule.conditions) == (1, {"region": ["NA"], "company_size_min": 1000})

    reasons = page.get_by_test_id("reason-form")
    reasons.get_by_label("Code").fill("wrong_language")
    reasons.get_by_label("Label").fill("Wrong language")
    reasons.get_by_role("button", name="Add reason").click()
    expect(page.get_by_test_id("reasons")).to_contain_text("wrong_language")
    assert RejectionReason.objects.get(code="wrong_language").is_active

    page.get_by_label("Capacity of rep1").fill("12")
    page.get_by_label("rep1 is away").check()
    page.get_by_role("button", name="Save rep1").click()
    expect(page.get_by_role("status")).to_contain_text("rep1: away")
    assert Profile.objects.get(user=users["rep"]).capacity == 12
    assert RepAvailability.objects.get(user=users["rep"]).is_away
    snap(page, "handoff-settings")


def test_a_manager_edits_their_team_rule_and_a_rep_marks_themselves_away(
    browser_page: Page, setup: dict[str, Any], users: dict[str, Any], team: Any
) -> None:
    page = browser_page
    make_rule(team, 2, name="East accounts")
    page.goto("/sla/settings/")
    log_in(page, "manager")
    expect(page.get_by_test_id("sla-form")).to_have_count(0)  # the SLA is RevOps'
    expect(page.get_by_role("button", name="Move West accounts down")).to_have_count(0)
    page.locator("summary", has_text="Edit East accounts").click()
    east = RoutingRule.objects.get(name="East accounts")
    edit = page.get_by_test_id(f"rule-form-{east.pk}")
    edit.get_by_label("Countries (comma-separated)").fill("US, CA")
    edit.get_by_role("button", name="Save rule").click()
    expect(page.get_by_role("status")).to_contain_text("Routing rule saved")
    assert RoutingRule.objects.get(name="East accounts").conditions == {"country": ["US", "CA"]}
    page.get_by_role("button", name="Move East accounts up").click()  # past West's rule: no
    expect(page.get_by_role("status")).to_contain_text("Only admins reorder")
    page.get_by_role("button", name="Log out").click()

    page.goto("/inbox/")
    log_in(page, "rep2")
    page.get_by_role("button", name="Mark me away").click()
    expect(page.get_by_test_id("away-badge")).to_be_visible()
    assert RepAvailability.objects.get(user=users["rep_b"]).is_away
    page.get_by_role("button", name="I'm back").click()
    expect(page.get_by_role("button", name="Mark me away")).to_be_visible()

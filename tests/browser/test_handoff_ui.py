"""The handoff in a real headless Chromium: countdown, a call, accept; a rejection with a
reason; the manager's scorecard changes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from smarketing.handoff.models import Assignment
from smarketing.handoff.services import assignment_accept
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def mqls(users: dict[str, Any], team: Any) -> dict[str, Assignment]:
    """Two MQLs routed (after commit, by the lifecycle listener) to rep1 and rep2."""
    make_rule(team)
    make_sla(follow_up_hours=8)
    first = make_mql(first_name="Ada", last_name="Lovelace")
    second = make_mql(first_name="Grace", last_name="Hopper")
    by_rep = {
        a.rep.username: a for a in Assignment.objects.filter(contact__in=[first, second])
    }
    assert set(by_rep) == {"rep1", "rep2"}
    return by_rep


def test_reps_follow_up_and_decide_and_the_manager_sees_the_scorecard_change(
    browser_page: Page, mqls: dict[str, Assignment]
) -> None:
    page = browser_page
    page.goto("/sla/")
    log_in(page, "manager")
    expect(page.get_by_test_id("assigned")).to_have_text("2")
    expect(page.get_by_test_id("acceptance")).to_contain_text("n/a")
    page.get_by_role("button", name="Log out").click()

    mine = mqls["rep1"]
    page.goto("/inbox/")
    log_in(page, "rep1")
    row = page.locator(f'[data-assignment="{mine.pk}"]')
    expect(row.locator("[data-due]")).to_contain_text("left")
    expect(row.locator("[data-overdue-badge]")).to_be_hidden()
    snap(page, "handoff-inbox")
    row.get_by_role("button", name="Log call").click()
    expect(page.get_by_role("status")).to_contain_text("Call logged")
    page.locator(f'[data-assignment="{mine.pk}"]').get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("accepted")
    expect(page.locator(f'[data-assignment="{mine.pk}"]')).to_have_count(0)
    page.get_by_role("button", name="Log out").click()

    theirs = mqls["rep2"]
    page.goto("/inbox/")
    log_in(page, "rep2")
    row = page.locator(f'[data-assignment="{theirs.pk}"]')
    row.get_by_label(f"Rejection reason for {theirs.contact}").select_option("no_budget")
    row.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_contain_text("rejected")
    page.get_by_role("button", name="Log out").click()

    page.goto("/sla/")
    log_in(page, "manager")
    expect(page.get_by_test_id("acceptance")).to_contain_text("50 %")
    expect(page.get_by_test_id("reasons")).to_contain_text("No budget")
    expect(page.get_by_test_id("reasons-by-source")).to_contain_text("no_budget (1)")
    snap(page, "handoff-scorecard")


def test_a_rep_deciding_an_mql_someone_already_decided_gets_a_conflict_message(
    browser_page: Page, mqls: dict[str, Assignment], users: dict[str, Any]
) -> None:
    page = browser_page
    mine = mqls["rep1"]
    page.goto("/inbox/")
    log_in(page, "rep1")
    row = page.locator(f'[data-assignment="{mine.pk}"]')
    expect(row).to_be_visible()
    assignment_accept(assignment=mine, actor=users["manager"])  # meanwhile, in another tab
    row.get_by_label(f"Rejection reason for {mine.contact}").select_option("no_budget")
    row.get_by_role("button", name="Reject").click()
    expect(page.get_by_role("status")).to_contain_text("already accepted by manager")
    mine.refresh_from_db()
    assert (mine.outcome, mine.reason) == ("accepted", None)

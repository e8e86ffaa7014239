"""Dashboards in a real headless Chromium: the shared dashboard is home, the period
changes, a number clicks through to the records behind it; the marketing, sales and
journey dashboards draw their charts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from smarketing.people.models import Stage
from smarketing.pipeline.services import deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact
from tests.browser.helpers import log_in, snap

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]


@pytest.fixture
def history(users: dict[str, Any]) -> dict[str, int]:
    """MQLs this month (3) and last month (1), and a deal won this month."""
    now = timezone.now()
    last_month = now.replace(day=1) - dt.timedelta(days=3)
    for _ in range(3):
        make_contact(Stage.MQL, at=now - dt.timedelta(minutes=30))
    make_contact(Stage.MQL, at=last_month)
    contact = make_contact(Stage.SQL, at=now - dt.timedelta(minutes=40))
    deal = make_deal(users["rep"], amount="1200.00", contacts=[contact],
                     at=now - dt.timedelta(minutes=20))
    deal_win(deal=deal, actor=users["rep"], at=now - dt.timedelta(minutes=10))
    return {"this_month": 4, "last_month": 1}  # the SQL counts as an MQL too


def test_the_shared_dashboard_changes_period_and_drills_down_to_the_records(
    browser_page: Page, history: dict[str, int]
) -> None:
    page = browser_page
    page.goto("/")
    log_in(page, "manager")
    expect(page.get_by_role("heading", name="Smarketing dashboard")).to_be_visible()
    expect(page.get_by_test_id("kpi-mqls")).to_have_text(str(history["this_month"]))
    snap(page, "dashboard-shared")

    page.get_by_label("Period", exact=True).select_option("last-month")
    expect(page.get_by_test_id("kpi-mqls")).to_have_text(str(history["last_month"]))
    page.get_by_label("Period", exact=True).select_option("this-month")
    expect(page.get_by_test_id("kpi-mqls")).to_have_text(str(history["this_month"]))

    page.get_by_test_id("kpi-mqls").click()
    expect(page.get_by_role("heading", name="MQLs: the records behind the number")).to_be_visible()
    expect(page.get_by_test_id("records-count")).to_have_text(str(history["this_month"]))
    expect(page.get_by_test_id("records").locator("tbody tr")).to_have_count(
        history["this_month"])
    snap(page, "dashboard-records")


@pytest.mark.parametrize(("tab", "chart"), [
    ("Marketing", "#chart-trend-new_leads"),
    ("Sales", "#chart-trend-sales_revenue"),
    ("Customer journey", "#chart-phases"),
])
def test_each_dashboard_draws_its_charts(
    browser_page: Page, history: dict[str, int], tab: str, chart: str
) -> None:
    page = browser_page
    page.goto("/dashboards/")
    log_in(page, "marketing")
    tabs = page.get_by_role("navigation", name="Dashboards")
    tabs.get_by_role("link", name=tab, exact=True).click()
    expect(page.locator(f'{chart}[data-drawn="true"]')).to_be_visible()
    snap(page, f"dashboard-{tab.split()[0].lower()}")


def test_a_forecast_amount_and_a_cohort_rate_click_through_to_their_records(
    browser_page: Page, history: dict[str, int]
) -> None:
    page = browser_page
    page.goto("/dashboards/sales/")
    log_in(page, "manager")
    forecast = page.get_by_test_id("table-forecast")
    forecast.get_by_role("row", name="Closed won").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Forecast: Closed won: the records behind the number")
           ).to_be_visible()
    expect(page.get_by_test_id("records-total")).to_have_text("1,200.00")
    page.goto("/dashboards/marketing/")
    page.get_by_test_id("cohort-lead_to_mql_rate").click()
    expect(page.get_by_role("heading", name="Lead-to-MQL rate (cohort view): the records "
                                            "behind the number")).to_be_visible()
    expect(page.get_by_test_id("records-count")).to_have_text("8")  # 4 in the cohort, 4 reached

"""The scorecard computes KPI.md's alignment KPIs on hand-built assignments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.core.periods import Period
from smarketing.handoff.models import SLA, SlaPeriod, WorkingCalendar
from smarketing.handoff.routing import route_mql
from smarketing.handoff.scorecard import prorated_target, scorecard
from smarketing.handoff.services import assignment_accept, assignment_reject, follow_up_log
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.pipeline.services import activity_log

pytestmark = pytest.mark.django_db
UTC = dt.UTC
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))


def at(day: int, hour: int = 12) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def _assign(when: dt.datetime, **fields: Any) -> Any:
    with time_machine.travel(when, tick=False):
        return route_mql(contact_id=make_mql(at=when, **fields).pk)


def test_the_target_is_prorated_over_partial_sla_periods() -> None:
    monthly = SLA(mql_target=310, period=SlaPeriod.MONTH)
    assert prorated_target(monthly, MARCH) == 310
    assert prorated_target(monthly, Period(dt.date(2026, 3, 1), dt.date(2026, 3, 11))) == 100
    weekly = SLA(mql_target=70, period=SlaPeriod.WEEK)
    # Wed 4 March to Wed 11 March: 5 days of one week and 2 of the next.
    assert prorated_target(weekly, Period(dt.date(2026, 3, 4), dt.date(2026, 3, 11))) == 70
    quarterly = SLA(mql_target=900, period=SlaPeriod.QUARTER)
    assert prorated_target(quarterly, MARCH) == Decimal(900) * 31 / 90


@pytest.fixture
def march(users: dict[str, Any], team: Any) -> dict[str, Any]:
    """Four MQLs assigned in March with an 8-hour SLA (target 31 a month)."""
    make_rule(team)
    make_sla(follow_up_hours=8, mql_target=31, period=SlaPeriod.MONTH)
    made = {name: _assign(at(day)) for name, day in (("a", 2), ("b", 3), ("c", 4), ("d", 5))}
    made["a"].contact.original_campaign = "spring-webinar"
    made["a"].contact.original_source = "paid_search"
    made["a"].contact.save()
    with time_machine.travel(at(2, 14), tick=False):  # 2 h: in time
        follow_up_log(assignment=made["a"], actor=made["a"].rep, kind="call")
    with time_machine.travel(at(3, 23), tick=False):  # 11 h: late
        follow_up_log(assignment=made["b"], actor=made["b"].rep, kind="email")
    assignment_accept(assignment=made["b"], actor=made["b"].rep, at=at(6))
    assignment_reject(assignment=made["a"], actor=made["a"].rep, reason="no_budget", at=at(6))
    return made


def test_the_scorecard_shows_both_sides_of_the_sla(march: dict[str, Any]) -> None:
    card = scorecard(MARCH, now=at(4, 22))  # c (due 4 March 20:00) is overdue, d not yet assigned
    sales = card["sales"]
    assert sales["assigned"] == 4
    # measurable: a (in time), b (late), c (deadline passed); d's deadline is in the future
    assert sales["follow_up_compliance"] == Decimal("0.3333")
    assert sales["median_response_hours"] == 6.5  # median of 2 h and 11 h
    assert sales["sla_breaches"] == 2  # b late, c overdue
    [rep] = sales["open_breaches"]
    assert [item["assignment_id"] for item in rep["items"]] == [march["c"].pk]
    assert rep["items"][0]["hours_overdue"] == 2.0


def test_the_marketing_side_projects_a_running_period_to_its_end(march: dict[str, Any]) -> None:
    card = scorecard(MARCH, now=at(11, 0))  # 10 of 31 days elapsed, 4 MQLs
    marketing = card["marketing"]
    assert (marketing["mqls"], marketing["mql_target"]) == (4, Decimal("31.00"))
    assert marketing["mql_target_attainment"] == Decimal("0.1290")
    assert marketing["projected_mqls"] == 12  # 4 x 31 / 10 = 12.4
    assert marketing["projected_attainment"] == Decimal("0.3871")


def test_decisions_in_the_period_give_acceptance_and_reasons_by_campaign_and_source(
    march: dict[str, Any],
) -> None:
    decisions = scorecard(MARCH, now=at(20))["decisions"]
    assert (decisions["accepted"], decisions["rejected"]) == (1, 1)
    assert decisions["mql_acceptance_rate"] == Decimal("0.5000")
    reasons = decisions["rejection_reasons"]
    assert reasons["total"] == [{"code": "no_budget", "label": "No budget", "count": 1}]
    assert reasons["by_campaign"] == [
        {"key": "spring-webinar", "count": 1, "reasons": {"no_budget": 1}}
    ]
    assert reasons["by_source"][0]["key"] == "paid_search"


def test_an_empty_period_gives_n_a_not_zero(users: dict[str, Any]) -> None:
    card = scorecard(Period(dt.date(2025, 1, 1), dt.date(2025, 2, 1)), now=at(1))
    assert card["marketing"]["mql_target_attainment"] is None
    assert card["sales"]["follow_up_compliance"] is None
    assert card["decisions"]["mql_acceptance_rate"] is None


def test_the_median_response_runs_on_the_sla_clock_business_hours_with_a_calendar(
    users: dict[str, Any], team: Any
) -> None:
    office = WorkingCalendar.objects.create(name="Office", working_days=[0, 1, 2, 3, 4])
    make_rule(team)
    make_sla(follow_up_hours=8, calendar=office)
    friday = _assign(dt.datetime(2026, 3, 6, 16, 0, tzinfo=UTC))  # Fri 16:00, 1 h before closing
    assert friday.due_at == dt.datetime(2026, 3, 9, 16, 0, tzinfo=UTC)  # Mon 16:00
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, 0, tzinfo=UTC), tick=False):
        follow_up_log(assignment=friday, actor=friday.rep, kind="call")  # Mon 10:00
    sales = scorecard(MARCH, now=at(20))["sales"]
    assert sales["median_response_hours"] == 2.0  # Fri 16-17 and Mon 9-10: within the 8 h
    assert sales["median_response_elapsed_hours"] == 66.0
    assert sales["follow_up_compliance"] == Decimal("1.0000")


def test_the_target_follows_the_sla_version_in_force_each_day(users: dict[str, Any]) -> None:
    make_sla(version=1, mql_target=31, created_at=dt.datetime(2026, 1, 1, tzinfo=UTC))
    make_sla(version=2, mql_target=62, created_at=dt.datetime(2026, 3, 11, 9, tzinfo=UTC))
    # 10 March days at 31 a month, then 21 days at 62 a month
    assert scorecard(MARCH, now=at(31))["marketing"]["mql_target"] == Decimal("52.00")
    before = Period(dt.date(2025, 12, 1), dt.date(2026, 1, 1))
    assert scorecard(before, now=at(31))["marketing"]["mql_target"] is None


def test_an_activity_after_the_decision_is_not_the_follow_up_of_that_assignment(
    march: dict[str, Any],
) -> None:
    rejected = march["c"]
    assignment_reject(assignment=rejected, actor=rejected.rep, reason="no_budget", at=at(4, 13))
    later = at(4, 14)  # after the rejection, still before c's deadline (20:00)
    activity_log(actor=rejected.rep, kind="call", subject="Nurture", at=later,
                 contact=rejected.contact)
    card = scorecard(MARCH, now=at(20))
    assert card["sales"]["sla_breaches"] == 3  # b late, c and d never followed up

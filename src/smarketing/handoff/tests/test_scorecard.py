"""The scorecard computes KPI.md's alignment KPIs on hand-built assignments."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.handoff.models import SLA, SlaPeriod
from smarketing.handoff.routing import route_mql
from smarketing.handoff.scorecard import Period, prorated_target, scorecard
from smarketing.handoff.services import assignment_accept, assignment_reject, follow_up_log
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla

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

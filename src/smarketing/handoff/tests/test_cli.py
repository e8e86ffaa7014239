"""`smarketing sla`: check notifies once and lists open breaches; scorecard; route."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command

from smarketing.core.models import Notification
from smarketing.handoff.models import Assignment
from smarketing.handoff.routing import route_mql
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla

pytestmark = pytest.mark.django_db
NOON = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def _sla(*args: str) -> str:
    out = StringIO()
    call_command("sla", *args, stdout=out)
    return out.getvalue()


def test_check_notifies_a_breach_once_and_lists_it_by_rep(
    users: dict[str, Any], team: Any
) -> None:
    make_rule(team)
    make_sla(follow_up_hours=8)
    with time_machine.travel(NOON, tick=False):
        assignment = route_mql(contact_id=make_mql(first_name="Ada", last_name="Late").pk)
    with time_machine.travel(NOON + dt.timedelta(hours=7), tick=False):  # 6 h = 75 % of 8 h
        warned = _sla("check")
    with time_machine.travel(NOON + dt.timedelta(hours=10), tick=False):
        first = _sla("check")
        again = _sla("check")
    assert warned.startswith("1 warnings and breaches notified now") and "no open breach" in warned
    assert first.startswith("1 warnings and breaches notified now")  # the breach
    assert again.startswith("0 warnings and breaches notified now")
    assert f"{assignment.rep.username}: 1 open breaches" in first and "2.0 h overdue" in first
    kinds = Notification.objects.filter(user=assignment.rep).values_list("kind", flat=True)
    assert sorted(kinds) == ["mql.assigned", "sla.breached", "sla.warning"]


def test_scorecard_and_route(users: dict[str, Any], team: Any) -> None:
    make_sla(mql_target=31)
    with time_machine.travel(NOON, tick=False):
        contact = make_mql()  # no rule yet: stays unrouted
        assert not Assignment.objects.filter(contact=contact).exists()
        make_rule(team)
        assert _sla("route").startswith("routed 1 MQLs; 0 still unrouted")
        card = _sla("scorecard", "--period", "2026-03-01..2026-04-01")
    assert "marketing: 1 MQLs of 31.00 (3.2%)" in card and "sales: 1 assigned" in card
    with pytest.raises(CommandError, match="--period"):
        _sla("scorecard", "--period", "someday")

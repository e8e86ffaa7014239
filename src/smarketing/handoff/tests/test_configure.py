"""Who sets up the handoff: admins own the SLA, calendars and reasons; sales managers
route their own team's MQLs and set their reps' capacity; reps mark themselves away."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.core.errors import PermissionDenied, ValidationFailed
from smarketing.core.models import Profile
from smarketing.handoff.configure import (
    calendar_save,
    reason_save,
    rep_routing_set,
    routing_rule_move,
)
from smarketing.handoff.models import RejectionReason, RoutingRule
from smarketing.handoff.routing import available_reps
from smarketing.handoff.services import routing_rule_save
from smarketing.handoff.tests.helpers import make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(users: dict[str, Any], team: Any) -> dict[str, RoutingRule]:
    west = users["rep_other"].profile.team
    return {
        "east": make_rule(team, 1, name="East accounts", conditions={"region": ["NA"]}),
        "west": make_rule(west, 2, name="West accounts", conditions={"region": ["EMEA"]}),
        "east_late": make_rule(team, 3, name="East catch-all"),
    }


def _order() -> list[str]:
    return list(RoutingRule.objects.order_by("position").values_list("name", flat=True))


def test_an_admin_reorders_any_rule(users: dict[str, Any], rules: dict[str, Any]) -> None:
    routing_rule_move(actor=users["admin"], rule=rules["east_late"], direction="up")
    assert _order() == ["East accounts", "East catch-all", "West accounts"]
    with pytest.raises(ValidationFailed) as error:
        routing_rule_move(actor=users["admin"], rule=rules["east"], direction="up")
    assert error.value.field == "direction"


def test_a_manager_cannot_move_a_rule_past_another_teams_rule(
    users: dict[str, Any], rules: dict[str, Any]
) -> None:
    with pytest.raises(PermissionDenied):
        routing_rule_move(actor=users["manager"], rule=rules["east_late"], direction="up")
    assert _order() == ["East accounts", "West accounts", "East catch-all"]


def test_a_manager_edits_the_rules_of_their_team_only(
    users: dict[str, Any], rules: dict[str, Any], team: Any
) -> None:
    routing_rule_save(actor=users["manager"], rule=rules["east"], conditions={"country": ["US"]})
    assert RoutingRule.objects.get(pk=rules["east"].pk).conditions == {"country": ["US"]}
    created = routing_rule_save(actor=users["manager"], name="East SMB", team_id=team.pk)
    assert created.position == 4
    with pytest.raises(PermissionDenied):
        routing_rule_save(actor=users["manager"], rule=rules["west"], name="Mine now")
    with pytest.raises(PermissionDenied):  # nor hand their rule to another team
        routing_rule_save(actor=users["manager"], rule=rules["east"],
                          team_id=rules["west"].team_id)
    with pytest.raises(PermissionDenied):
        routing_rule_save(actor=users["rep"], name="Rep rule", team_id=team.pk)


def test_capacity_and_away_decide_who_routing_picks(users: dict[str, Any], team: Any) -> None:
    rep, rep_b = users["rep"], users["rep_b"]
    state = rep_routing_set(actor=users["manager"], user=rep, capacity=5)
    assert state == {"user_id": rep.pk, "capacity": 5, "is_away": False}
    rep_routing_set(actor=rep_b, user=rep_b, is_away=True)
    assert [(user.username, weight) for user, weight in available_reps(team)] == [("rep1", 5)]
    with pytest.raises(PermissionDenied):  # a rep does not set their own capacity
        rep_routing_set(actor=rep, user=rep, capacity=500)
    with pytest.raises(PermissionDenied):  # nor another team's manager... or rep
        rep_routing_set(actor=users["rep_other"], user=rep, is_away=True)
    with pytest.raises(ValidationFailed) as error:
        rep_routing_set(actor=users["admin"], user=rep, capacity=-1)
    assert error.value.field == "capacity"
    assert Profile.objects.get(user=rep).capacity == 5


def test_admins_manage_the_rejection_reasons(users: dict[str, Any], team: Any) -> None:
    make_rule(team)  # seeds the default reasons
    added = reason_save(actor=users["admin"], code="wrong_language", label="Wrong language")
    assert added.position == RejectionReason.objects.count()
    other = RejectionReason.objects.get(code="competitor")
    reason_save(actor=users["admin"], reason=other, label="Competitor", is_active=False)
    assert not RejectionReason.objects.get(code="competitor").is_active
    with pytest.raises(ValidationFailed) as error:
        reason_save(actor=users["admin"], code="Bad Code!", label="x")
    assert error.value.field == "code"
    with pytest.raises(ValidationFailed):
        reason_save(actor=users["admin"], code="wrong_language", label="Again")
    with pytest.raises(PermissionDenied):
        reason_save(actor=users["manager"], code="mine", label="Mine")


def test_a_calendar_is_checked_before_it_is_saved(users: dict[str, Any]) -> None:
    values: dict[str, Any] = {
        "name": "Paris office", "time_zone": "Europe/Paris", "working_days": [0, 1, 2, 3, 4],
        "day_start": dt.time(9), "day_end": dt.time(18),
        "holidays": [(dt.date(2026, 5, 1), "Labour Day")],
    }
    calendar = calendar_save(actor=users["admin"], **values)
    assert calendar.spec().holidays == {dt.date(2026, 5, 1)}
    for field, bad in (("time_zone", "Mars/Olympus"), ("day_end", dt.time(8)),
                       ("working_days", [])):
        with pytest.raises(ValidationFailed) as error:
            calendar_save(actor=users["admin"], calendar=calendar, **{**values, field: bad})
        assert error.value.field == field
    with pytest.raises(PermissionDenied):
        calendar_save(actor=users["manager"], **{**values, "name": "Other"})

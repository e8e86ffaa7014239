"""The lifecycle state machine: every rule of docs/lifecycle.md, with frozen time."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
import time_machine

from smarketing.core.errors import DomainError, TransitionRefused
from smarketing.core.models import Role
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import (
    ORDERED_STAGES,
    Cause,
    Contact,
    LeadStatus,
    Stage,
    StageChange,
    stage_rank,
)
from smarketing.people.services import contact_create
from smarketing.testing.factories import make_contact, make_user

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
pytestmark = pytest.mark.django_db


def state(contact: Contact) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Everything a refused move must leave untouched."""
    row = Contact.objects.filter(pk=contact.pk).values().get()
    history = list(StageChange.objects.filter(contact=contact).order_by("id").values())
    return row, history


def refused(contact: Contact, field: str, move: Any) -> TransitionRefused:
    """Run `move`, expect a refusal naming `field`, and check nothing was written."""
    before = state(contact)
    with pytest.raises(TransitionRefused) as err:
        move()
    assert err.value.field == field, err.value.message
    assert err.value.message.startswith(f"{field}: ")
    assert state(contact) == before
    return err.value



@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    return {
        "admin": make_user(Role.ADMIN),
        "marketing": make_user(Role.MARKETING),
        "manager": make_user(Role.SALES_MANAGER),
        "rep": make_user(Role.SALES_REP),
    }


# --- forward moves -------------------------------------------------------------


def test_it_moves_a_lead_to_mql_by_scoring_and_records_history() -> None:
    with time_machine.travel(T0, tick=False):
        contact = make_contact(Stage.LEAD)
    with time_machine.travel(T0 + dt.timedelta(days=3), tick=False):
        change = contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    contact.refresh_from_db()
    assert change is not None and change.from_stage == Stage.LEAD
    assert change.at == T0 + dt.timedelta(days=3) and change.cause == Cause.SCORING
    assert change.actor is None
    assert contact.lifecycle_stage == Stage.MQL
    assert contact.became_mql_at == T0 + dt.timedelta(days=3)
    assert contact.became_lead_at == T0


@pytest.mark.parametrize(
    ("start", "to_stage", "cause"),
    [
        (Stage.SUBSCRIBER, Stage.LEAD, Cause.TRACKING),
        (Stage.SUBSCRIBER, Stage.LEAD, Cause.IMPORT),
        (Stage.LEAD, Stage.MQL, Cause.SCORING),
        (Stage.LEAD, Stage.MQL, Cause.IMPORT),
        (Stage.MQL, Stage.SQL, Cause.IMPORT),
        (Stage.SQL, Stage.OPPORTUNITY, Cause.PIPELINE),
        (Stage.SQL, Stage.OPPORTUNITY, Cause.IMPORT),
        (Stage.OPPORTUNITY, Stage.CUSTOMER, Cause.PIPELINE),
        (Stage.OPPORTUNITY, Stage.CUSTOMER, Cause.IMPORT),
        (Stage.CUSTOMER, Stage.EVANGELIST, Cause.IMPORT),
        (Stage.LEAD, Stage.OTHER, Cause.IMPORT),
    ],
)
def test_it_moves_forward_by_each_allowed_system_cause(
    start: str, to_stage: str, cause: str
) -> None:
    contact = make_contact(start, at=T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        change = contact_transition(contact=contact, to_stage=to_stage, cause=cause)
    contact.refresh_from_db()
    assert change is not None
    assert (change.from_stage, change.to_stage, change.cause) == (start, to_stage, cause)
    assert change.at == T0 + HOUR
    assert contact.lifecycle_stage == to_stage
    if to_stage != Stage.OTHER:
        assert contact.reached_at(to_stage) == T0 + HOUR
    assert contact.reached_at(start) == T0


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_it_lets_sales_accept_an_mql_through_the_handoff(
    people: dict[str, Any], role: str
) -> None:
    contact = make_contact(Stage.MQL, at=T0)
    change = contact_transition(
        contact=contact, to_stage=Stage.SQL, cause=Cause.HANDOFF, actor=people[role],
        at=T0 + HOUR,
    )
    contact.refresh_from_db()
    assert change is not None and change.actor == people[role]
    assert contact.lifecycle_stage == Stage.SQL and contact.became_sql_at == T0 + HOUR


@pytest.mark.parametrize("actor", [None, "marketing"])
def test_it_refuses_a_handoff_accept_without_a_sales_user(
    people: dict[str, Any], actor: str | None
) -> None:
    contact = make_contact(Stage.MQL, at=T0)
    refused(contact, "actor", lambda: contact_transition(
        contact=contact, to_stage=Stage.SQL, cause=Cause.HANDOFF,
        actor=people[actor] if actor else None,
    ))


@pytest.mark.parametrize(
    ("start", "to_stage", "cause"),
    [
        (Stage.SUBSCRIBER, Stage.LEAD, Cause.SCORING),
        (Stage.SUBSCRIBER, Stage.LEAD, Cause.PIPELINE),
        (Stage.LEAD, Stage.MQL, Cause.TRACKING),
        (Stage.LEAD, Stage.MQL, Cause.PIPELINE),
        (Stage.MQL, Stage.SQL, Cause.SCORING),
        (Stage.MQL, Stage.SQL, Cause.TRACKING),
        (Stage.SQL, Stage.OPPORTUNITY, Cause.HANDOFF),
        (Stage.SQL, Stage.OPPORTUNITY, Cause.SCORING),
        (Stage.OPPORTUNITY, Stage.CUSTOMER, Cause.TRACKING),
        (Stage.CUSTOMER, Stage.EVANGELIST, Cause.PIPELINE),
        (Stage.LEAD, Stage.OTHER, Cause.SCORING),
        (Stage.LEAD, Stage.MQL, Cause.RECYCLE),
        (Stage.LEAD, Stage.MQL, Cause.MERGE),
        (Stage.LEAD, Stage.MQL, "telepathy"),
    ],
)
def test_it_refuses_a_cause_that_may_not_move_a_contact_there(
    start: str, to_stage: str, cause: str
) -> None:
    contact = make_contact(start, at=T0)
    refused(contact, "cause", lambda: contact_transition(
        contact=contact, to_stage=to_stage, cause=cause, at=T0 + HOUR
    ))


@pytest.mark.parametrize(
    ("start", "to_stage", "role"),
    [
        (Stage.SUBSCRIBER, Stage.LEAD, "marketing"),
        (Stage.SUBSCRIBER, Stage.LEAD, "rep"),
        (Stage.SUBSCRIBER, Stage.LEAD, "manager"),
        (Stage.SUBSCRIBER, Stage.LEAD, "admin"),
        (Stage.LEAD, Stage.MQL, "marketing"),
        (Stage.LEAD, Stage.MQL, "admin"),
        (Stage.MQL, Stage.SQL, "rep"),
        (Stage.MQL, Stage.SQL, "manager"),
        (Stage.MQL, Stage.SQL, "admin"),
        (Stage.LEAD, Stage.SQL, "rep"),
        (Stage.CUSTOMER, Stage.EVANGELIST, "marketing"),
        (Stage.CUSTOMER, Stage.EVANGELIST, "rep"),
        (Stage.SQL, Stage.OTHER, "rep"),
        (Stage.LEAD, Stage.OTHER, "marketing"),
    ],
)
def test_it_lets_these_roles_move_a_contact_by_hand(
    people: dict[str, Any], start: str, to_stage: str, role: str
) -> None:
    contact = make_contact(start, at=T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        change = contact_transition(
            contact=contact, to_stage=to_stage, cause=Cause.MANUAL, actor=people[role],
            reason="spoke to them",
        )
    contact.refresh_from_db()
    assert change is not None
    assert (change.actor, change.cause, change.reason) == (people[role], Cause.MANUAL,
                                                           "spoke to them")
    assert contact.lifecycle_stage == to_stage


@pytest.mark.parametrize(
    ("start", "to_stage", "role"),
    [
        (Stage.LEAD, Stage.MQL, "rep"),
        (Stage.LEAD, Stage.MQL, "manager"),
        (Stage.MQL, Stage.SQL, "marketing"),
        (Stage.LEAD, Stage.SQL, "marketing"),
    ],
)
def test_it_refuses_a_hand_move_by_a_role_that_may_not_make_it(
    people: dict[str, Any], start: str, to_stage: str, role: str
) -> None:
    contact = make_contact(start, at=T0)
    error = refused(contact, "actor", lambda: contact_transition(
        contact=contact, to_stage=to_stage, cause=Cause.MANUAL, actor=people[role]
    ))
    assert role_name(people[role]) in error.message


def role_name(user: Any) -> str:
    return str(user.profile.role)


@pytest.mark.parametrize(
    ("start", "to_stage"),
    [
        (Stage.SQL, Stage.OPPORTUNITY),
        (Stage.OPPORTUNITY, Stage.CUSTOMER),
        (Stage.LEAD, Stage.CUSTOMER),
        (Stage.LEAD, Stage.SUBSCRIBER),
    ],
)
@pytest.mark.parametrize("role", ["admin", "marketing", "manager", "rep"])
def test_nobody_moves_a_contact_by_hand_where_only_the_system_may(
    people: dict[str, Any], start: str, to_stage: str, role: str
) -> None:
    contact = make_contact(start, at=T0)
    field = "to_stage" if stage_rank(to_stage) < stage_rank(start) else "cause"
    refused(contact, field, lambda: contact_transition(
        contact=contact, to_stage=to_stage, cause=Cause.MANUAL, actor=people[role]
    ))


def test_it_refuses_a_hand_move_without_a_signed_in_user() -> None:
    contact = make_contact(Stage.SUBSCRIBER, at=T0)
    refused(contact, "actor", lambda: contact_transition(
        contact=contact, to_stage=Stage.LEAD, cause=Cause.MANUAL, actor=None
    ))


def test_it_refuses_an_unknown_stage() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    refused(contact, "to_stage", lambda: contact_transition(
        contact=contact, to_stage="champion", cause=Cause.IMPORT
    ))


def test_it_creates_a_contact_only_by_an_allowed_cause(people: dict[str, Any]) -> None:
    with pytest.raises(TransitionRefused) as err:
        contact_create(actor=None, stage=Stage.CUSTOMER, cause=Cause.MANUAL, email="a@b.co")
    assert err.value.field == "cause"
    assert not Contact.objects.exists() and not StageChange.objects.exists()


# --- backward moves, recycling -----------------------------------------------------

BACKWARD = [
    (later, earlier)
    for i, later in enumerate(ORDERED_STAGES)
    for earlier in ORDERED_STAGES[:i]
]


@pytest.mark.parametrize(("start", "to_stage"), BACKWARD)
def test_it_refuses_every_backward_move_and_writes_nothing(start: str, to_stage: str) -> None:
    contact = make_contact(start, at=T0)
    error = refused(contact, "to_stage", lambda: contact_transition(
        contact=contact, to_stage=to_stage, cause=Cause.IMPORT, at=T0 + HOUR
    ))
    assert "only recycle" in error.message


@pytest.mark.parametrize("start", [Stage.MQL, Stage.SQL])
@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_it_recycles_a_rejected_mql_or_sql_keeping_first_reached_times(
    people: dict[str, Any], start: str, role: str
) -> None:
    contact = make_contact(start, at=T0)
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        change = contact_recycle(contact=contact, actor=people[role], reason="  No budget ")
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.LEAD
    assert contact.lead_status == LeadStatus.RECYCLED
    assert contact.lead_status_reason == "No budget"
    assert contact.became_mql_at == T0 and contact.reached_at(start) == T0
    assert (change.from_stage, change.to_stage, change.cause) == (start, Stage.LEAD,
                                                                  Cause.RECYCLE)
    assert (change.actor, change.reason, change.at) == (people[role], "No budget",
                                                        T0 + 2 * HOUR)


def test_a_recycled_lead_can_qualify_again_without_moving_its_first_mql_time(
    people: dict[str, Any],
) -> None:
    contact = make_contact(Stage.MQL, at=T0)
    contact_recycle(contact=contact, actor=people["rep"], reason="Timing", at=T0 + HOUR)
    contact_transition(
        contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING, at=T0 + 5 * HOUR
    )
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.MQL and contact.became_mql_at == T0
    to_stages = list(contact.stage_changes.values_list("to_stage", flat=True))
    assert to_stages == [Stage.MQL, Stage.LEAD, Stage.MQL]


@pytest.mark.parametrize(
    "start",
    [Stage.SUBSCRIBER, Stage.LEAD, Stage.OPPORTUNITY, Stage.CUSTOMER, Stage.EVANGELIST,
     Stage.OTHER],
)
def test_it_recycles_only_an_mql_or_sql(people: dict[str, Any], start: str) -> None:
    contact = make_contact(start, at=T0)
    refused(contact, "lifecycle_stage", lambda: contact_recycle(
        contact=contact, actor=people["rep"], reason="No budget"
    ))


@pytest.mark.parametrize("reason", ["", "   "])
def test_it_refuses_to_recycle_without_a_reason(people: dict[str, Any], reason: str) -> None:
    contact = make_contact(Stage.MQL, at=T0)
    refused(contact, "reason", lambda: contact_recycle(
        contact=contact, actor=people["rep"], reason=reason
    ))


@pytest.mark.parametrize("actor", [None, "marketing"])
def test_only_sales_and_admins_recycle(people: dict[str, Any], actor: str | None) -> None:
    contact = make_contact(Stage.SQL, at=T0)
    refused(contact, "actor", lambda: contact_recycle(
        contact=contact, actor=people[actor] if actor else None, reason="No budget"
    ))


# --- idempotency and time ------------------------------------------------------------


def test_it_is_idempotent_for_the_same_stage() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    before = state(contact)
    with time_machine.travel(T0 + HOUR, tick=False):
        assert contact_transition(
            contact=contact, to_stage=Stage.LEAD, cause=Cause.TRACKING
        ) is None
    assert state(contact) == before


def test_it_is_idempotent_even_when_the_cause_could_not_have_moved_it_there(
    people: dict[str, Any],
) -> None:
    contact = make_contact(Stage.CUSTOMER, at=T0)
    before = state(contact)
    assert contact_transition(
        contact=contact, to_stage=Stage.CUSTOMER, cause=Cause.MANUAL, actor=people["rep"]
    ) is None
    assert state(contact) == before


def test_it_refuses_a_move_dated_before_the_last_change() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    refused(contact, "at", lambda: contact_transition(
        contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING, at=T0 - dt.timedelta(seconds=1)
    ))


def test_it_refuses_a_recycle_dated_before_the_last_change(people: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL, at=T0)
    refused(contact, "at", lambda: contact_recycle(
        contact=contact, actor=people["rep"], reason="No budget", at=T0 - HOUR
    ))


def test_it_accepts_a_move_at_the_same_instant_as_the_last_change() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING, at=T0)
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.MQL and contact.became_mql_at == T0


def test_it_dates_a_move_now_when_no_time_is_given() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    with time_machine.travel(T0 + dt.timedelta(days=9), tick=False):
        change = contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    assert change is not None and change.at == T0 + dt.timedelta(days=9)


# --- other ----------------------------------------------------------------------------


def test_anyone_may_set_other_and_it_keeps_first_reached_times(people: dict[str, Any]) -> None:
    contact = make_contact(Stage.CUSTOMER, at=T0)
    contact_transition(
        contact=contact, to_stage=Stage.OTHER, cause=Cause.MANUAL, actor=people["rep"],
        reason="It is a partner", at=T0 + HOUR,
    )
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.OTHER
    assert contact.became_customer_at == T0 and contact.became_evangelist_at is None


def test_it_leaves_other_for_a_stage_at_or_after_the_one_before_it(
    people: dict[str, Any],
) -> None:
    contact = make_contact(Stage.SQL, at=T0)
    contact_transition(contact=contact, to_stage=Stage.OTHER, cause=Cause.IMPORT, at=T0 + HOUR)
    contact_transition(
        contact=contact, to_stage=Stage.SQL, cause=Cause.MANUAL, actor=people["rep"],
        at=T0 + 2 * HOUR,
    )
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.SQL and contact.became_sql_at == T0


@pytest.mark.parametrize("to_stage", [Stage.SUBSCRIBER, Stage.LEAD, Stage.MQL])
def test_other_is_no_back_door_around_the_forward_only_rule(to_stage: str) -> None:
    contact = make_contact(Stage.SQL, at=T0)
    contact_transition(contact=contact, to_stage=Stage.OTHER, cause=Cause.IMPORT, at=T0 + HOUR)
    error = refused(contact, "to_stage", lambda: contact_transition(
        contact=contact, to_stage=to_stage, cause=Cause.IMPORT, at=T0 + 2 * HOUR
    ))
    assert "sql" in error.message


def test_a_contact_created_as_other_may_enter_the_funnel_anywhere(
    people: dict[str, Any],
) -> None:
    contact = make_contact(Stage.OTHER, at=T0)
    assert contact.became_subscriber_at is None
    contact_transition(
        contact=contact, to_stage=Stage.LEAD, cause=Cause.MANUAL, actor=people["marketing"],
        at=T0 + HOUR,
    )
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.LEAD
    assert contact.became_subscriber_at == contact.became_lead_at == T0 + HOUR


# --- monotone funnel rule and lead status ---------------------------------------------


def test_it_applies_the_monotone_rule_when_entering_straight_at_sql() -> None:
    contact = make_contact(Stage.SQL, at=T0)
    assert contact.became_subscriber_at == contact.became_lead_at == T0
    assert contact.became_mql_at == contact.became_sql_at == T0
    assert contact.became_opportunity_at is None


def test_it_fills_skipped_stages_at_the_instant_of_a_jump_and_never_overwrites() -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    contact_transition(
        contact=contact, to_stage=Stage.CUSTOMER, cause=Cause.PIPELINE, at=T0 + HOUR
    )
    contact.refresh_from_db()
    assert contact.became_subscriber_at == contact.became_lead_at == T0
    jumped = (contact.became_mql_at, contact.became_sql_at, contact.became_opportunity_at)
    assert jumped == (T0 + HOUR,) * 3
    assert contact.became_customer_at == T0 + HOUR


def test_entering_lead_sets_status_new_and_opportunity_sets_open_deal() -> None:
    contact = make_contact(Stage.SUBSCRIBER, at=T0)
    assert contact.lead_status == ""
    contact_transition(contact=contact, to_stage=Stage.LEAD, cause=Cause.TRACKING, at=T0)
    contact.refresh_from_db()
    assert contact.lead_status == LeadStatus.NEW
    contact_transition(
        contact=contact, to_stage=Stage.OPPORTUNITY, cause=Cause.PIPELINE, at=T0 + HOUR
    )
    contact.refresh_from_db()
    assert contact.lead_status == LeadStatus.OPEN_DEAL


# --- property: the denormalised fields always equal what the history implies -----------


def implied_by_history(contact: Contact) -> dict[str, dt.datetime | None]:
    rows = list(contact.stage_changes.values_list("to_stage", "at"))
    implied: dict[str, dt.datetime | None] = {}
    for stage in ORDERED_STAGES:
        times = [at for to, at in rows if stage_rank(to) >= stage_rank(stage)]
        implied[stage] = min(times) if times else None
    return implied


def reached(contact: Contact) -> dict[str, dt.datetime | None]:
    return {stage: contact.reached_at(stage) for stage in ORDERED_STAGES}  # type: ignore[misc]


def random_move(rng: random.Random, contact: Contact, people: dict[str, Any],
                at: dt.datetime) -> None:
    actor = rng.choice([None, *people.values()])
    if rng.random() < 0.15:
        contact_recycle(contact=contact, actor=actor, reason="rejected", at=at)
        return
    contact_transition(
        contact=contact, to_stage=rng.choice(Stage.values), cause=rng.choice(Cause.values),
        actor=actor, at=at,
    )


def funnel_position(contact: Contact) -> str:
    """The stage of the last move into the funnel order ("" if none): moves must not
    go before it, except by recycling."""
    rows = contact.stage_changes.exclude(to_stage=Stage.OTHER).order_by("at", "id")
    last = rows.last()
    return last.to_stage if last else ""


def check_forward_only(contact: Contact, position: str, changes_before: int) -> None:
    new = list(contact.stage_changes.order_by("id")[changes_before:])
    for change in new:
        if change.cause != Cause.RECYCLE and change.to_stage != Stage.OTHER:
            assert not position or stage_rank(change.to_stage) >= stage_rank(position)


def check_invariants(contact: Contact, earlier: dict[str, dt.datetime | None]) -> None:
    contact.refresh_from_db()
    assert reached(contact) == implied_by_history(contact)
    for stage, first in earlier.items():
        assert first is None or contact.reached_at(stage) == first  # never overwritten
    last = contact.stage_changes.order_by("at", "id").last()
    assert last is not None and last.to_stage == contact.lifecycle_stage


@pytest.mark.parametrize("seed", range(20))
def test_after_any_sequence_of_moves_the_first_reached_times_match_the_history(
    people: dict[str, Any], seed: int
) -> None:
    rng = random.Random(seed)
    at = T0
    contact = make_contact(rng.choice(Stage.values), at=at)
    accepted = 0
    for _ in range(40):
        at += rng.choice([dt.timedelta(0), dt.timedelta(minutes=5), dt.timedelta(days=2)])
        earlier, before = reached(contact), state(contact)
        position, changes = funnel_position(contact), len(before[1])
        when = at - HOUR if rng.random() < 0.05 else at
        try:
            random_move(rng, contact, people, when)
            accepted += 1
        except DomainError:
            assert state(contact) == before
        check_invariants(contact, earlier)
        check_forward_only(contact, position, changes)
    assert accepted > 0

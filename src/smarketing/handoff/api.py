"""/api/v1/assignments (inbox, decisions, follow-ups, reassign), /sla (versions,
scorecard), /routing (rules, availability), /rejection-reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Status

from smarketing.core.errors import NotFound
from smarketing.handoff import services
from smarketing.handoff.models import SLA, RejectionReason, RoutingRule
from smarketing.handoff.permissions import assignment_get_for_user
from smarketing.handoff.schemas import (
    AssignmentList,
    AssignmentOut,
    AvailabilityIn,
    AvailabilityOut,
    DecisionIn,
    DisqualifyIn,
    FollowUpIn,
    FollowUpOut,
    ReasonOut,
    ReassignIn,
    RejectIn,
    RuleIn,
    RuleOut,
    RulePatch,
    SlaIn,
    SlaOut,
)
from smarketing.handoff.scorecard import parse_period, scorecard
from smarketing.handoff.selectors import assignment_list, with_sla_state
from smarketing.people.selectors import page

assignments_router = Router(tags=["handoff"])
sla_router = Router(tags=["handoff"])
routing_router = Router(tags=["handoff"])
reasons_router = Router(tags=["handoff"])


def _with_state(assignment: Any) -> Any:
    return (
        with_sla_state(type(assignment).objects.filter(pk=assignment.pk))
        .select_related("contact", "rep", "reason", "decided_by")
        .get()
    )


@assignments_router.get("", response=AssignmentList, summary="Assignments you may see")
def assignments_list(
    request: HttpRequest,
    outcome: str = "",
    rep_id: int | None = None,
    mine: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    qs = assignment_list(request.user, outcome=outcome, rep_id=request.user.pk if mine else rep_id)
    rows, more = page(qs, limit=limit, offset=offset)
    return {"items": rows, "count": offset + len(rows) + (1 if more else 0)}


@assignments_router.get("/{assignment_id}", response=AssignmentOut, summary="One assignment")
def assignments_get(request: HttpRequest, assignment_id: int) -> Any:
    return _with_state(assignment_get_for_user(user=request.user, assignment_id=assignment_id))


def _decide(request: HttpRequest, assignment_id: int, action: Any, **data: Any) -> Any:
    assignment = assignment_get_for_user(user=request.user, assignment_id=assignment_id)
    return _with_state(action(assignment=assignment, actor=request.user, **data))


@assignments_router.post("/{assignment_id}/accept", response=AssignmentOut, summary="Accept")
def assignments_accept(request: HttpRequest, assignment_id: int, payload: DecisionIn) -> Any:
    return _decide(request, assignment_id, services.assignment_accept, note=payload.note)


@assignments_router.post("/{assignment_id}/reject", response=AssignmentOut, summary="Reject")
def assignments_reject(request: HttpRequest, assignment_id: int, payload: RejectIn) -> Any:
    return _decide(request, assignment_id, services.assignment_reject, **payload.dict())


@assignments_router.post(
    "/{assignment_id}/disqualify", response=AssignmentOut, summary="Disqualify"
)
def assignments_disqualify(request: HttpRequest, assignment_id: int, payload: DisqualifyIn) -> Any:
    return _decide(request, assignment_id, services.assignment_disqualify, **payload.dict())


@assignments_router.post("/{assignment_id}/reassign", response=AssignmentOut, summary="Reassign")
def assignments_reassign(request: HttpRequest, assignment_id: int, payload: ReassignIn) -> Any:
    to_rep = get_user_model().objects.filter(pk=payload.rep_id, is_active=True).first()
    if to_rep is None:
        raise NotFound(f"rep_id: no user {payload.rep_id}", field="rep_id")
    return _decide(request, assignment_id, services.assignment_reassign, to_rep=to_rep)


@assignments_router.post(
    "/{assignment_id}/follow-ups",
    response={201: FollowUpOut},
    summary="Log a call, email or meeting",
)
def assignments_follow_up(request: HttpRequest, assignment_id: int, payload: FollowUpIn) -> Any:
    assignment = assignment_get_for_user(user=request.user, assignment_id=assignment_id)
    activity = services.follow_up_log(assignment=assignment, actor=request.user, **payload.dict())
    assignment.refresh_from_db()
    return Status(
        201,
        {
            "activity_id": activity.pk,
            "kind": activity.kind,
            "at": activity.at,
            "first_follow_up_at": assignment.first_follow_up_at,
        },
    )


@sla_router.get("", response=list[SlaOut], summary="SLA versions, newest first")
def sla_versions(request: HttpRequest) -> Any:
    return list(SLA.objects.order_by("-version"))


@sla_router.post("", response={201: SlaOut}, summary="Publish a new SLA version (admins)")
def sla_create(request: HttpRequest, payload: SlaIn) -> Any:
    return Status(201, services.sla_publish(actor=request.user, **payload.dict()))


@sla_router.get("/scorecard", summary="Both sides of the SLA over a period")
def sla_scorecard(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None
) -> dict[str, Any]:
    now = timezone.now()
    period = parse_period(start, end, timezone.localdate(now))
    return scorecard(period, now)


@routing_router.get("/rules", response=list[RuleOut], summary="Routing rules in order")
def rules_list(request: HttpRequest) -> Any:
    return list(RoutingRule.objects.order_by("position"))


@routing_router.post("/rules", response={201: RuleOut}, summary="Add a routing rule (admins)")
def rules_create(request: HttpRequest, payload: RuleIn) -> Any:
    return Status(201, services.routing_rule_save(actor=request.user, **payload.dict()))


def _rule(rule_id: int) -> RoutingRule:
    rule = RoutingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"rule_id: no rule {rule_id}", field="rule_id")
    return rule


@routing_router.patch("/rules/{rule_id}", response=RuleOut, summary="Change a rule (admins)")
def rules_update(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    values = payload.dict(exclude_unset=True)
    return services.routing_rule_save(actor=request.user, rule=_rule(rule_id), **values)


@routing_router.delete("/rules/{rule_id}", response={204: None}, summary="Delete a rule (admins)")
def rules_delete(request: HttpRequest, rule_id: int) -> Any:
    services.routing_rule_delete(actor=request.user, rule=_rule(rule_id))
    return Status(204, None)


@routing_router.put(
    "/availability/{user_id}", response=AvailabilityOut, summary="Mark a rep away or back"
)
def availability_put(request: HttpRequest, user_id: int, payload: AvailabilityIn) -> Any:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"user_id: no user {user_id}", field="user_id")
    return services.availability_set(actor=request.user, user=user, is_away=payload.is_away)


@reasons_router.get("", response=list[ReasonOut], summary="Active rejection reasons")
def reasons_list(request: HttpRequest) -> Any:
    return list(RejectionReason.objects.filter(is_active=True))

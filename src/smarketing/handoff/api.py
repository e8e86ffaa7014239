"""/api/v1/assignments (inbox, decisions, follow-ups, reassign), /sla (versions,
scorecard), /routing (rules, availability), /rejection-reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Status

from smarketing.core.errors import NotFound
from smarketing.core.export import queryset_csv
from smarketing.handoff import configure, services
from smarketing.handoff.exports import ASSIGNMENT_COLUMNS
from smarketing.handoff.models import RejectionReason, RoutingRule, WorkingCalendar
from smarketing.handoff.permissions import assignment_get_for_user
from smarketing.handoff.quality import lead_quality
from smarketing.handoff.schemas import (
    AssignmentList,
    AssignmentOut,
    AssignmentQuery,
    AvailabilityIn,
    AvailabilityOut,
    AvailabilityQuery,
    CalendarIn,
    CalendarList,
    CalendarOut,
    CalendarQuery,
    DecisionIn,
    DisqualifyIn,
    FollowUpIn,
    FollowUpOut,
    MoveIn,
    ReasonIn,
    ReasonList,
    ReasonOut,
    ReasonPatch,
    ReasonQuery,
    ReassignIn,
    RejectIn,
    RepAvailabilityList,
    RepRoutingIn,
    RepRoutingOut,
    RuleIn,
    RuleList,
    RuleOut,
    RulePatch,
    RuleQuery,
    SlaIn,
    SlaList,
    SlaOut,
    SlaQuery,
)
from smarketing.handoff.scorecard import parse_period, scorecard
from smarketing.handoff.selectors import assignment_list, rep_availability, with_sla_state
from smarketing.handoff.settings_selectors import (
    calendar_list,
    reason_list,
    rule_list,
    sla_list,
)

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
def assignments_list(request: HttpRequest, query: Query[AssignmentQuery]) -> dict[str, Any]:
    return query.page_of(_assignments(request, query))


def _assignments(request: HttpRequest, query: AssignmentQuery) -> Any:
    return assignment_list(
        request.user, outcome=query.outcome,
        rep_id=request.user.pk if query.mine else query.rep_id,
        contact_id=query.contact_id, team_id=query.team_id, sort=query.sort,
    )


@assignments_router.get("/export.csv", summary="The assignments the list matches, as CSV")
def assignments_export(
    request: HttpRequest, query: Query[AssignmentQuery]
) -> StreamingHttpResponse:
    """Streamed: every assignment the list would page through (limit, offset ignored)."""
    return queryset_csv("assignments.csv", _assignments(request, query), ASSIGNMENT_COLUMNS)


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


@sla_router.get("", response=SlaList, summary="SLA versions, newest first (filters, sort)")
def sla_versions(request: HttpRequest, query: Query[SlaQuery]) -> dict[str, Any]:
    return query.page_of(sla_list(**query.filters()))


@sla_router.post("", response={201: SlaOut}, summary="Publish a new SLA version (admins)")
def sla_create(request: HttpRequest, payload: SlaIn) -> Any:
    return Status(201, services.sla_publish(actor=request.user, **payload.dict()))


@sla_router.get("/scorecard", summary="Both sides of the SLA over a period")
def sla_scorecard(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: str | None = None,
) -> dict[str, Any]:
    """`start` and `end` (exclusive), or a preset `period` (this-month, last-week, ...)."""
    return scorecard(parse_period(start, end, period))


@sla_router.get("/lead-quality", summary="Decisions by campaign, source, score band, rule")
def sla_lead_quality(
    request: HttpRequest,
    start: dt.date | None = None,
    end: dt.date | None = None,
    period: str | None = None,
) -> dict[str, Any]:
    """Feedback to marketing over the decisions taken in the period (see docs/handoff.md)."""
    chosen = parse_period(start, end, period)
    return {"start": chosen.start, "end": chosen.end, **lead_quality(chosen)}


@routing_router.get("/rules", response=RuleList,
                    summary="Routing rules, in the order tried by default (filters, sort)")
def rules_list(request: HttpRequest, query: Query[RuleQuery]) -> dict[str, Any]:
    return query.page_of(rule_list(**query.filters()))


@routing_router.post("/rules", response={201: RuleOut}, summary="Add a routing rule (admins)")
def rules_create(request: HttpRequest, payload: RuleIn) -> Any:
    return Status(201, services.routing_rule_save(actor=request.user, **payload.dict()))


def _rule(rule_id: int) -> RoutingRule:
    rule = RoutingRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(f"rule_id: no rule {rule_id}", field="rule_id")
    return rule


@routing_router.get("/rules/{rule_id}", response=RuleOut, summary="One routing rule")
def rules_get(request: HttpRequest, rule_id: int) -> Any:
    return _rule(rule_id)


@routing_router.patch("/rules/{rule_id}", response=RuleOut, summary="Change a rule (admins)")
def rules_update(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    values = payload.dict(exclude_unset=True)
    return services.routing_rule_save(actor=request.user, rule=_rule(rule_id), **values)


@routing_router.delete("/rules/{rule_id}", response={204: None}, summary="Delete a rule (admins)")
def rules_delete(request: HttpRequest, rule_id: int) -> Any:
    services.routing_rule_delete(actor=request.user, rule=_rule(rule_id))
    return Status(204, None)


@routing_router.get("/availability", response=RepAvailabilityList,
                    summary="Sales reps away or available (filters: team, user, away; sort)")
def availability_list(request: HttpRequest, query: Query[AvailabilityQuery]) -> dict[str, Any]:
    return query.page_of(rep_availability(**query.filters()))


@routing_router.put(
    "/availability/{user_id}", response=AvailabilityOut, summary="Mark a rep away or back"
)
def availability_put(request: HttpRequest, user_id: int, payload: AvailabilityIn) -> Any:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"user_id: no user {user_id}", field="user_id")
    return services.availability_set(actor=request.user, user=user, is_away=payload.is_away)


@reasons_router.get("", response=ReasonList,
                    summary="Rejection reasons (the active ones unless asked; filters, sort)")
def reasons_list(request: HttpRequest, query: Query[ReasonQuery]) -> dict[str, Any]:
    return query.page_of(reason_list(**query.filters()))


@reasons_router.post("", response={201: ReasonOut}, summary="Add a rejection reason (admins)")
def reasons_create(request: HttpRequest, payload: ReasonIn) -> Any:
    return Status(201, configure.reason_save(actor=request.user, **payload.dict()))


@reasons_router.patch("/{reason_id}", response=ReasonOut, summary="Change or retire a reason")
def reasons_update(request: HttpRequest, reason_id: int, payload: ReasonPatch) -> Any:
    reason = RejectionReason.objects.filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(f"reason_id: no reason {reason_id}", field="reason_id")
    current = {"label": reason.label, "needs_note": reason.needs_note,
               "is_active": reason.is_active, "position": reason.position}
    values = {**current, **payload.dict(exclude_unset=True)}
    return configure.reason_save(actor=request.user, reason=reason, **values)


@routing_router.post("/rules/{rule_id}/move", response=RuleOut, summary="Move a rule up or down")
def rules_move(request: HttpRequest, rule_id: int, payload: MoveIn) -> Any:
    return configure.routing_rule_move(
        actor=request.user, rule=_rule(rule_id), direction=payload.direction
    )


@routing_router.put("/reps/{user_id}", response=RepRoutingOut, summary="A rep's capacity, away")
def reps_put(request: HttpRequest, user_id: int, payload: RepRoutingIn) -> Any:
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise NotFound(f"user_id: no user {user_id}", field="user_id")
    return configure.rep_routing_set(actor=request.user, user=user, **payload.dict())


@sla_router.get("/calendars", response=CalendarList,
                summary="Working calendars with their holidays (filters, sort)")
def calendars_list(request: HttpRequest, query: Query[CalendarQuery]) -> dict[str, Any]:
    return query.page_of(calendar_list(**query.filters()))


def _calendar_values(payload: CalendarIn) -> dict[str, Any]:
    values = payload.dict()
    values["holidays"] = [(h["date"], h["name"]) for h in values["holidays"]]
    return values


@sla_router.post("/calendars", response={201: CalendarOut}, summary="Add a calendar (admins)")
def calendars_create(request: HttpRequest, payload: CalendarIn) -> Any:
    return Status(201, configure.calendar_save(actor=request.user, **_calendar_values(payload)))


def _calendar(calendar_id: int) -> WorkingCalendar:
    calendar = WorkingCalendar.objects.filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound(f"calendar_id: no calendar {calendar_id}", field="calendar_id")
    return calendar


@sla_router.get("/calendars/{calendar_id}", response=CalendarOut, summary="One calendar")
def calendars_get(request: HttpRequest, calendar_id: int) -> Any:
    return _calendar(calendar_id)


@sla_router.put("/calendars/{calendar_id}", response=CalendarOut, summary="Change a calendar")
def calendars_update(request: HttpRequest, calendar_id: int, payload: CalendarIn) -> Any:
    return configure.calendar_save(
        actor=request.user, calendar=_calendar(calendar_id), **_calendar_values(payload)
    )


@sla_router.delete("/calendars/{calendar_id}", response={204: None},
                   summary="Delete a calendar no SLA version uses (admins)")
def calendars_delete(request: HttpRequest, calendar_id: int) -> Status:
    configure.calendar_delete(actor=request.user, calendar=_calendar(calendar_id))
    return Status(204, None)


@sla_router.delete("/calendars/{calendar_id}/holidays/{date}", response={204: None},
                   summary="Remove one holiday of a calendar (admins)")
def holidays_delete(request: HttpRequest, calendar_id: int, date: dt.date) -> Status:
    configure.holiday_delete(actor=request.user, calendar=_calendar(calendar_id), day=date)
    return Status(204, None)

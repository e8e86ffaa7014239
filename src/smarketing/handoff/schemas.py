"""API shapes of the handoff: assignments, decisions, SLA versions, routing rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from smarketing.core.schemas import PageQuery
from smarketing.people.schemas import InSchema


class ReasonOut(Schema):
    id: int
    code: str
    label: str
    needs_note: bool
    is_active: bool
    position: int


class ReasonIn(InSchema):
    code: str
    label: str
    needs_note: bool = False
    is_active: bool = True
    position: int | None = None


class ReasonPatch(InSchema):
    label: str | None = None
    needs_note: bool | None = None
    is_active: bool | None = None
    position: int | None = None


class MoveIn(InSchema):
    direction: str


class RepRoutingIn(InSchema):
    capacity: int | None = None
    is_away: bool | None = None


class RepRoutingOut(Schema):
    user_id: int
    capacity: int
    is_away: bool


class HolidayIn(InSchema):
    date: dt.date
    name: str = ""


class CalendarIn(InSchema):
    name: str
    time_zone: str = "UTC"
    working_days: list[int] = [0, 1, 2, 3, 4]
    day_start: dt.time = dt.time(9)
    day_end: dt.time = dt.time(17)
    holidays: list[HolidayIn] = []


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    working_days: list[int]
    day_start: dt.time
    day_end: dt.time
    holidays: list[HolidayIn]

    @staticmethod
    def resolve_holidays(obj: Any) -> list[dict[str, Any]]:
        return [{"date": h.date, "name": h.name} for h in obj.holidays.all()]


class AssignmentOut(Schema):
    id: int
    contact_id: int
    contact: str
    rep_id: int
    rep: str
    team_id: int | None
    routed_by: str
    assigned_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime
    follow_up_at: dt.datetime | None = None
    breached: bool = False
    outcome: str
    decided_at: dt.datetime | None
    decided_by: str | None = None
    reason: str | None = None
    note: str

    @staticmethod
    def resolve_contact(obj: Any) -> str:
        return str(obj.contact)

    @staticmethod
    def resolve_rep(obj: Any) -> str:
        return str(obj.rep.username)

    @staticmethod
    def resolve_decided_by(obj: Any) -> str | None:
        return obj.decided_by.username if obj.decided_by else None

    @staticmethod
    def resolve_reason(obj: Any) -> str | None:
        return obj.reason.code if obj.reason else None

    @staticmethod
    def resolve_follow_up_at(obj: Any) -> dt.datetime | None:
        return getattr(obj, "follow_up_at", obj.first_follow_up_at)

    @staticmethod
    def resolve_breached(obj: Any) -> bool:
        return bool(getattr(obj, "breached", False))


class AssignmentList(Schema):
    items: list[AssignmentOut]
    count: int


class AssignmentQuery(PageQuery):
    """The assignment list's filters (its CSV export takes the same, without pages)."""

    outcome: str = ""
    rep_id: int | None = None
    mine: bool = Field(False, description="Only your own (rep_id ignored).")
    contact_id: int | None = None
    team_id: int | None = None
    sort: str = Field("due_at", description="due_at, assigned_at or decided_at; - descends")


class DecisionIn(InSchema):
    note: str = ""


class RejectIn(InSchema):
    reason: str
    note: str = ""


class DisqualifyIn(InSchema):
    reason: str = ""
    note: str = ""


class FollowUpIn(InSchema):
    kind: str
    subject: str = ""
    body: str = ""


class ReassignIn(InSchema):
    rep_id: int


class FollowUpOut(Schema):
    activity_id: int
    kind: str
    at: dt.datetime
    first_follow_up_at: dt.datetime | None


class SlaIn(InSchema):
    mql_target: int | None = None
    period: str | None = None
    segment_region: str | None = None
    segment_team_id: int | None = None
    follow_up_hours: Decimal | None = None
    warning_share: Decimal | None = None
    calendar_id: int | None = None
    change_note: str = ""


class SlaOut(Schema):
    id: int
    version: int
    is_active: bool
    mql_target: int
    period: str
    segment_region: str
    segment_team_id: int | None
    follow_up_hours: Decimal
    warning_share: Decimal
    calendar_id: int | None
    created_at: dt.datetime
    change_note: str


class RuleIn(InSchema):
    name: str
    team_id: int
    position: int | None = None
    is_active: bool = True
    conditions: dict[str, Any] = {}
    fallback_owner_id: int | None = None


class RulePatch(InSchema):
    name: str | None = None
    team_id: int | None = None
    position: int | None = None
    is_active: bool | None = None
    conditions: dict[str, Any] | None = None
    fallback_owner_id: int | None = None


class RuleOut(Schema):
    id: int
    position: int
    name: str
    is_active: bool
    conditions: dict[str, Any]
    team_id: int
    fallback_owner_id: int | None


class RepAvailabilityOut(Schema):
    user_id: int
    username: str
    team_id: int | None
    is_away: bool
    changed_at: dt.datetime | None = Field(None, description="When away/back was last set")
    capacity: int

    @staticmethod
    def resolve_username(obj: Any) -> str:
        return str(obj.user.username)


class AvailabilityQuery(PageQuery):
    team_id: int | None = None
    user_id: int | None = None
    is_away: bool | None = None
    sort: str = Field("username", description="username, capacity, is_away, changed_at "
                      "(never set last); - descends")


class RepAvailabilityList(Schema):
    items: list[RepAvailabilityOut]
    count: int


class AvailabilityIn(InSchema):
    is_away: bool


class AvailabilityOut(Schema):
    user_id: int
    is_away: bool


class SlaList(Schema):
    items: list[SlaOut]
    count: int


class SlaQuery(PageQuery):
    is_active: bool | None = Field(None, description="true: the version in force")
    period: str = Field("", description="week, month or quarter")
    segment_region: str = ""
    segment_team_id: int | None = None
    calendar_id: int | None = None
    sort: str = Field("-version", description="version, mql_target, follow_up_hours; "
                      "- descends")


class RuleList(Schema):
    items: list[RuleOut]
    count: int


class RuleQuery(PageQuery):
    team_id: int | None = None
    is_active: bool | None = None
    fallback_owner_id: int | None = None
    q: str = Field("", description="Name contains (any case).")
    sort: str = Field("position", description="position (the order routing tries them), "
                      "name, created_at; - descends")


class ReasonList(Schema):
    items: list[ReasonOut]
    count: int


class ReasonQuery(PageQuery):
    include_retired: bool = Field(False, description="Retired reasons too.")
    is_active: bool | None = Field(None, description="true: in use; false: only the retired")
    needs_note: bool | None = None
    q: str = Field("", description="Code or label contains (any case).")
    sort: str = Field("position", description="position, code, label; - descends")


class CalendarList(Schema):
    items: list[CalendarOut]
    count: int


class CalendarQuery(PageQuery):
    q: str = Field("", description="Name contains (any case).")
    time_zone: str = ""
    sort: str = Field("name", description="name or created_at; - descends")

"""Typed shapes of the people API (field names follow shared/KPI.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from smarketing.core.schemas import PageQuery
from smarketing.people.models import Cause, IdentityKind, PropertyObject, PropertyType, Stage


class InSchema(Schema):
    """A request body: an unknown field is an error naming it, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CompanyOut(Schema):
    id: int
    name: str
    domain: str
    industry: str
    employee_count: int | None
    annual_revenue: Decimal | None
    country: str
    region: str
    owner_id: int | None
    properties: dict[str, Any]
    created_at: datetime
    updated_at: datetime


class CompanyIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    domain: str = Field("", max_length=200)
    industry: str = Field("", max_length=100)
    employee_count: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    country: str = Field("", max_length=2)
    region: str = ""
    owner_id: int | None = None
    properties: dict[str, Any] = {}


class CompanyPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    domain: str | None = Field(None, max_length=200)
    industry: str | None = Field(None, max_length=100)
    employee_count: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    country: str | None = Field(None, max_length=2)
    region: str | None = None
    owner_id: int | None = None
    properties: dict[str, Any] | None = None


class CompanyList(Schema):
    items: list[CompanyOut]
    count: int


class ContactOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    full_name: str
    title: str
    phone: str
    company_id: int | None
    owner_id: int | None
    lifecycle_stage: str
    lead_status: str
    lead_status_reason: str
    original_source: str
    original_campaign: str
    latest_source: str
    latest_campaign: str
    score: int
    fit_score: int
    engagement_score: int
    properties: dict[str, Any]
    became_subscriber_at: datetime | None
    became_lead_at: datetime | None
    became_mql_at: datetime | None
    became_sql_at: datetime | None
    became_opportunity_at: datetime | None
    became_customer_at: datetime | None
    became_evangelist_at: datetime | None
    created_at: datetime
    updated_at: datetime


class _ContactFields(InSchema):
    email: str = Field("", max_length=254)
    first_name: str = Field("", max_length=100)
    last_name: str = Field("", max_length=100)
    title: str = Field("", max_length=200)
    phone: str = Field("", max_length=50)
    company_id: int | None = None
    owner_id: int | None = None
    lead_status: str = ""
    original_source: str = ""
    original_campaign: str = Field("", max_length=200)
    latest_source: str = ""
    latest_campaign: str = Field("", max_length=200)
    properties: dict[str, Any] = {}


class ContactIn(_ContactFields):
    lifecycle_stage: Stage = Stage.LEAD


class ContactPatch(InSchema):
    email: str | None = Field(None, max_length=254)
    first_name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, max_length=100)
    title: str | None = Field(None, max_length=200)
    phone: str | None = Field(None, max_length=50)
    company_id: int | None = None
    owner_id: int | None = None
    lead_status: str | None = None
    original_source: str | None = None
    original_campaign: str | None = Field(None, max_length=200)
    latest_source: str | None = None
    latest_campaign: str | None = Field(None, max_length=200)
    properties: dict[str, Any] | None = None


class ContactList(Schema):
    items: list[ContactOut]
    count: int


class TransitionIn(InSchema):
    to_stage: Stage
    reason: str = Field("", max_length=500)


class RecycleIn(InSchema):
    reason: str = Field(..., min_length=1, max_length=500)


class MergeIn(InSchema):
    duplicate_id: int


class StageChangeOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    at: datetime
    actor_id: int | None
    cause: str
    reason: str


class StageChangeList(Schema):
    items: list[StageChangeOut]
    count: int


class StageHistoryQuery(PageQuery):
    to_stage: Stage | None = None
    cause: Cause | None = None
    start: datetime | None = Field(None, description="at >= start (ISO; a date is midnight)")
    end: datetime | None = Field(None, description="at < end")
    sort: str = Field("at", description="at (oldest first) or -at")


class IdentityOut(Schema):
    id: int
    kind: str
    value: str
    created_at: datetime


class IdentityList(Schema):
    items: list[IdentityOut]
    count: int


class IdentityQuery(PageQuery):
    kind: IdentityKind | None = None
    q: str = Field("", description="Value contains (any case).")
    sort: str = Field("created_at", description="created_at (oldest first), kind, value; "
                      "- descends")


class IdentityIn(InSchema):
    kind: str
    value: str = Field(..., min_length=1, max_length=254)


class PropertyOut(Schema):
    id: int
    object_type: str
    name: str
    label: str
    type: str
    choices: list[str]
    description: str


class PropertyIn(InSchema):
    object_type: str
    name: str = Field(..., min_length=1, max_length=60)
    label: str = Field("", max_length=100)
    type: str
    choices: list[str] = []
    description: str = Field("", max_length=300)


class PropertyPatch(InSchema):
    """The name, type and object type stay (records hold values by name)."""

    label: str | None = Field(None, max_length=100)
    description: str | None = Field(None, max_length=300)
    choices: list[str] | None = None


class PropertyQuery(PageQuery):
    object_type: PropertyObject | None = None
    type: PropertyType | None = None
    q: str = Field("", description="Name or label contains (any case).")
    sort: str = Field("object_type", description="object_type (then name), name, label, "
                      "type, created_at; - descends")


class PropertyList(Schema):
    items: list[PropertyOut]
    count: int


class TimelineItemOut(Schema):
    at: datetime
    kind: str
    title: str
    detail: str
    actor: str
    url: str
    data: dict[str, Any]


class TimelineOut(Schema):
    items: list[TimelineItemOut]
    count: int
    next_before: datetime | None


class MergeQuery(PageQuery):
    primary_id: int | None = Field(None, description="The contact that was kept.")
    merged_contact_id: int | None = Field(None, description="The contact merged away.")
    merged_email: str = ""
    actor_id: int | None = None
    start: datetime | None = Field(None, description="at >= start (ISO; a date is midnight)")
    end: datetime | None = Field(None, description="at < end")
    sort: str = Field("-at", description="-at (newest first) or at")


class MergeOut(Schema):
    id: int
    primary_id: int
    merged_contact_id: int
    merged_email: str
    actor_id: int | None
    at: datetime
    snapshot: dict = Field(..., description="The merged contact as it was before the merge.")


class MergeList(Schema):
    items: list[MergeOut]
    count: int

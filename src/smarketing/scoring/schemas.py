"""Typed shapes of the scoring API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from smarketing.people.schemas import InSchema


class FitRuleOut(Schema):
    id: int
    label: str
    field: str
    operator: str
    value: Any
    points: int


class EngagementRuleOut(Schema):
    id: int
    label: str
    event_type: str
    event_name: str
    property_filters: dict[str, Any]
    points: int
    daily_cap: int
    rule_cap: int
    recency_days: int


class ModelSummaryOut(Schema):
    version: int
    is_active: bool
    name: str
    threshold: int
    half_life_days: int
    hand_raise_events: list[str]
    account_aggregate: str
    created_at: dt.datetime
    created_by: str = Field("", alias="created_by_name")
    change_note: str


class ModelOut(ModelSummaryOut):
    fit_rules: list[FitRuleOut]
    engagement_rules: list[EngagementRuleOut]


class ModelList(Schema):
    items: list[ModelSummaryOut]
    count: int


class SettingsIn(InSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    threshold: int | None = Field(None, ge=0)
    half_life_days: int | None = Field(None, ge=0)
    hand_raise_events: list[str] | None = None
    account_aggregate: str | None = None
    note: str = Field("", max_length=500)


class FitRuleIn(InSchema):
    label: str = Field("", max_length=200)
    field: str
    operator: str
    value: Any = None
    points: int


class FitRulePatch(InSchema):
    label: str | None = Field(None, max_length=200)
    field: str | None = None
    operator: str | None = None
    value: Any = None
    points: int | None = None


class EngagementRuleIn(InSchema):
    label: str = Field("", max_length=200)
    event_type: str = ""
    event_name: str = Field("", max_length=200)
    property_filters: dict[str, Any] = {}
    points: int
    daily_cap: int = Field(0, ge=0)
    rule_cap: int = Field(0, ge=0)
    recency_days: int = Field(0, ge=0)


class EngagementRulePatch(InSchema):
    label: str | None = Field(None, max_length=200)
    event_type: str | None = None
    event_name: str | None = Field(None, max_length=200)
    property_filters: dict[str, Any] | None = None
    points: int | None = None
    daily_cap: int | None = Field(None, ge=0)
    rule_cap: int | None = Field(None, ge=0)
    recency_days: int | None = Field(None, ge=0)


class DraftIn(InSchema):
    threshold: int | None = Field(None, ge=0)
    half_life_days: int | None = Field(None, ge=0)
    hand_raise_events: list[str] | None = None
    fit_rules: list[FitRuleIn] | None = None
    engagement_rules: list[EngagementRuleIn] | None = None


class PreviewOut(Schema):
    contacts: int
    qualifying: int
    new_mqls: int


class ContributionOut(Schema):
    family: str
    rule_id: int | None
    label: str
    occurrences: int
    points_before_decay: int
    points_after_decay: Decimal
    points: int


class FactorOut(Schema):
    feature: str
    contribution: float


class ScoreOut(Schema):
    contact_id: int
    model_version: int
    at: dt.datetime
    fit: int
    engagement: int
    total: int
    threshold: int
    explanation: list[ContributionOut]
    stored_total: int | None
    scored_at: dt.datetime | None
    predictive_probability: float | None
    predictive_factors: list[FactorOut]
    predictive_version: int | None


class BucketOut(Schema):
    low: int
    high: int
    contacts: int


class CandidateOut(Schema):
    threshold: int
    mqls: int
    sql_rate: float | None


class PlanOut(Schema):
    capacity: int
    period_days: int
    recommended: int | None
    candidates: list[CandidateOut]
    note: str

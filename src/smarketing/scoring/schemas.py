"""Typed shapes of the scoring API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from smarketing.core.schemas import PageQuery
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


class ModelQuery(PageQuery):
    is_active: bool | None = None
    sort: str = Field("-version", description="version, created_at, threshold; - descends")


class PredictiveQuery(PageQuery):
    target: str = Field("", description="The predicted outcome, e.g. customer.")
    sort: str = Field("-version", description="version, trained_at; - descends")


class RescoreQuery(PageQuery):
    finished: bool | None = Field(None, description="true: finished; false: queued or "
                                  "running")
    model_version: int | None = Field(None, description="The scoring model version.")
    sort: str = Field("-id", description="id (queue order), queued_at, seconds, changed; "
                      "- descends")


class ScoreHistoryQuery(PageQuery):
    since: dt.datetime | None = Field(None, description="At or after.")
    before: dt.datetime | None = Field(None, description="Before.")
    sort: str = Field("-at", description="at, total; - descends")


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


class ContactInAccountOut(Schema):
    contact_id: int = Field(..., alias="id")
    name: str
    fit: int = Field(..., alias="fit_score")
    engagement: int = Field(..., alias="engagement_score")
    total: int = Field(..., alias="score")

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return f"{obj.first_name} {obj.last_name}".strip() or str(obj.email)


class CompanyScoreOut(Schema):
    company_id: int
    model_version: int
    account_aggregate: str = Field(..., description="max, sum or avg of its contacts' scores")
    fit: int
    engagement: int
    total: int
    threshold: int
    contacts: int = Field(..., description="Contacts aggregated")
    scored_at: dt.datetime | None = Field(None, description="null: never scored")
    top_contacts: list[ContactInAccountOut]


class ScoreChangeOut(Schema):
    id: int
    contact_id: int
    at: dt.datetime
    model_version: int
    fit: int
    engagement: int
    total: int
    previous_total: int

    @staticmethod
    def resolve_model_version(obj: Any) -> int:
        return int(obj.model.version)


class ScoreChangeList(Schema):
    items: list[ScoreChangeOut]
    count: int


class CalibrationOut(Schema):
    decile: int
    contacts: int
    predicted: float
    observed: float


class TopFactorOut(Schema):
    feature: str
    auc_loss: float = Field(..., description="Holdout ROC AUC lost without the feature")


class OutcomeOut(Schema):
    target: str = Field(..., description="Positive: reached this stage (customer or sql)")
    stale_days: int | None = Field(None, description="Negative also: older, never reached")
    min_outcomes: int | None = None


class PredictiveSummaryOut(Schema):
    version: int
    trained_at: dt.datetime
    trained_by: str
    target: str
    holdout_auc: float | None
    positives: int
    negatives: int

    @staticmethod
    def resolve_trained_by(obj: Any) -> str:
        return obj.trained_by.get_username() if obj.trained_by else ""

    @staticmethod
    def resolve_holdout_auc(obj: Any) -> float | None:
        auc = obj.report.get("holdout_auc")
        return None if auc is None or auc != auc else float(auc)  # NaN: one class held out

    @staticmethod
    def resolve_positives(obj: Any) -> int:
        return int(obj.report.get("positives", 0))

    @staticmethod
    def resolve_negatives(obj: Any) -> int:
        return int(obj.report.get("negatives", 0))


class PredictiveOut(PredictiveSummaryOut):
    outcome: OutcomeOut
    estimator: str
    validation_auc: dict[str, Any]
    train_rows: int
    holdout_rows: int
    calibration: list[CalibrationOut]
    top_factors: list[TopFactorOut]

    @staticmethod
    def resolve_outcome(obj: Any) -> dict[str, Any]:
        return obj.report.get("outcome") or {"target": obj.target}

    @staticmethod
    def resolve_estimator(obj: Any) -> str:
        return str(obj.report.get("estimator", ""))

    @staticmethod
    def resolve_validation_auc(obj: Any) -> dict[str, Any]:
        return dict(obj.report.get("validation_auc") or {})

    @staticmethod
    def resolve_train_rows(obj: Any) -> int:
        return int(obj.report.get("train_rows", 0))

    @staticmethod
    def resolve_holdout_rows(obj: Any) -> int:
        return int(obj.report.get("holdout_rows", 0))

    @staticmethod
    def resolve_calibration(obj: Any) -> list[dict[str, Any]]:
        return list(obj.report.get("calibration", []))

    @staticmethod
    def resolve_top_factors(obj: Any) -> list[dict[str, Any]]:
        return list(obj.report.get("top_factors", []))


class PredictiveList(Schema):
    items: list[PredictiveSummaryOut]
    count: int


class TrainIn(InSchema):
    target: str = Field("customer", description="customer or sql")
    stale_days: int = Field(180, ge=1, le=3650)
    min_outcomes: int = Field(50, ge=10, description="Refuse with fewer of each class")


class RescoreRunOut(Schema):
    id: int
    model_version: int
    state: str = Field(..., description="queued, running, finished or failed")
    queued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    done: int = Field(..., description="Steps done (one compute pass, then write ranges)")
    total: int
    percent: int
    contacts: int
    changed: int
    mqls: int
    seconds: float
    error: str

    @staticmethod
    def resolve_model_version(obj: Any) -> int:
        return int(obj.model.version)

    @staticmethod
    def resolve_state(obj: Any) -> str:
        if obj.finished_at:
            return "finished"
        if obj.error:
            return "failed"
        return "running" if obj.started_at else "queued"


class RescoreRunList(Schema):
    items: list[RescoreRunOut]
    count: int

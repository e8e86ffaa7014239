"""/api/v1/scoring/... (models, rules, preview, distribution, predictive models and
their training, full rescore runs) and /api/v1/contacts/{id}/score, /companies/{id}/score
and their score history: thin handlers over services and selectors.

Every change answers with the new active model version (rule ids change with it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status

from smarketing.core.errors import NotFound, ValidationFailed
from smarketing.people.permissions import company_get_for_user, contact_get_for_user
from smarketing.scoring import selectors, services
from smarketing.scoring.models import PredictiveModel, RescoreRun, ScoringModel
from smarketing.scoring.permissions import check_can_edit_scoring
from smarketing.scoring.planning import threshold_plan
from smarketing.scoring.schemas import (
    BucketOut,
    CompanyScoreOut,
    DraftIn,
    EngagementRuleIn,
    EngagementRulePatch,
    FitRuleIn,
    FitRulePatch,
    ModelList,
    ModelOut,
    ModelQuery,
    PlanOut,
    PredictiveList,
    PredictiveOut,
    PredictiveQuery,
    PreviewOut,
    RescoreQuery,
    RescoreRunList,
    RescoreRunOut,
    ScoreChangeList,
    ScoreHistoryQuery,
    ScoreOut,
    SettingsIn,
    TrainIn,
)

router = Router(tags=["scoring"])
contact_score_router = Router(tags=["scoring"])


def model_out(model: ScoringModel) -> dict[str, Any]:
    data = {f: getattr(model, f) for f in (
        "version", "is_active", "name", "threshold", "half_life_days", "hand_raise_events",
        "account_aggregate", "created_at", "change_note")}
    data["created_by_name"] = model.created_by.get_username() if model.created_by else ""
    data["fit_rules"] = list(model.fit_rules.all())
    data["engagement_rules"] = list(model.engagement_rules.all())
    return data


@router.get("/models", response=ModelList, summary="Scoring model versions, newest first")
def models_list(request: HttpRequest, query: Query[ModelQuery]) -> dict[str, Any]:
    services.active_model()
    answer = query.page_of(selectors.model_history(**query.filters()))
    return {**answer, "items": [model_out(m) for m in answer["items"]]}


@router.get("/models/active", response=ModelOut, summary="The active model and its rules")
def model_active(request: HttpRequest) -> dict[str, Any]:
    return model_out(services.active_model())


@router.get("/models/{version}", response=ModelOut, summary="One model version")
def model_get(request: HttpRequest, version: int) -> dict[str, Any]:
    model = selectors.model_by_version(version)
    if model is None:
        raise NotFound(f"no scoring model version {version}", field="version")
    return model_out(model)


@router.patch("/models/active", response=ModelOut, summary="Change settings: a new version")
def model_change(request: HttpRequest, payload: SettingsIn) -> dict[str, Any]:
    changes = payload.dict(exclude_none=True, exclude={"note"})
    model = services.model_change(actor=request.user, settings=changes, note=payload.note)
    return model_out(model)


@router.post("/models/active/fit-rules", response={201: ModelOut}, summary="Add a fit rule")
def fit_rule_add(request: HttpRequest, payload: FitRuleIn) -> Status:
    model = services.rule_add(actor=request.user, family="fit", data=payload.dict())
    return Status(201, model_out(model))


@router.patch("/models/active/fit-rules/{rule_id}", response=ModelOut,
              summary="Change a fit rule")
def fit_rule_update(request: HttpRequest, rule_id: int, payload: FitRulePatch) -> Any:
    data = payload.dict(exclude_unset=True)
    return model_out(
        services.rule_update(actor=request.user, family="fit", rule_id=rule_id, data=data)
    )


@router.delete("/models/active/fit-rules/{rule_id}", response=ModelOut,
               summary="Remove a fit rule")
def fit_rule_remove(request: HttpRequest, rule_id: int) -> Any:
    return model_out(services.rule_remove(actor=request.user, family="fit", rule_id=rule_id))


@router.post("/models/active/engagement-rules", response={201: ModelOut},
             summary="Add an engagement rule")
def engagement_rule_add(request: HttpRequest, payload: EngagementRuleIn) -> Status:
    model = services.rule_add(actor=request.user, family="engagement", data=payload.dict())
    return Status(201, model_out(model))


@router.patch("/models/active/engagement-rules/{rule_id}", response=ModelOut,
              summary="Change an engagement rule")
def engagement_rule_update(
    request: HttpRequest, rule_id: int, payload: EngagementRulePatch
) -> Any:
    data = payload.dict(exclude_unset=True)
    return model_out(services.rule_update(
        actor=request.user, family="engagement", rule_id=rule_id, data=data))


@router.delete("/models/active/engagement-rules/{rule_id}", response=ModelOut,
               summary="Remove an engagement rule")
def engagement_rule_remove(request: HttpRequest, rule_id: int) -> Any:
    return model_out(
        services.rule_remove(actor=request.user, family="engagement", rule_id=rule_id)
    )


@router.post("/preview", response=PreviewOut, summary="MQLs now under a draft model")
def preview(request: HttpRequest, payload: DraftIn) -> Any:
    return selectors.preview(selectors.draft_spec(payload.dict(exclude_none=True)))


@router.get("/distribution", response=list[BucketOut], summary="Contacts per score bucket")
def distribution(request: HttpRequest, width: int = 10) -> Any:
    return selectors.score_distribution(width=max(1, min(width, 1000)))


@router.get("/threshold-plan", response=PlanOut, summary="MQL threshold from sales capacity")
def plan(request: HttpRequest, capacity: int | None = None, period_days: int = 30) -> Any:
    if capacity is not None and capacity < 0:
        raise ValidationFailed("capacity: must be at least 0", field="capacity")
    return threshold_plan(capacity=capacity, period_days=max(1, min(period_days, 365)))


@contact_score_router.get(
    "/contacts/{contact_id}/score", response=ScoreOut, summary="A contact's score, explained"
)
def contact_score(request: HttpRequest, contact_id: int) -> dict[str, Any]:
    contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    view = selectors.contact_score(contact)
    stored, result = view.stored, view.result
    return {
        "contact_id": contact.pk, "model_version": view.model.version, "at": view.at,
        "fit": result.fit, "engagement": result.engagement, "total": result.total,
        "threshold": view.model.threshold, "explanation": result.items,
        "stored_total": stored.total if stored else None,
        "scored_at": stored.scored_at if stored else None,
        "predictive_probability": stored.probability if stored else None,
        "predictive_factors": stored.factors if stored else [],
        "predictive_version": stored.predictive_version if stored else None,
    }


@router.get("/predictive", response=PredictiveList,
            summary="Trained predictive models, newest first")
def predictive_list(request: HttpRequest, query: Query[PredictiveQuery]) -> dict[str, Any]:
    return query.page_of(selectors.predictive_models(**query.filters()))


@router.post("/predictive/train", response={201: PredictiveOut},
             summary="Train the predictive score and score every contact (marketing, admin)")
def predictive_train(request: HttpRequest, payload: TrainIn) -> Status:
    """Synchronous, like the scoring page's button and `smarketing predict train`;
    too few outcomes: 422 naming `outcomes` and how many of each class are needed."""
    check_can_edit_scoring(request.user)
    from smarketing.scoring.predictive import train  # scikit-learn: loaded on use

    return Status(201, train(actor=request.user, **payload.dict()))


@router.get("/predictive/{version}", response=PredictiveOut,
            summary="One predictive model: holdout AUC, calibration, top factors")
def predictive_get(request: HttpRequest, version: int) -> PredictiveModel:
    model = selectors.predictive_models().filter(version=version).first()
    if model is None:
        raise NotFound(f"no predictive model version {version}", field="version")
    return model


@router.get("/rescores", response=RescoreRunList, summary="Full rescore runs, newest first")
def rescores_list(request: HttpRequest, query: Query[RescoreQuery]) -> dict[str, Any]:
    return query.page_of(selectors.rescore_runs(**query.filters()))


@router.post("/rescores", response={202: RescoreRunOut},
             summary="Queue a full rescore with the active model (marketing, admin)")
def rescores_start(request: HttpRequest) -> Status:
    """Run by the worker; poll `GET /scoring/rescores/{id}`. A run of the active model
    still queued or running is answered instead of queueing a second one."""
    run, _ = services.rescore_start(actor=request.user)
    return Status(202, selectors.rescore_runs().get(pk=run.pk))


@router.get("/rescores/{run_id}", response=RescoreRunOut, summary="One full rescore run")
def rescores_get(request: HttpRequest, run_id: int) -> RescoreRun:
    run = selectors.rescore_runs().filter(pk=run_id).first()
    if run is None:
        raise NotFound(f"no rescore run {run_id}", field="run_id")
    return run


@contact_score_router.get("/contacts/{contact_id}/score/history", response=ScoreChangeList,
                          summary="A contact's score changes, newest first")
def contact_score_history(
    request: HttpRequest, contact_id: int, query: Query[ScoreHistoryQuery]
) -> dict[str, Any]:
    contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    return query.page_of(selectors.score_history(contact_id=contact.pk, **query.filters()))


@contact_score_router.get("/companies/{company_id}/score", response=CompanyScoreOut,
                          summary="An account's score: the aggregate of its contacts'")
def company_score(request: HttpRequest, company_id: int) -> dict[str, Any]:
    company = company_get_for_user(user=request.user, company_id=company_id)
    view = selectors.company_score(company)
    stored = view.stored
    return {
        "company_id": company.pk, "model_version": view.model.version,
        "account_aggregate": view.model.account_aggregate, "threshold": view.model.threshold,
        "fit": stored.fit if stored else 0, "engagement": stored.engagement if stored else 0,
        "total": stored.total if stored else 0, "contacts": stored.contacts if stored else 0,
        "scored_at": stored.scored_at if stored else None, "top_contacts": view.top_contacts,
    }


@contact_score_router.get("/companies/{company_id}/score/history", response=ScoreChangeList,
                          summary="Score changes of a company's contacts, newest first")
def company_score_history(
    request: HttpRequest, company_id: int, query: Query[ScoreHistoryQuery]
) -> dict[str, Any]:
    company = company_get_for_user(user=request.user, company_id=company_id)
    return query.page_of(selectors.score_history(company_id=company.pk, **query.filters()))

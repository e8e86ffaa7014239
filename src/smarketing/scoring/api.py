"""/api/v1/scoring/... (models, rules, preview, distribution) and
/api/v1/contacts/{id}/score: thin handlers over services and selectors.

Every change answers with the new active model version (rule ids change with it)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from smarketing.core.errors import NotFound, ValidationFailed
from smarketing.people.permissions import contact_get_for_user
from smarketing.scoring import selectors, services
from smarketing.scoring.models import ScoringModel
from smarketing.scoring.planning import threshold_plan
from smarketing.scoring.schemas import (
    BucketOut,
    DraftIn,
    EngagementRuleIn,
    EngagementRulePatch,
    FitRuleIn,
    FitRulePatch,
    ModelList,
    ModelOut,
    PlanOut,
    PreviewOut,
    ScoreOut,
    SettingsIn,
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
def models_list(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    services.active_model()
    history = selectors.model_history()
    items = [model_out(m) for m in history[offset : offset + min(limit, 200)]]
    return {"items": items, "count": history.count()}


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

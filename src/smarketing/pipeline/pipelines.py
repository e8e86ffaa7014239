"""Writes for pipelines and their stages (admins and sales managers set them up).

A pipeline needs at least one open stage, one won stage and one lost stage: deals
open, win and lose through them. A stage's won/lost flags decide its deals' status,
so they cannot change while deals are in it, and a stage that deals are in or went
through (their stage history) cannot be removed: rename it or retire it by moving
its deals. Stage order is 1..n, renumbered as a whole when it changes. A pipeline
is deleted only while no deal is in it, and never the default one. Lost reasons
(admins) are retired, never deleted: lost deals keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max, Q

from smarketing.core.errors import Conflict, ValidationFailed
from smarketing.pipeline.models import (
    Deal,
    DealStageChange,
    ForecastCategory,
    LostReason,
    Pipeline,
    PipelineStage,
)
from smarketing.pipeline.services import DEFAULT_STAGES

STAGE_FIELDS = frozenset({"name", "probability", "forecast_category", "is_won", "is_lost",
                          "stall_days"})


@dataclass(frozen=True)
class StageSpec:
    name: str
    probability: Any
    forecast_category: str = ForecastCategory.PIPELINE
    is_won: bool = False
    is_lost: bool = False
    stall_days: int = 0


def default_stage_specs() -> list[StageSpec]:
    return [StageSpec(name, p, category, won, lost, stall)
            for name, p, category, won, lost, stall in DEFAULT_STAGES]


def _probability(value: Any) -> Decimal:
    if isinstance(value, (float, bool)):
        raise ValidationFailed("probability: give it as a decimal string", field="probability")
    try:
        result = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationFailed(f"probability: {value!r} is not a number",
                               field="probability") from exc
    if not result.is_finite() or not Decimal(0) <= result <= Decimal(1):
        raise ValidationFailed("probability: between 0 and 1", field="probability")
    return result.quantize(Decimal("0.0001"))


def _clean_stage(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(fields) - STAGE_FIELDS)
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a stage field", field=unknown[0])
    cleaned = dict(fields)
    if "name" in cleaned:
        cleaned["name"] = (cleaned["name"] or "").strip()
        if not cleaned["name"]:
            raise ValidationFailed("name: a stage needs a name", field="name")
    if "probability" in cleaned:
        cleaned["probability"] = _probability(cleaned["probability"])
    category = cleaned.get("forecast_category")
    if category is not None and category not in ForecastCategory.values:
        choices = ", ".join(ForecastCategory.values)
        raise ValidationFailed(f"forecast_category: use one of {choices}",
                               field="forecast_category")
    stall = cleaned.get("stall_days")
    if stall is not None and (isinstance(stall, bool) or not isinstance(stall, int) or stall < 0):
        raise ValidationFailed("stall_days: a whole number >= 0", field="stall_days")
    return cleaned


def _check_stage(stage: PipelineStage) -> None:
    if stage.is_won and stage.is_lost:
        raise ValidationFailed("is_lost: a stage is won or lost, not both", field="is_lost")
    taken = PipelineStage.objects.filter(pipeline_id=stage.pipeline_id, name=stage.name)
    if taken.exclude(pk=stage.pk).exists():
        raise ValidationFailed(f"name: the pipeline has a stage {stage.name!r}", field="name")


def _check_shape(pipeline: Pipeline) -> None:
    """One open, one won and one lost stage at least."""
    stages = list(pipeline.stages.all())
    for label, test in (("an open", lambda s: not s.is_won and not s.is_lost),
                        ("a won", lambda s: s.is_won), ("a lost", lambda s: s.is_lost)):
        if not any(test(s) for s in stages):
            raise ValidationFailed(f"stages: a pipeline needs {label} stage", field="stages")


def _check_pipeline_name(name: str, pipeline: Pipeline | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("name: a pipeline needs a name", field="name")
    taken = Pipeline.objects.filter(name=name)
    if pipeline is not None:
        taken = taken.exclude(pk=pipeline.pk)
    if taken.exists():
        raise ValidationFailed(f"name: a pipeline {name!r} exists", field="name")
    return name


@transaction.atomic
def pipeline_create(
    *, actor: Any, name: str, stages: list[StageSpec] | None = None, is_default: bool = False
) -> Pipeline:
    """A new pipeline with `stages` in order (default: the six default stages)."""
    name = _check_pipeline_name(name)
    if is_default:
        Pipeline.objects.filter(is_default=True).update(is_default=False)
    pipeline = Pipeline.objects.create(name=name, is_default=is_default)
    for order, spec in enumerate(stages or default_stage_specs(), start=1):
        stage = PipelineStage(pipeline=pipeline, order=order,
                              **_clean_stage(spec.__dict__.copy()))
        _check_stage(stage)
        stage.save()
    _check_shape(pipeline)
    return pipeline


@transaction.atomic
def pipeline_update(
    *, pipeline: Pipeline, actor: Any, name: str | None = None, is_default: bool | None = None
) -> Pipeline:
    """Rename it, or make it the default (the former default stops being one)."""
    if name is not None:
        pipeline.name = _check_pipeline_name(name, pipeline)
    if is_default is False and pipeline.is_default:
        raise ValidationFailed("is_default: make another pipeline the default instead",
                               field="is_default")
    if is_default:
        Pipeline.objects.filter(is_default=True).exclude(pk=pipeline.pk).update(is_default=False)
        pipeline.is_default = True
    pipeline.save()
    return pipeline


@transaction.atomic
def pipeline_delete(*, pipeline: Pipeline, actor: Any) -> None:
    """Remove a pipeline and its stages: not the default one, not while deals are in it."""
    if pipeline.is_default:
        raise Conflict(f"is_default: {pipeline.name!r} is the default pipeline; make another "
                       "one the default first", field="is_default")
    deals = Deal.objects.filter(stage__pipeline=pipeline).count()
    if deals:
        raise Conflict(f"deals: {deals} deals are in pipeline {pipeline.name!r}; "
                       "delete them first", field="deals")
    pipeline.delete()


@transaction.atomic
def stage_add(*, pipeline: Pipeline, actor: Any, spec: StageSpec) -> PipelineStage:
    """Add a stage after the pipeline's last one (reorder with stages_reorder)."""
    last = pipeline.stages.aggregate(last=Max("order"))["last"] or 0
    stage = PipelineStage(pipeline=pipeline, order=last + 1,
                          **_clean_stage(spec.__dict__.copy()))
    _check_stage(stage)
    stage.save()
    return stage


@transaction.atomic
def stage_update(*, stage: PipelineStage, actor: Any, **fields: Any) -> PipelineStage:
    """Change a stage; its won/lost flags only while no deal is in it."""
    cleaned = _clean_stage(fields)
    flags = {k for k in ("is_won", "is_lost") if k in cleaned and cleaned[k] != getattr(stage, k)}
    if flags and stage.deals.exists():
        field = sorted(flags)[0]
        raise Conflict(f"{field}: deals are in this stage; their status follows it",
                       field=field)
    for key, value in cleaned.items():
        setattr(stage, key, value)
    _check_stage(stage)
    stage.save()
    _check_shape(stage.pipeline)
    return stage


@transaction.atomic
def stage_remove(*, stage: PipelineStage, actor: Any) -> None:
    """Remove a stage no deal is in nor went through."""
    if stage.deals.exists():
        raise Conflict("stage: deals are in this stage; move them first", field="stage")
    history = DealStageChange.objects.filter(Q(from_stage=stage) | Q(to_stage=stage))
    if history.exists():
        raise Conflict("stage: deals went through this stage (their history keeps it); "
                       "rename it instead", field="stage")
    pipeline = stage.pipeline
    stage.delete()
    _check_shape(pipeline)
    _renumber(pipeline, list(pipeline.stages.order_by("order").values_list("pk", flat=True)))


def _renumber(pipeline: Pipeline, stage_ids: list[int]) -> None:
    stages = pipeline.stages.all()
    offset = (stages.aggregate(top=Max("order"))["top"] or 0) + len(stage_ids) + 1
    for index, stage_id in enumerate(stage_ids, start=1):  # clear the unique orders first
        stages.filter(pk=stage_id).update(order=offset + index)
    for index, stage_id in enumerate(stage_ids, start=1):
        stages.filter(pk=stage_id).update(order=index)


@transaction.atomic
def stages_reorder(*, pipeline: Pipeline, actor: Any, stage_ids: list[int]) -> Pipeline:
    """Put the pipeline's stages in the order of `stage_ids` (each of them once)."""
    current = set(pipeline.stages.values_list("pk", flat=True))
    if sorted(stage_ids) != sorted(current):
        raise ValidationFailed("stage_ids: list every stage of the pipeline once",
                               field="stage_ids")
    _renumber(pipeline, stage_ids)
    return pipeline


def stage_shift(*, stage: PipelineStage, actor: Any, step: int) -> Pipeline:
    """Move a stage one place up (step -1) or down (+1); at an end it stays."""
    ids = list(stage.pipeline.stages.order_by("order").values_list("pk", flat=True))
    at = ids.index(stage.pk)
    to = min(max(at + step, 0), len(ids) - 1)
    ids.insert(to, ids.pop(at))
    return stages_reorder(pipeline=stage.pipeline, actor=actor, stage_ids=ids)


@transaction.atomic
def lost_reason_save(
    *, actor: Any, reason: LostReason | None = None, name: str | None = None,
    active: bool | None = None,
) -> LostReason:
    """Add (reason=None) or change a lost reason: rename it, or retire it
    (`active=False`: no longer offered, lost deals keep it) and bring it back."""
    reason = reason or LostReason(name=name or "")
    if name is not None:
        reason.name = name.strip()
        if not reason.name:
            raise ValidationFailed("name: a lost reason needs a name", field="name")
        if LostReason.objects.filter(name=reason.name).exclude(pk=reason.pk).exists():
            raise ValidationFailed(f"name: a lost reason {reason.name!r} exists", field="name")
    if active is not None:
        reason.active = active
    reason.save()
    return reason

"""The pipelines page (admins and sales managers): add a pipeline, rename it, make it the
default, and edit its stages (name, probability, forecast category, stall limit), add,
move and remove them. One form per action, posted back to the page."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.pipeline import permissions as perms
from smarketing.pipeline import pipelines as setup
from smarketing.pipeline.models import ForecastCategory, Pipeline, PipelineStage
from smarketing.pipeline.services import default_pipeline


def _percent(text: str) -> Decimal:
    """A probability typed in percent ("25" or "12.5") as a 0..1 decimal."""
    try:
        return Decimal(text.strip() or "x") / 100
    except InvalidOperation as exc:
        raise ValidationFailed(f"probability: {text!r} is not a percentage",
                               field="probability") from exc


def _stall(text: str) -> int:
    if not text.strip().isdigit():
        raise ValidationFailed("stall_days: a whole number of days", field="stall_days")
    return int(text)


def _stage_fields(post: Any) -> dict[str, Any]:
    return {"name": post.get("name", ""), "probability": _percent(post.get("probability", "")),
            "forecast_category": post.get("forecast_category", ""),
            "stall_days": _stall(post.get("stall_days", "0"))}


def _stage(post: Any) -> PipelineStage:
    stage = PipelineStage.objects.select_related("pipeline").filter(
        pk=post.get("stage") or 0).first()
    if stage is None:
        raise Http404("no such stage")
    return stage


def _pipeline(post: Any) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=post.get("pipeline") or 0).first()
    if pipeline is None:
        raise Http404("no such pipeline")
    return pipeline


def _apply(action: str, post: Any, actor: Any) -> str:
    """Run one posted action; returns what to tell the user."""
    if action == "create":
        made = setup.pipeline_create(actor=actor, name=post.get("name", ""))
        return f"Added {made.name} with the default stages."
    if action == "rename":
        made = setup.pipeline_update(pipeline=_pipeline(post), actor=actor,
                                     name=post.get("name", ""))
        return f"Renamed to {made.name}."
    if action == "default":
        made = setup.pipeline_update(pipeline=_pipeline(post), actor=actor, is_default=True)
        return f"{made.name} is the default pipeline."
    if action == "add_stage":
        spec = setup.StageSpec(**_stage_fields(post))
        made_stage = setup.stage_add(pipeline=_pipeline(post), actor=actor, spec=spec)
        return f"Added stage {made_stage.name}."
    return _apply_stage(action, post, actor)


def _apply_stage(action: str, post: Any, actor: Any) -> str:
    stage = _stage(post)
    if action == "save_stage":
        setup.stage_update(stage=stage, actor=actor, **_stage_fields(post))
        return f"Saved {post.get('name')}."
    if action in ("up", "down"):
        setup.stage_shift(stage=stage, actor=actor, step=-1 if action == "up" else 1)
        return f"Moved {stage.name} {action}."
    if action == "remove_stage":
        setup.stage_remove(stage=stage, actor=actor)
        return f"Removed {stage.name}."
    raise Http404("unknown action")


@login_required
def pipeline_setup(request: HttpRequest) -> HttpResponse:
    if not perms.pipeline_can_change(request.user):
        raise PermissionDenied("Pipelines are set up by admins and sales managers.")
    if request.method == "POST":
        try:
            messages.success(request, _apply(request.POST.get("action", ""), request.POST,
                                             request.user))
        except DomainError as exc:
            messages.error(request, f"Not saved: {exc.message}")
        return redirect("pipeline:pipelines")
    default_pipeline()
    context = {
        "pipelines": Pipeline.objects.prefetch_related("stages").order_by("-is_default", "name"),
        "categories": ForecastCategory.choices,
    }
    return render(request, "pipeline/pipelines.html", context)

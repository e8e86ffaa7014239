"""The scoring page (rules, settings, live MQL preview, history, distribution) and the
score card of the contact page. Everybody with a role reads; marketing and admin change."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.core.roles import role_of
from smarketing.people.permissions import contact_get_for_user
from smarketing.scoring import selectors, services
from smarketing.scoring.forms import EngagementRuleForm, FitRuleForm, SettingsForm, first_error
from smarketing.scoring.models import FitRule, PredictiveModel
from smarketing.scoring.permissions import can_edit_scoring
from smarketing.scoring.planning import threshold_plan

FORMS = {"fit": FitRuleForm, "engagement": EngagementRuleForm}


def _rule_form(family: str, data: Any = None, prefix: str = "") -> Any:
    """A rule form of a family; prefixed, as several sit on one page (the add forms by
    family, an edit form by its rule: `edit<id>`)."""
    return FORMS[family](data, prefix=prefix or family)


def _edit_prefix(rule_id: int) -> str:
    return f"edit{rule_id}"


def _edit_initial(rule: Any) -> dict[str, Any]:
    """An existing rule as its form shows it (JSON fields as JSON text)."""
    if isinstance(rule, FitRule):
        return {"label": rule.label, "field": rule.field, "operator": rule.operator,
                "value": json.dumps(rule.value), "points": rule.points}
    return {"label": rule.label, "event_type": rule.event_type, "event_name": rule.event_name,
            "property_filters": json.dumps(rule.property_filters), "points": rule.points,
            "daily_cap": rule.daily_cap, "rule_cap": rule.rule_cap,
            "recency_days": rule.recency_days}


def _reader(request: HttpRequest) -> Any:
    if role_of(request.user) is None:
        raise PermissionDenied("You have no role.")
    return request.user


def _editor(request: HttpRequest) -> Any:
    if not can_edit_scoring(request.user):
        raise PermissionDenied("Scoring is changed by marketing and admins.")
    return request.user


def _plan_inputs(data: Any) -> tuple[int | None, int]:
    """Capacity (blank: the reps' capacities) and period days typed in, checked."""
    values: dict[str, int | None] = {"capacity": None, "period_days": 30}
    for key, low, high in (("capacity", 0, 1_000_000), ("period_days", 1, 365)):
        text = str(data.get(key, "")).strip()
        if not text:
            continue
        if not text.isdigit() or not low <= int(text) <= high:
            raise ValidationFailed(f"{key}: give a whole number from {low} to {high}",
                                   field=key)
        values[key] = int(text)
    return values["capacity"], int(values["period_days"] or 30)


def _plan(request: HttpRequest) -> Any:
    try:
        capacity, period_days = _plan_inputs(request.GET)
    except DomainError as error:
        messages.error(request, error.message)
        capacity, period_days = None, 30
    return threshold_plan(capacity=capacity, period_days=period_days)


@login_required
@require_GET
def scoring_page(request: HttpRequest) -> HttpResponse:
    _reader(request)
    model = services.active_model()
    settings = SettingsForm(initial={
        "threshold": model.threshold, "half_life_days": model.half_life_days,
        "hand_raise_events": ", ".join(model.hand_raise_events),
        "account_aggregate": model.account_aggregate,
    })
    return render(request, "scoring/page.html", {
        "model": model, "fit_rules": model.fit_rules.all(),
        "engagement_rules": model.engagement_rules.all(), "settings_form": settings,
        "fit_form": _rule_form("fit"), "engagement_form": _rule_form("engagement"),
        "history": selectors.model_history()[:20], "can_edit": can_edit_scoring(request.user),
        "distribution": selectors.score_distribution(), "preview": None,
        "predictive": PredictiveModel.objects.order_by("-version").first(),
        "plan": _plan(request), "typed_capacity": request.GET.get("capacity", ""),
        "rescore": selectors.latest_rescore(),
    })


@login_required
@require_GET
def rescore_status(request: HttpRequest) -> HttpResponse:
    """The queued full rescore's progress (polled by the page while it runs)."""
    _reader(request)
    return render(request, "scoring/_rescore.html", {"run": selectors.latest_rescore()})


def _apply(request: HttpRequest, change: Any) -> HttpResponse:
    try:
        model = change()
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, f"Saved as version {model.version}; every contact is being rescored.")
    return redirect("scoring:page")


@login_required
@require_POST
def settings_change(request: HttpRequest) -> HttpResponse:
    actor = _editor(request)
    form = SettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("scoring:page")
    return _apply(request, lambda: services.model_change(
        actor=actor, settings=form.changes(), note=form.cleaned_data["note"]))


@login_required
@require_POST
def rule_add(request: HttpRequest, family: str) -> HttpResponse:
    actor = _editor(request)
    form = _rule_form(family, request.POST)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("scoring:page")
    return _apply(request, lambda: services.rule_add(
        actor=actor, family=family, data=form.cleaned_data))


@login_required
@require_POST
def rule_remove(request: HttpRequest, family: str, rule_id: int) -> HttpResponse:
    actor = _editor(request)
    return _apply(request, lambda: services.rule_remove(
        actor=actor, family=family, rule_id=rule_id))


def _active_rule(family: str, rule_id: int) -> Any:
    if family not in FORMS:
        raise Http404("no such rule family")
    model = services.active_model()
    rules = model.fit_rules if family == "fit" else model.engagement_rules
    rule = rules.filter(pk=rule_id).first()
    if rule is None:
        raise Http404(f"no {family} rule {rule_id} in the active model")
    return rule


@login_required
def rule_edit(request: HttpRequest, family: str, rule_id: int) -> HttpResponse:
    """GET: HTMX fragment, the rule's row as an edit form (live preview as it changes);
    POST: save it, a new model version like every change."""
    actor = _editor(request)
    rule = _active_rule(family, rule_id)
    prefix = _edit_prefix(rule_id)
    if request.method != "POST":
        form = FORMS[family](initial=_edit_initial(rule), prefix=prefix)
        return render(request, "scoring/_rule_edit.html", {
            "form": form, "family": family, "rule": rule, "prefix": prefix})
    form = _rule_form(family, request.POST, prefix)
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect("scoring:page")
    return _apply(request, lambda: services.rule_update(
        actor=actor, family=family, rule_id=rule_id, data=form.cleaned_data))


@login_required
@require_POST
def predict_train(request: HttpRequest) -> HttpResponse:
    actor = _editor(request)
    try:
        from smarketing.scoring.predictive import train  # scikit-learn: loaded on use

        model = train(actor=actor)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        auc = model.report["holdout_auc"]
        messages.success(request, f"{model} trained: holdout ROC AUC {auc:.3f}.")
    return redirect("scoring:page")


@login_required
@require_POST
def plan_apply(request: HttpRequest) -> HttpResponse:
    """Apply the planned threshold: a new version, with the plan as its reason."""
    actor = _editor(request)
    try:
        capacity, period_days = _plan_inputs(request.POST)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("scoring:page")
    plan = threshold_plan(capacity=capacity, period_days=period_days)
    if plan.recommended is None:
        messages.error(request, "No threshold fits the capacity.")
        return redirect("scoring:page")
    note = f"planned from sales capacity {plan.capacity} per {plan.period_days} days"
    return _apply(request, lambda: services.model_change(
        actor=actor, settings={"threshold": plan.recommended}, note=note))


def _draft_rules(family: str, rule_id: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The active model's rules of `family` with `data` added, or replacing the rule
    `rule_id` (an edit form)."""
    model = services.active_model()
    rules = services.rule_dicts(model)[0 if family == "fit" else 1]
    if not rule_id.isdigit():
        return [*rules, data]
    ids = [r.pk for r in (model.fit_rules if family == "fit" else model.engagement_rules).all()]
    if int(rule_id) in ids:
        rules[ids.index(int(rule_id))] = data
    return rules


def _draft(request: HttpRequest) -> dict[str, Any]:
    """The active model with the posted threshold and, when filled in, one new or
    edited rule."""
    draft: dict[str, Any] = {}
    if request.POST.get("threshold", "").strip().isdigit():
        draft["threshold"] = int(request.POST["threshold"])
    family, rule_id = request.POST.get("family", ""), request.POST.get("rule_id", "")
    prefix = _edit_prefix(int(rule_id)) if rule_id.isdigit() else family
    form = _rule_form(family, request.POST, prefix) if family in FORMS else None
    if form is not None and form.is_valid():
        draft[f"{family}_rules"] = _draft_rules(family, rule_id, form.cleaned_data)
    return draft


@login_required
@require_POST
def preview(request: HttpRequest) -> HttpResponse:
    """HTMX fragment: how many contacts would be MQLs under the draft."""
    _reader(request)
    try:
        result, error = selectors.preview(selectors.draft_spec(_draft(request))), ""
    except DomainError as problem:
        result, error = None, problem.message
    return render(request, "scoring/_preview.html", {"preview": result, "error": error})


@login_required
@require_GET
def contact_score(request: HttpRequest, contact_id: int) -> HttpResponse:
    """HTMX fragment of the contact page: the score now, explained rule by rule."""
    try:
        contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    except DomainError as error:
        raise Http404(error.message) from error
    view = selectors.contact_score(contact)
    return render(request, "scoring/_contact_score.html", {"contact": contact, "view": view})

"""Costs and channel metrics entered on the campaign page (HTMX): add, edit and delete
a cost; enter, correct and delete a day of channel metrics. Marketing and admins only
(others get a 403 page); a bad value comes back as a 400 with the form, the message
next to the field it names. Without HTMX a change redirects to the campaign page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from smarketing.campaigns import permissions as perms
from smarketing.campaigns.models import Campaign, CampaignCost, ChannelMetric
from smarketing.campaigns.sections import (
    METRIC_FIELDS,
    costs_section,
    kpi_row,
    metrics_section,
)
from smarketing.campaigns.services import (
    cost_add,
    cost_delete,
    cost_update,
    metric_delete,
    metric_from_form,
    metrics_upsert,
)
from smarketing.campaigns.views import period_of
from smarketing.core.errors import DomainError, NotFound, ValidationFailed

COST_FORM = ("kind", "amount", "start_date", "end_date", "note")


def _date(raw: str | None, field: str) -> dt.date | None:
    """A date field of a form: empty is None, a bad value names the field."""
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError as exc:
        raise ValidationFailed(f"{field}: {raw!r} is not a date (YYYY-MM-DD)",
                               field=field) from exc


def _campaign(request: HttpRequest, campaign_id: int, *, change: bool) -> Campaign:
    if change and not perms.can_change(request.user):
        raise PermissionDenied("Only marketing and admins change costs and channel metrics.")
    try:
        return perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id,
                                           change=change)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _cost(request: HttpRequest, campaign: Campaign, cost_id: int) -> CampaignCost:
    try:
        cost = perms.cost_get_for_user(user=request.user, cost_id=cost_id, change=True)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if cost.campaign_id != campaign.pk:
        raise Http404(f"cost {cost_id} not found")
    return cost


def _errors(exc: DomainError) -> dict[str, str]:
    return {exc.field or "form": exc.message}


def _respond(request: HttpRequest, campaign: Campaign, template: str, context: dict[str, Any],
             *, changed: bool) -> HttpResponse:
    """The section alone for HTMX (400 with the errors; after a change the page's KPIs
    and the other section follow out of band), else back to the campaign page."""
    status = 400 if context["errors"] else 200
    if request.headers.get("HX-Request") != "true":
        for message in context["errors"].values():
            messages.error(request, message)
        if context["notice"]:
            messages.success(request, context["notice"])
        return redirect("campaigns:detail", campaign_id=campaign.pk)
    html = render_to_string(template, context, request=request)
    extra = _out_of_band(request, campaign, context["period"], template) if changed else ""
    return HttpResponse(html + extra, status=status)


def _out_of_band(request: HttpRequest, campaign: Campaign, period: Any, template: str) -> str:
    """The KPIs and the other section, redrawn: metric spend is campaign spend."""
    other, section = (("campaigns/_metrics.html", metrics_section)
                      if template.endswith("_costs.html") else
                      ("campaigns/_costs.html", costs_section))
    parts = [("campaigns/_kpis.html", {"row": kpi_row(campaign, period)}),
             (other, section(request.user, campaign, period))]
    return "".join(render_to_string(name, {**context, "swap_oob": True}, request=request)
                   for name, context in parts)


def _cost_fields(post: Any) -> dict[str, Any]:
    return {"kind": post.get("kind", ""), "amount": post.get("amount", ""),
            "start_date": _date(post.get("start_date"), "start_date") or timezone.localdate(),
            "end_date": _date(post.get("end_date"), "end_date"),
            "note": post.get("note", "")}


@login_required
@require_http_methods(["GET", "POST"])
def costs(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """GET: the costs section (read-only for readers); POST: add a cost."""
    campaign = _campaign(request, campaign_id, change=request.method == "POST")
    period = period_of(request)
    if request.method == "GET":
        return render(request, "campaigns/_costs.html",
                      costs_section(request.user, campaign, period))
    try:
        cost_add(campaign=campaign, actor=request.user, **_cost_fields(request.POST))
    except DomainError as exc:
        context = costs_section(request.user, campaign, period, values=request.POST,
                                errors=_errors(exc))
        return _respond(request, campaign, "campaigns/_costs.html", context, changed=False)
    context = costs_section(request.user, campaign, period, notice="Cost added.")
    return _respond(request, campaign, "campaigns/_costs.html", context, changed=True)


@login_required
@require_http_methods(["GET", "POST"])
def cost_edit(request: HttpRequest, campaign_id: int, cost_id: int) -> HttpResponse:
    """GET: the section with the cost in the form; POST: save the change."""
    campaign = _campaign(request, campaign_id, change=True)
    cost, period = _cost(request, campaign, cost_id), period_of(request)
    if request.method == "GET":
        return render(request, "campaigns/_costs.html",
                      costs_section(request.user, campaign, period, editing=cost))
    try:
        cost_update(cost=cost, actor=request.user, **_cost_fields(request.POST))
    except DomainError as exc:
        cost.refresh_from_db()
        context = costs_section(request.user, campaign, period, editing=cost,
                                values=request.POST, errors=_errors(exc))
        return _respond(request, campaign, "campaigns/_costs.html", context, changed=False)
    context = costs_section(request.user, campaign, period, notice="Cost saved.")
    return _respond(request, campaign, "campaigns/_costs.html", context, changed=True)


@login_required
@require_POST
def cost_remove(request: HttpRequest, campaign_id: int, cost_id: int) -> HttpResponse:
    campaign = _campaign(request, campaign_id, change=True)
    cost_delete(cost=_cost(request, campaign, cost_id), actor=request.user)
    context = costs_section(request.user, campaign, period_of(request), notice="Cost deleted.")
    return _respond(request, campaign, "campaigns/_costs.html", context, changed=True)


@login_required
@require_http_methods(["GET", "POST"])
def metrics(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """GET: the metrics section (`?edit=DAY` puts that day in the form, marketing and
    admins); POST: store a day (a day already stored is replaced)."""
    editing = request.GET.get("edit", "")
    campaign = _campaign(request, campaign_id, change=request.method == "POST" or bool(editing))
    period = period_of(request)
    if request.method == "GET":
        found = _day_metric(campaign, editing) if editing else None
        if editing and found is None:
            raise Http404(f"no channel metrics on {editing}")
        return render(request, "campaigns/_metrics.html", metrics_section(
            request.user, campaign, period, values=found and _metric_values(found)))
    try:
        row = metric_from_form(campaign=campaign, day=_date(request.POST.get("day"), "day"),
                               values=request.POST.dict())
        metrics_upsert(actor=request.user, rows=[row])
    except DomainError as exc:
        context = metrics_section(request.user, campaign, period, values=request.POST,
                                  errors=_errors(exc))
        return _respond(request, campaign, "campaigns/_metrics.html", context, changed=False)
    context = metrics_section(request.user, campaign, period,
                              notice=f"Metrics of {row.day.isoformat()} saved.")
    return _respond(request, campaign, "campaigns/_metrics.html", context, changed=True)


def _day_metric(campaign: Campaign, day: str) -> ChannelMetric | None:
    try:
        return ChannelMetric.objects.filter(campaign=campaign,
                                            day=dt.date.fromisoformat(day)).first()
    except ValueError:
        return None


def _metric_values(metric: ChannelMetric) -> dict[str, str]:
    values = {field: str(getattr(metric, field)) for field in METRIC_FIELDS}
    return {**values, "day": metric.day.isoformat()}


@login_required
@require_POST
def metric_remove(request: HttpRequest, campaign_id: int, day: str) -> HttpResponse:
    campaign = _campaign(request, campaign_id, change=True)
    try:
        metric_delete(campaign=campaign, day=dt.date.fromisoformat(day), actor=request.user)
    except (ValueError, NotFound) as exc:
        raise Http404(f"no channel metrics on {day}") from exc
    context = metrics_section(request.user, campaign, period_of(request),
                              notice=f"Metrics of {day} deleted.")
    return _respond(request, campaign, "campaigns/_metrics.html", context, changed=True)

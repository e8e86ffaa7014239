"""HTML pages: campaign list, campaign page, attribution comparison, content library.

Everyone with a role sees them; marketing and admins add costs (others get a 403 page).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from smarketing.campaigns import permissions as perms
from smarketing.campaigns.attribution import MODELS, NO_CAMPAIGN, NONE_KEY, attribution
from smarketing.campaigns.drilldown import attribution_deals
from smarketing.campaigns.models import (
    AssetType,
    Campaign,
    CampaignStatus,
    Channel,
    ContentAsset,
)
from smarketing.campaigns.resolution import CHANNEL_LABELS
from smarketing.campaigns.sections import costs_section, kpi_row, metrics_section
from smarketing.campaigns.selectors import (
    FUNNEL,
    asset_performance,
    campaign_performance,
    channel_performance,
    count_key,
    performance_total,
    ratio,
)
from smarketing.campaigns.services import (
    asset_create,
    asset_update,
    campaign_create,
    campaign_update,
)
from smarketing.core.errors import DomainError, NotFound
from smarketing.core.periods import Period, parse_period, preset

DEFAULT_PERIOD = "this-year"
UNATTRIBUTED = (NONE_KEY, NO_CAMPAIGN)
SORTABLE = ("name", "channel", "spend", "leads", "mqls", "sqls", "opportunities", "customers",
            "pipeline", "revenue", "cpl", "roi")


def _require_role(request: HttpRequest) -> None:
    if not perms.can_read(request.user):
        raise PermissionDenied("Your account has no role.")


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def period_of(request: HttpRequest) -> Period:
    """?period=<preset> or ?start=&end= (end exclusive); by default this year. A bad
    period shows the default with a message naming the field."""
    start, end = _date(request.GET.get("start")), _date(request.GET.get("end"))
    try:
        return parse_period(start, end, period=request.GET.get("period") or None,
                            default=DEFAULT_PERIOD)
    except DomainError as exc:
        messages.error(request, exc.message)
        return preset(DEFAULT_PERIOD)


def _model_of(request: HttpRequest) -> str:
    model = request.GET.get("model", "linear")
    return model if model in MODELS else "linear"


def _sorted(rows: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    key = sort.lstrip("-")
    if key not in SORTABLE:
        return rows

    def value(row: dict[str, Any]) -> tuple[bool, Any]:
        v = row[key]
        return (v is None, v if v is not None else 0)

    return sorted(rows, key=value, reverse=sort.startswith("-"))


@login_required
@require_GET
def campaign_list_page(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    period, model = period_of(request), _model_of(request)
    sort, by = request.GET.get("sort", "-revenue"), _choice(request, "by", ("campaign", "channel"))
    found = (campaign_performance if by == "campaign" else channel_performance)(
        period, model=model)
    rows = [r for r in found if r["key"] not in UNATTRIBUTED]
    context = {"period": period, "model": model, "models": MODELS, "by": by,
               "rows": _sorted(rows, sort),
               "unattributed": [r for r in found if r["key"] in UNATTRIBUTED],
               "total": performance_total(found), "sort": sort, "sortable": SORTABLE,
               "can_change": perms.can_change(request.user)}
    return render(request, "campaigns/campaign_list.html", context)


def _attribution_by_model(period: Period, name: str, spend: Decimal) -> list[dict[str, Any]]:
    """Pipeline, revenue and ROI (revenue / spend) under each model."""
    start, end = period.bounds()
    rows = []
    for model in MODELS:
        found = {basis: next((i.amount for i in attribution(
            start=start, end=end, model=model, basis=basis).items if i.key == name),
            Decimal("0.00")) for basis in ("pipeline", "revenue")}
        rows.append({"model": model, **found, "roi": ratio(found["revenue"], spend)})
    return rows


@login_required
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _require_role(request)
    try:
        campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    period = period_of(request)
    row = kpi_row(campaign, period)
    context = {
        **costs_section(request.user, campaign, period),
        **metrics_section(request.user, campaign, period),
        "row": row, "funnel": [(stage, row[count_key(stage)]) for stage in FUNNEL],
        "assets": campaign.assets.all(),
        "by_model": _attribution_by_model(period, campaign.name, row["spend"]),
    }
    return render(request, "campaigns/campaign_detail.html", context)


CAMPAIGN_FORM_FIELDS = ("name", "channel", "utm_campaign", "utm_source", "utm_medium", "budget",
                        "status")


def _campaign_fields(post: Any) -> dict[str, Any]:
    fields = {name: post.get(name, "") for name in CAMPAIGN_FORM_FIELDS}
    fields["budget"] = fields["budget"] or "0"
    fields["start_date"] = _date(post.get("start_date")) or timezone.localdate()
    fields["end_date"] = _date(post.get("end_date"))
    return fields


@login_required
def campaign_form(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    """Create (no id) or edit a campaign: marketing and admins; others get a 403 page."""
    if not perms.can_change(request.user):
        raise PermissionDenied("Only marketing and admins create or change campaigns.")
    try:
        campaign = (perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id,
                                                change=True) if campaign_id else None)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = None
    if request.method == "POST":
        fields = _campaign_fields(request.POST)
        try:
            saved = (campaign_update(campaign=campaign, actor=request.user, **fields) if campaign
                     else campaign_create(actor=request.user, **fields))
            messages.success(request, "Campaign saved.")
            return redirect("campaigns:detail", campaign_id=saved.pk)
        except DomainError as exc:
            error = exc
    context = {"campaign": campaign, "error": error, "values": request.POST or None,
               "channels": Channel.choices, "statuses": CampaignStatus.choices}
    return render(request, "campaigns/campaign_form.html", context, status=400 if error else 200)


def _asset_fields(post: Any) -> dict[str, Any]:
    campaign_id = post.get("campaign_id") or ""
    campaign = Campaign.objects.filter(pk=int(campaign_id)).first() if campaign_id.isdigit() \
        else None
    return {"title": post.get("title", ""), "type": post.get("type", ""),
            "url": post.get("url", ""), "gated": post.get("gated") == "on", "campaign": campaign}


@login_required
def asset_form(request: HttpRequest, asset_id: int | None = None) -> HttpResponse:
    """Create (no id) or edit a content asset: marketing and admins; others get 403."""
    if not perms.can_change(request.user):
        raise PermissionDenied("Only marketing and admins create or change assets.")
    try:
        asset = (perms.asset_get_for_user(user=request.user, asset_id=asset_id, change=True)
                 if asset_id else None)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    error = None
    if request.method == "POST":
        fields = _asset_fields(request.POST)
        try:
            if asset:
                asset_update(asset=asset, actor=request.user, **fields)
            else:
                asset_create(actor=request.user, **fields)
            messages.success(request, "Asset saved.")
            return redirect("campaigns:content")
        except DomainError as exc:
            error = exc
    context = {"asset": asset, "error": error, "values": request.POST or None,
               "types": AssetType.choices, "campaigns": Campaign.objects.order_by("name")}
    return render(request, "campaigns/asset_form.html", context, status=400 if error else 200)


@login_required
@require_GET
def attribution_page(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    period = period_of(request)
    basis = _choice(request, "basis", ("revenue", "pipeline"))
    by = _choice(request, "by", ("campaign", "channel"))
    start, end = period.bounds()
    results = {m: attribution(start=start, end=end, model=m, basis=basis, by=by)
               for m in MODELS}
    keys = sorted({i.key for r in results.values() for i in r.items})
    query = {"start": period.start.isoformat(), "end": period.end.isoformat(),
             "basis": basis, "by": by}
    table = [{"key": key, "label": CHANNEL_LABELS.get(key, key) if by == "channel" else key,
              "cells": [{"amount": amount_of(results[m], key),
                         "url": "?".join((reverse("campaigns:attribution_deals"), urlencode(
                             {**query, "model": m, "key": key})))} for m in MODELS]}
             for key in keys]
    chart = {"models": list(MODELS), "keys": [row["label"] for row in table],
             "amounts": [[str(c["amount"]) for c in row["cells"]]  # type: ignore[index]
                         for row in table]}
    context = {"period": period, "basis": basis, "by": by, "models": MODELS, "table": table,
               "totals": [results[m].total for m in MODELS], "chart": json.dumps(chart)}
    return render(request, "campaigns/attribution.html", context)


def amount_of(result: Any, key: str) -> Decimal:
    return next((i.amount for i in result.items if i.key == key), Decimal("0.00"))


def _choice(request: HttpRequest, name: str, allowed: tuple[str, ...]) -> str:
    value = request.GET.get(name, allowed[0])
    return value if value in allowed else allowed[0]


@login_required
@require_GET
def attribution_deals_page(request: HttpRequest) -> HttpResponse:
    """The deals and touches behind one number of the attribution page."""
    _require_role(request)
    period, key = period_of(request), request.GET.get("key", "")
    model = _model_of(request)
    basis = _choice(request, "basis", ("revenue", "pipeline"))
    by = _choice(request, "by", ("campaign", "channel"))
    start, end = period.bounds()
    count, deals = attribution_deals(start=start, end=end, model=model, basis=basis, by=by,
                                     key=key, limit=100)
    context = {"period": period, "model": model, "basis": basis, "by": by, "key": key,
               "label": CHANNEL_LABELS.get(key, key) if by == "channel" else key,
               "count": count, "deals": deals,
               "total": sum((d.attributed for d in deals), Decimal("0.00"))}
    return render(request, "campaigns/attribution_deals.html", context)


@login_required
@require_GET
def content_library(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    assets = ContentAsset.objects.select_related("campaign").order_by("title", "id")
    kind = request.GET.get("type", "")
    if kind:
        assets = assets.filter(type=kind)
    stats = asset_performance()
    rows = [(asset, stats.get(asset.pk)) for asset in assets]
    return render(request, "campaigns/content_library.html",
                  {"rows": rows, "type": kind, "can_change": perms.can_change(request.user),
                   "types": ContentAsset._meta.get_field("type").choices})

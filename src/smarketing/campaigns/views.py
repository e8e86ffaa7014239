"""HTML pages: campaign list, campaign page, attribution comparison, content library.

Everyone with a role sees them; marketing and admins add costs (others get a 403 page).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from smarketing.campaigns import permissions as perms
from smarketing.campaigns.attribution import MODELS, attribution
from smarketing.campaigns.models import ContentAsset, CostKind
from smarketing.campaigns.resolution import CHANNEL_LABELS
from smarketing.campaigns.selectors import (
    FUNNEL,
    Period,
    asset_performance,
    campaign_performance,
)
from smarketing.campaigns.services import cost_add
from smarketing.core.errors import DomainError, NotFound

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
    """?start=&end= (end exclusive); by default the current calendar year."""
    year = timezone.localdate().year
    start = _date(request.GET.get("start")) or dt.date(year, 1, 1)
    end = _date(request.GET.get("end")) or dt.date(start.year + 1, 1, 1)
    return Period(start, end) if end > start else Period(start, start + dt.timedelta(days=1))


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
    sort = request.GET.get("sort", "-revenue")
    rows = _sorted(campaign_performance(period, model=model), sort)
    context = {"period": period, "model": model, "models": MODELS, "rows": rows,
               "sort": sort, "sortable": SORTABLE, "can_change": perms.can_change(request.user)}
    return render(request, "campaigns/campaign_list.html", context)


def _attribution_by_model(period: Period, name: str) -> list[dict[str, Any]]:
    start, end = period.bounds()
    rows = []
    for model in MODELS:
        found = {basis: next((i for i in attribution(
            start=start, end=end, model=model, basis=basis).items if i.key == name), None)
            for basis in ("pipeline", "revenue")}
        rows.append({
            "model": model,
            "pipeline": found["pipeline"].amount if found["pipeline"] else Decimal("0.00"),
            "revenue": found["revenue"].amount if found["revenue"] else Decimal("0.00"),
        })
    return rows


def _metrics_chart(campaign: Any, period: Period) -> str:
    metrics = campaign.metrics.filter(day__gte=period.start, day__lt=period.end)
    return json.dumps({
        "labels": [m.day.isoformat() for m in metrics],
        "impressions": [m.impressions for m in metrics],
        "clicks": [m.clicks for m in metrics],
        "spend": [str(m.spend) for m in metrics],
    })


@login_required
@require_GET
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    _require_role(request)
    try:
        campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    period = period_of(request)
    row = next(r for r in campaign_performance(period) if r["key"] == str(campaign.pk))
    context = {
        "campaign": campaign, "period": period, "row": row,
        "funnel": [(stage, row[_count_key(stage)]) for stage in FUNNEL],
        "costs": campaign.costs.all(), "assets": campaign.assets.all(),
        "by_model": _attribution_by_model(period, campaign.name),
        "metrics_chart": _metrics_chart(campaign, period),
        "can_change": perms.can_change(request.user), "cost_kinds": CostKind.choices,
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _count_key(stage: str) -> str:
    return {"opportunity": "opportunities"}.get(stage, f"{stage}s")


@login_required
@require_POST
def campaign_cost_add(request: HttpRequest, campaign_id: int) -> HttpResponse:
    if not perms.can_change(request.user):
        raise PermissionDenied("Only marketing and admins enter costs.")
    try:
        campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id,
                                               change=True)
        cost_add(
            campaign=campaign, actor=request.user, kind=request.POST.get("kind", ""),
            amount=request.POST.get("amount", ""),
            start_date=_date(request.POST.get("start_date")) or timezone.localdate(),
            end_date=_date(request.POST.get("end_date")), note=request.POST.get("note", ""),
        )
        messages.success(request, "Cost added.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("campaigns:detail", campaign_id=campaign_id)


@login_required
@require_GET
def attribution_page(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    period = period_of(request)
    basis = request.GET.get("basis", "revenue")
    basis = basis if basis in ("pipeline", "revenue") else "revenue"
    by = request.GET.get("by", "campaign")
    by = by if by in ("campaign", "channel") else "campaign"
    start, end = period.bounds()
    results = {m: attribution(start=start, end=end, model=m, basis=basis, by=by)
               for m in MODELS}
    keys = sorted({i.key for r in results.values() for i in r.items})
    table = [{"key": key, "label": CHANNEL_LABELS.get(key, key) if by == "channel" else key,
              "amounts": [next((i.amount for i in results[m].items if i.key == key),
                               Decimal("0.00")) for m in MODELS]} for key in keys]
    chart = {"models": list(MODELS), "keys": [row["label"] for row in table],
             "amounts": [[str(a) for a in row["amounts"]] for row in table]}
    context = {"period": period, "basis": basis, "by": by, "models": MODELS, "table": table,
               "totals": [results[m].total for m in MODELS], "chart": json.dumps(chart)}
    return render(request, "campaigns/attribution.html", context)


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
                  {"rows": rows, "type": kind, "types": ContentAsset._meta.get_field(
                      "type").choices})

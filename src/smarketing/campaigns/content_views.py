"""The contact page's Content panel (loaded by HTMX): the assets the contact viewed or
downloaded (tracking events naming them) and was sent, and a form to share an asset
with the contact (an email activity on the timeline). Anyone with a role who sees the
contact shares; a contact they may not see is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.db.models.fields.json import KT
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from smarketing.campaigns import permissions as perms
from smarketing.campaigns.exports import ASSET_COLUMNS
from smarketing.campaigns.lists import asset_list
from smarketing.campaigns.models import AssetShare, ContentAsset
from smarketing.campaigns.selectors import asset_performance
from smarketing.campaigns.services import asset_share
from smarketing.core.errors import DomainError, NotFound
from smarketing.core.export import queryset_csv
from smarketing.people.permissions import contact_get_for_user
from smarketing.pipeline.models import Deal
from smarketing.tracking.models import Event


def _interactions(contact: Any) -> list[dict[str, Any]]:
    """Assets named by the contact's events: each with the count and the last time."""
    rows = (Event.objects.filter(contact=contact, properties__has_key="asset_id")
            .annotate(asset=KT("properties__asset_id")).values("asset")
            .annotate(n=Count("pk"), last=Max("timestamp")))
    counts = {str(r["asset"]): r for r in rows}
    assets = ContentAsset.objects.filter(
        pk__in=[int(k) for k in counts if k.isdigit()]).order_by("title")
    return [{"asset": a, "count": counts[str(a.pk)]["n"], "last": counts[str(a.pk)]["last"]}
            for a in assets]


def _context(contact: Any, **state: Any) -> dict[str, Any]:
    shares = (AssetShare.objects.filter(contact=contact)
              .select_related("asset", "shared_by").order_by("-at")[:20])
    return {"contact": contact, "interactions": _interactions(contact), "shares": shares,
            "assets": ContentAsset.objects.order_by("title", "id"), "error": None,
            "notice": "", **state}


@login_required
@require_http_methods(["GET", "POST"])
def contact_content(request: HttpRequest, contact_id: int) -> HttpResponse:
    if not perms.can_read(request.user):
        raise PermissionDenied("Your account has no role.")
    try:
        contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    if request.method == "GET":
        return render(request, "campaigns/_contact_content.html", _context(contact))
    raw = request.POST.get("asset_id", "")
    try:
        asset = perms.asset_get_for_user(user=request.user,
                                         asset_id=int(raw) if raw.isdigit() else 0)
        share = asset_share(asset=asset, contact=contact, actor=request.user,
                            note=request.POST.get("note", "")[:2000])
    except DomainError as exc:
        error = {"field": "asset_id", "message": f"asset_id: choose an asset ({exc.message})"}
        return render(request, "campaigns/_contact_content.html",
                      _context(contact, error=error), status=400)
    return render(request, "campaigns/_contact_content.html",
                  _context(contact, notice=f"Shared “{share.asset.title}”."))


@login_required
@require_http_methods(["GET"])
def asset_deals(request: HttpRequest, asset_id: int) -> HttpResponse:
    """The won and lost deals an asset appeared in (a deal contact interacted with it
    before the close), as the content library counts them."""
    if not perms.can_read(request.user):
        raise PermissionDenied("Your account has no role.")
    try:
        asset = perms.asset_get_for_user(user=request.user, asset_id=asset_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    stats = asset_performance().get(asset.pk)
    ids = (stats.won | stats.lost) if stats else set()
    deals = (Deal.objects.filter(pk__in=ids).select_related("owner", "company")
             .order_by("-closed_at", "-pk"))
    return render(request, "campaigns/asset_deals.html", {"asset": asset, "deals": deals})


@login_required
@require_GET
def asset_export(request: HttpRequest) -> StreamingHttpResponse:
    """The content library's current filter (type), every asset, as CSV."""
    if not perms.can_read(request.user):
        raise PermissionDenied("Your account has no role.")
    return queryset_csv("assets.csv", asset_list(type=request.GET.get("type") or None),
                        ASSET_COLUMNS)

"""/api/v1/campaigns (+ costs, bulk channel metrics, performance), /costs, /assets and
/attribution. Everyone with a role reads; marketing and admins change (others get 403
on create and 404 on an object they may not change)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Status

from smarketing.campaigns import permissions as perms
from smarketing.campaigns.attribution import attribution
from smarketing.campaigns.drilldown import attribution_deals
from smarketing.campaigns.exports import ASSET_COLUMNS, CAMPAIGN_COLUMNS, METRIC_COLUMNS
from smarketing.campaigns.imports import import_costs, import_metrics
from smarketing.campaigns.lists import (
    ShareFilters,
    asset_list,
    campaign_list,
    cost_list,
    metric_list,
    share_list,
)
from smarketing.campaigns.models import Campaign, ChannelMetric
from smarketing.campaigns.schemas import (
    AssetIn,
    AssetList,
    AssetOut,
    AssetPatch,
    AssetQuery,
    AssetShareIn,
    AssetShareList,
    AssetShareOut,
    AssetShareQuery,
    AttributionDealsOut,
    AttributionOut,
    CampaignIn,
    CampaignList,
    CampaignMetricQuery,
    CampaignOut,
    CampaignPatch,
    CampaignQuery,
    CostIn,
    CostList,
    CostOut,
    CostPatch,
    CostQuery,
    ImportIn,
    ImportOut,
    MetricList,
    MetricOut,
    MetricQuery,
    MetricsIn,
    MetricsStored,
    PerformanceOut,
)
from smarketing.campaigns.selectors import (
    campaign_performance,
    channel_performance,
    performance_total,
)
from smarketing.campaigns.services import (
    MetricRow,
    asset_create,
    asset_delete,
    asset_share,
    asset_update,
    campaign_create,
    campaign_delete,
    campaign_update,
    cost_add,
    cost_delete,
    cost_update,
    metric_delete,
    metrics_upsert,
)
from smarketing.core.errors import NotFound, ValidationFailed
from smarketing.core.export import queryset_csv
from smarketing.core.periods import parse_period
from smarketing.people.permissions import contact_get_for_user

campaigns_router = Router(tags=["campaigns"])
costs_router = Router(tags=["campaigns"])
assets_router = Router(tags=["assets"])
attribution_router = Router(tags=["attribution"])


def _refs(data: dict[str, Any]) -> dict[str, Any]:
    """owner_id / campaign_id in a body -> the objects the services take."""
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        owner = get_user_model().objects.filter(pk=owner_id).first() if owner_id else None
        if owner_id and owner is None:
            raise ValidationFailed(f"owner_id: user {owner_id} not found", field="owner_id")
        data["owner"] = owner
    if "campaign_id" in data:
        campaign_id = data.pop("campaign_id")
        data["campaign"] = _campaign(campaign_id) if campaign_id is not None else None
    return data


def _campaign(campaign_id: int) -> Campaign:
    found = Campaign.objects.filter(pk=campaign_id).first()
    if found is None:
        raise ValidationFailed(f"campaign_id: campaign {campaign_id} not found",
                               field="campaign_id")
    return found


@campaigns_router.get("", response=CampaignList,
                      summary="Campaigns (filters, sort; newest start first by default)")
def campaigns_list(request: HttpRequest, query: Query[CampaignQuery]) -> Any:
    return query.page_of(_campaigns(query))


def _campaigns(query: CampaignQuery) -> Any:
    return campaign_list(**query.filters())


@campaigns_router.get("/export.csv", summary="The campaigns matching the filters, as CSV")
def campaigns_export(request: HttpRequest, query: Query[CampaignQuery]) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    return queryset_csv("campaigns.csv", _campaigns(query), CAMPAIGN_COLUMNS)


@campaigns_router.post("", response={201: CampaignOut}, summary="Create a campaign")
def campaigns_create(request: HttpRequest, payload: CampaignIn) -> Status:
    perms.require_change(request.user)
    return Status(201, campaign_create(actor=request.user, **_refs(payload.dict())))


@campaigns_router.get("/performance", response=PerformanceOut,
                      summary="Spend, funnel, attributed pipeline/revenue and cost KPIs")
def campaigns_performance(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None,
    period: str | None = None, model: str = "linear", by: str = "campaign",
) -> Any:
    period_ = parse_period(start, end, period=period)
    if by not in ("campaign", "channel"):
        raise ValidationFailed("by: use campaign or channel", field="by")
    rows = (campaign_performance if by == "campaign" else channel_performance)(
        period_, model=model)
    return {"start": period_.start, "end": period_.end, "model": model, "by": by,
            "items": rows, "total": performance_total(rows)}


@campaigns_router.get("/metrics", response=MetricList,
                      summary="Channel metrics of every campaign (filters, sort, pages)")
def campaigns_metrics_list(request: HttpRequest, query: Query[MetricQuery]) -> Any:
    return query.page_of(metric_list(**query.filters()))


@campaigns_router.get("/metrics/export.csv",
                      summary="The channel metrics matching the list's filters, as CSV")
def campaigns_metrics_export(
    request: HttpRequest, query: Query[MetricQuery]
) -> StreamingHttpResponse:
    """Streamed: every matching day (limit and offset are ignored)."""
    return queryset_csv("channel-metrics.csv", metric_list(**query.filters()), METRIC_COLUMNS)


@campaigns_router.post("/metrics", response=MetricsStored,
                       summary="Store channel metrics in bulk (a campaign-day again replaces)")
def campaigns_metrics_bulk(request: HttpRequest, payload: MetricsIn) -> Any:
    perms.require_change(request.user)
    rows = [MetricRow(**item.dict()) for item in payload.items]
    return {"stored": metrics_upsert(actor=request.user, rows=rows)}


@campaigns_router.post("/import/costs", response=ImportOut,
                       summary="Import costs from CSV text (all or nothing)")
def campaigns_import_costs(request: HttpRequest, payload: ImportIn) -> Any:
    perms.require_change(request.user)
    return {"imported": import_costs(actor=request.user, text=payload.csv,
                                     mapping=payload.mapping)}


@campaigns_router.post("/import/metrics", response=ImportOut,
                       summary="Import channel metrics from CSV text (generic or facebook)")
def campaigns_import_metrics(request: HttpRequest, payload: ImportIn) -> Any:
    perms.require_change(request.user)
    return {"imported": import_metrics(actor=request.user, text=payload.csv,
                                       format=payload.format, mapping=payload.mapping)}


@campaigns_router.get("/{campaign_id}", response=CampaignOut, summary="One campaign")
def campaigns_get(request: HttpRequest, campaign_id: int) -> Any:
    return perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id)


@campaigns_router.patch("/{campaign_id}", response=CampaignOut, summary="Change a campaign")
def campaigns_patch(request: HttpRequest, campaign_id: int, payload: CampaignPatch) -> Any:
    campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id,
                                           change=True)
    fields = _refs(payload.dict(exclude_unset=True))
    return campaign_update(campaign=campaign, actor=request.user, **fields)


@campaigns_router.delete("/{campaign_id}", response={204: None}, summary="Delete a campaign")
def campaigns_delete(request: HttpRequest, campaign_id: int) -> Status:
    campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id,
                                           change=True)
    campaign_delete(campaign=campaign, actor=request.user)
    return Status(204, None)


@campaigns_router.get("/{campaign_id}/costs", response=CostList,
                      summary="A campaign's costs by start date (filters, sort, pages)")
def campaigns_costs(request: HttpRequest, campaign_id: int, query: Query[CostQuery]) -> Any:
    campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    return query.page_of(cost_list(campaign, **query.filters()))


@campaigns_router.post("/{campaign_id}/costs", response={201: CostOut},
                       summary="Add a lump sum or a daily cost")
def campaigns_cost_add(request: HttpRequest, campaign_id: int, payload: CostIn) -> Status:
    campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id,
                                           change=True)
    return Status(201, cost_add(campaign=campaign, actor=request.user, **payload.dict()))


@campaigns_router.get("/{campaign_id}/metrics", response=MetricList,
                      summary="A campaign's channel metrics (days in [start, end), sort, pages)")
def campaigns_metrics(
    request: HttpRequest, campaign_id: int, query: Query[CampaignMetricQuery]
) -> Any:
    campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    qs = metric_list(campaign_id=campaign.pk, **query.filters())
    return query.page_of(qs)


@campaigns_router.get("/{campaign_id}/metrics/{day}", response=MetricOut,
                      summary="A campaign's channel metrics of one day")
def campaigns_metric_get(request: HttpRequest, campaign_id: int, day: dt.date) -> Any:
    campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id)
    metric = ChannelMetric.objects.filter(campaign=campaign, day=day).first()
    if metric is None:
        raise NotFound(f"day: no channel metrics on {day.isoformat()}", field="day")
    return metric


@campaigns_router.delete("/{campaign_id}/metrics/{day}", response={204: None},
                         summary="Delete a campaign's channel metrics of one day")
def campaigns_metric_delete(request: HttpRequest, campaign_id: int, day: dt.date) -> Status:
    campaign = perms.campaign_get_for_user(user=request.user, campaign_id=campaign_id,
                                           change=True)
    metric_delete(campaign=campaign, day=day, actor=request.user)
    return Status(204, None)


@costs_router.get("/{cost_id}", response=CostOut, summary="One cost")
def costs_get(request: HttpRequest, cost_id: int) -> Any:
    return perms.cost_get_for_user(user=request.user, cost_id=cost_id)


@costs_router.patch("/{cost_id}", response=CostOut, summary="Change a cost")
def costs_patch(request: HttpRequest, cost_id: int, payload: CostPatch) -> Any:
    cost = perms.cost_get_for_user(user=request.user, cost_id=cost_id, change=True)
    return cost_update(cost=cost, actor=request.user, **payload.dict(exclude_unset=True))


@costs_router.delete("/{cost_id}", response={204: None}, summary="Delete a cost")
def costs_delete(request: HttpRequest, cost_id: int) -> Status:
    cost = perms.cost_get_for_user(user=request.user, cost_id=cost_id, change=True)
    cost_delete(cost=cost, actor=request.user)
    return Status(204, None)


@assets_router.get("", response=AssetList, summary="Content assets (filters, sort)")
def assets_list(request: HttpRequest, query: Query[AssetQuery]) -> Any:
    qs = asset_list(**query.filters())
    return query.page_of(qs)


@assets_router.get("/export.csv", summary="The content assets matching the list's filters, as CSV")
def assets_export(request: HttpRequest, query: Query[AssetQuery]) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    qs = asset_list(**query.filters())
    return queryset_csv("assets.csv", qs, ASSET_COLUMNS)


@assets_router.get("/shares", response=AssetShareList,
                   summary="Asset shares: which asset went to which contact, by whom, when")
def assets_shares(request: HttpRequest, query: Query[AssetShareQuery]) -> Any:
    qs = share_list(ShareFilters(**query.filters()))
    return query.page_of(qs)


@assets_router.post("", response={201: AssetOut}, summary="Create a content asset")
def assets_create(request: HttpRequest, payload: AssetIn) -> Status:
    perms.require_change(request.user)
    return Status(201, asset_create(actor=request.user, **_refs(payload.dict())))


@assets_router.get("/{asset_id}", response=AssetOut, summary="One content asset")
def assets_get(request: HttpRequest, asset_id: int) -> Any:
    return perms.asset_get_for_user(user=request.user, asset_id=asset_id)


@assets_router.patch("/{asset_id}", response=AssetOut, summary="Change a content asset")
def assets_patch(request: HttpRequest, asset_id: int, payload: AssetPatch) -> Any:
    asset = perms.asset_get_for_user(user=request.user, asset_id=asset_id, change=True)
    return asset_update(asset=asset, actor=request.user,
                        **_refs(payload.dict(exclude_unset=True)))


@assets_router.delete("/{asset_id}", response={204: None}, summary="Delete a content asset")
def assets_delete(request: HttpRequest, asset_id: int) -> Status:
    asset = perms.asset_get_for_user(user=request.user, asset_id=asset_id, change=True)
    asset_delete(asset=asset, actor=request.user)
    return Status(204, None)


@assets_router.post("/{asset_id}/share", response={201: AssetShareOut},
                   summary="Send an asset to a contact (logged as an email activity)")
def assets_share(request: HttpRequest, asset_id: int, payload: AssetShareIn) -> Status:
    asset = perms.asset_get_for_user(user=request.user, asset_id=asset_id)
    contact = contact_get_for_user(user=request.user, contact_id=payload.contact_id)
    share = asset_share(asset=asset, contact=contact, actor=request.user, note=payload.note)
    return Status(201, share)


@attribution_router.get("", response=AttributionOut,
                        summary="Attributed pipeline or revenue by campaign or channel")
def attribution_get(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None,
    period: str | None = None, model: str = "linear", basis: str = "revenue",
    by: str = "campaign",
) -> Any:
    period_ = parse_period(start, end, period=period)
    first, last = period_.bounds()
    result = attribution(start=first, end=last, model=model, basis=basis, by=by)
    items = [{"key": i.key, "amount": i.amount, "deals": i.deal_count} for i in result.items]
    return {"model": model, "basis": basis, "by": by, "start": period_.start,
            "end": period_.end, "total": result.total, "items": items}


@attribution_router.get("/deals", response=AttributionDealsOut,
                        summary="The deals and touches behind one attribution number")
def attribution_deals_get(
    request: HttpRequest, key: str, start: dt.date | None = None, end: dt.date | None = None,
    period: str | None = None, model: str = "linear", basis: str = "revenue",
    by: str = "campaign", limit: int = 50, offset: int = 0,
) -> Any:
    period_ = parse_period(start, end, period=period)
    first, last = period_.bounds()
    count, deals = attribution_deals(start=first, end=last, model=model, basis=basis, by=by,
                                     key=key, limit=min(max(limit, 1), 200),
                                     offset=max(offset, 0))
    return {"model": model, "basis": basis, "by": by, "key": key, "start": period_.start,
            "end": period_.end, "count": count, "items": deals}

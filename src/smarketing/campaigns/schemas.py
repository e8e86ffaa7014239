"""Request and response bodies of /api/v1/campaigns, /costs, /assets and /attribution."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema
from pydantic import ConfigDict

from smarketing.campaigns.models import AssetType, CampaignStatus, Channel, CostKind
from smarketing.core.schemas import PageQuery


class InSchema(Schema):
    """A request body: an unknown field is an error naming it, never silently dropped."""

    model_config = ConfigDict(extra="forbid")


class CampaignOut(Schema):
    id: int
    name: str
    channel: str
    utm_campaign: str
    utm_source: str
    utm_medium: str
    start_date: dt.date
    end_date: dt.date | None
    budget: Decimal
    owner_id: int | None
    status: str


class CampaignIn(InSchema):
    name: str = Field(..., max_length=200)
    channel: Channel
    utm_campaign: str = Field(..., max_length=200)
    utm_source: str = Field("", max_length=200)
    utm_medium: str = Field("", max_length=200)
    start_date: dt.date
    end_date: dt.date | None = None
    budget: Decimal = Decimal("0")
    owner_id: int | None = None
    status: CampaignStatus = CampaignStatus.PLANNED


class CampaignPatch(InSchema):
    name: str | None = Field(None, max_length=200)
    channel: Channel | None = None
    utm_campaign: str | None = Field(None, max_length=200)
    utm_source: str | None = Field(None, max_length=200)
    utm_medium: str | None = Field(None, max_length=200)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget: Decimal | None = None
    owner_id: int | None = None
    status: CampaignStatus | None = None


class CampaignList(Schema):
    items: list[CampaignOut]
    count: int


class CostOut(Schema):
    id: int
    campaign_id: int
    kind: str
    amount: Decimal
    start_date: dt.date
    end_date: dt.date
    note: str


class CostIn(InSchema):
    kind: CostKind
    amount: Decimal
    start_date: dt.date
    end_date: dt.date | None = None
    note: str = Field("", max_length=300)


class CostPatch(InSchema):
    kind: CostKind | None = None
    amount: Decimal | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    note: str | None = Field(None, max_length=300)


class CostList(Schema):
    items: list[CostOut]
    count: int


class MetricIn(InSchema):
    campaign_id: int
    day: dt.date
    impressions: int = Field(0, ge=0)
    clicks: int = Field(0, ge=0)
    spend: Decimal = Field(Decimal("0"), ge=0)
    likes: int = Field(0, ge=0)
    shares: int = Field(0, ge=0)
    comments: int = Field(0, ge=0)
    video_views: int = Field(0, ge=0)


class MetricsIn(InSchema):
    items: list[MetricIn] = Field(..., max_length=5000)


class MetricOut(Schema):
    campaign_id: int
    day: dt.date
    impressions: int
    clicks: int
    spend: Decimal
    likes: int
    shares: int
    comments: int
    video_views: int


class MetricList(Schema):
    items: list[MetricOut]
    count: int


class MetricsStored(Schema):
    stored: int


class AssetOut(Schema):
    id: int
    title: str
    type: str
    url: str
    campaign_id: int | None
    gated: bool


class AssetIn(InSchema):
    title: str = Field(..., max_length=300)
    type: AssetType
    url: str = Field("", max_length=1000)
    campaign_id: int | None = None
    gated: bool = False


class AssetPatch(InSchema):
    title: str | None = Field(None, max_length=300)
    type: AssetType | None = None
    url: str | None = Field(None, max_length=1000)
    campaign_id: int | None = None
    gated: bool | None = None


class AssetList(Schema):
    items: list[AssetOut]
    count: int


class AttributionItem(Schema):
    key: str
    amount: Decimal
    deals: int


class AttributionOut(Schema):
    model: str
    basis: str
    by: str
    start: dt.date
    end: dt.date
    total: Decimal
    items: list[AttributionItem]


class DrillTouchOut(Schema):
    at: dt.datetime
    event_id: int
    key: str = Field(description="The campaign or channel this touch is attributed to.")
    campaign: str
    asset: str
    percent: Decimal = Field(description="The touch's weight under the model, in %.")
    amount: Decimal


class DrillDealOut(Schema):
    deal_id: int
    name: str
    amount: Decimal
    attributed: Decimal = Field(description="What this deal gave the key.")
    touches: list[DrillTouchOut]


class AttributionDealsOut(Schema):
    model: str
    basis: str
    by: str
    key: str
    start: dt.date
    end: dt.date
    count: int
    items: list[DrillDealOut]


class PerformanceRow(Schema):
    key: str
    name: str
    channel: str
    spend: Decimal
    leads: int
    mqls: int
    sqls: int
    opportunities: int
    customers: int
    pipeline: Decimal
    revenue: Decimal
    cpl: Decimal | None
    cost_per_mql: Decimal | None
    cost_per_opportunity: Decimal | None
    cac: Decimal | None
    roi: Decimal | None


class PerformanceOut(Schema):
    start: dt.date
    end: dt.date
    model: str
    by: str
    items: list[PerformanceRow]
    total: PerformanceRow = Field(description="The sums of the rows: revenue is every deal "
                                  "won in the period (sales_revenue)")


class ImportIn(InSchema):
    csv: str = Field(..., max_length=20_000_000, description="The file's text.")
    format: str = Field("generic", description="metrics: generic or facebook")
    mapping: dict[str, str] = Field(default_factory=dict,
                                    description="{file column: field}")


class ImportOut(Schema):
    imported: int


class AssetShareIn(InSchema):
    contact_id: int
    note: str = Field("", max_length=2000)


class CampaignQuery(PageQuery):
    channel: Channel | None = None
    status: CampaignStatus | None = None
    owner_id: int | None = None
    sort: str = Field("-start_date", description="-start_date, start_date, name, -name, "
                      "created_at, -created_at, budget, -budget")


class CostQuery(PageQuery):
    kind: CostKind | None = None
    start: dt.date | None = Field(None, description="Starting on or after this day.")
    end: dt.date | None = Field(None, description="Starting before this day.")
    sort: str = Field("start_date", description="start_date, amount, created_at; - descends")


class CampaignMetricQuery(PageQuery):
    """A campaign's channel metrics list (GET /campaigns/{id}/metrics)."""

    start: dt.date | None = Field(None, description="From this day (included).")
    end: dt.date | None = Field(None, description="Before this day.")
    metric: str = Field("", description="Only the days where this metric is above zero: "
                        "impressions, clicks, spend, likes, shares, comments, video_views")
    sort: str = Field("day", description="day or a metric (impressions, clicks, spend, "
                      "likes, shares, comments, video_views); - descends")


class MetricQuery(CampaignMetricQuery):
    """Channel metrics of every campaign (GET /campaigns/metrics and its CSV export)."""

    campaign_id: int | None = None
    channel: Channel | None = Field(None, description="The campaigns of this channel.")


class AssetQuery(PageQuery):
    type: AssetType | None = None
    campaign_id: int | None = None
    gated: bool | None = None
    sort: str = Field("title", description="title, -title, created_at, -created_at")


class AssetShareQuery(PageQuery):
    asset_id: int | None = None
    contact_id: int | None = None
    user_id: int | None = Field(None, description="Who shared it.")
    start: dt.date | None = Field(None, description="Shared on or after this day.")
    end: dt.date | None = Field(None, description="Shared before this day.")
    sort: str = Field("-at", description="-at (newest first) or at")


class AssetShareOut(Schema):
    id: int
    asset_id: int
    contact_id: int
    activity_id: int
    shared_by_id: int
    at: dt.datetime


class AssetShareList(Schema):
    items: list[AssetShareOut]
    count: int

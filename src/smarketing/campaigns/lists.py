"""Reads behind the campaigns API's lists: campaigns, channel metrics, content assets and
asset shares, each filtered and ordered by a whitelisted `sort` (core.ordering.check_sort)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from smarketing.campaigns.models import (
    AssetShare,
    Campaign,
    CampaignCost,
    ChannelMetric,
    ContentAsset,
)
from smarketing.core.errors import ValidationFailed
from smarketing.core.ordering import both_ways, check_sort, in_range, matching
from smarketing.core.periods import Period

CAMPAIGN_SORTS = {
    "-start_date": ("-start_date", "name"),
    "start_date": ("start_date", "name"),
    "name": ("name",),
    "-name": ("-name",),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "budget": ("budget", "name"),
    "-budget": ("-budget", "name"),
}
ASSET_SORTS = {
    "title": ("title", "id"),
    "-title": ("-title", "-id"),
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
}
SHARE_SORTS = {"-at": ("-at", "-id"), "at": ("at", "id")}
METRICS = ("impressions", "clicks", "spend", "likes", "shares", "comments", "video_views")
# by day (the default) or by a metric, either way; ties by day then campaign
METRIC_SORTS = {
    f"{sign}{name}": tuple(f"{sign}{c}" for c in dict.fromkeys((name, "day", "campaign_id")))
    for name in ("day", *METRICS) for sign in ("", "-")
}


def campaign_list(
    *, channel: str | None = None, status: str | None = None, owner_id: int | None = None,
    sort: str = "-start_date",
) -> QuerySet[Campaign]:
    qs = Campaign.objects.select_related("owner").order_by(*check_sort(sort, CAMPAIGN_SORTS))
    if channel:
        qs = qs.filter(channel=channel)
    if status:
        qs = qs.filter(status=status)
    return qs if owner_id is None else qs.filter(owner_id=owner_id)


COST_SORTS = both_ways("start_date", "amount", "created_at")


def cost_list(
    campaign: Campaign, *, kind: str | None = None, start: dt.date | None = None,
    end: dt.date | None = None, sort: str = "start_date",
) -> QuerySet[CampaignCost]:
    """The campaign's costs (by start date by default) of one `kind`, starting in
    [start, end)."""
    qs = campaign.costs.order_by(*check_sort(sort, COST_SORTS))
    return in_range(matching(qs, kind=kind), "start_date", start, end)


def metric_list(
    *, campaign_id: int | None = None, channel: str | None = None, metric: str = "",
    start: dt.date | None = None, end: dt.date | None = None, sort: str = "day",
) -> QuerySet[ChannelMetric]:
    """Days of channel metrics: of one campaign, of the campaigns of one `channel`, the
    days where `metric` is above zero, `day` in [start, end) (either side open)."""
    qs = ChannelMetric.objects.order_by(*check_sort(sort, METRIC_SORTS))
    if metric:
        if metric not in METRICS:
            raise ValidationFailed(f"metric: use one of {', '.join(METRICS)}", field="metric")
        qs = qs.filter(**{f"{metric}__gt": 0})
    qs = matching(qs, campaign_id=campaign_id, campaign__channel=channel)
    return in_range(qs, "day", start, end)


def asset_list(
    *, type: str | None = None, campaign_id: int | None = None, gated: bool | None = None,
    sort: str = "title",
) -> QuerySet[ContentAsset]:
    qs = ContentAsset.objects.order_by(*check_sort(sort, ASSET_SORTS))
    if type:
        qs = qs.filter(type=type)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    return qs if gated is None else qs.filter(gated=gated)


@dataclass(frozen=True)
class ShareFilters:
    asset_id: int | None = None
    contact_id: int | None = None
    user_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    sort: str = "-at"


def share_list(filters: ShareFilters) -> QuerySet[AssetShare]:
    """Asset shares matching `filters`: `user_id` is who shared; `at` in [start, end)
    (dates, `end` exclusive; either alone is open on the other side)."""
    qs = AssetShare.objects.order_by(*check_sort(filters.sort, SHARE_SORTS))
    for name, column in (("asset_id", "asset_id"), ("contact_id", "contact_id"),
                         ("user_id", "shared_by_id")):
        if getattr(filters, name) is not None:
            qs = qs.filter(**{column: getattr(filters, name)})
    return in_range(qs, "at", _midnight(filters.start), _midnight(filters.end))


def _midnight(day: dt.date | None) -> dt.datetime | None:
    """The day's start in the organisation's time zone (as periods are)."""
    return None if day is None else Period(day, day + dt.timedelta(days=1)).bounds()[0]

"""The CSV columns of the campaign, channel metric and content asset exports (core.export
streams them)."""

from __future__ import annotations

from smarketing.core.export import Column

CAMPAIGN_COLUMNS = (
    Column("id"), Column("name"), Column("channel"), Column("utm_campaign"),
    Column("utm_source"), Column("utm_medium"), Column("start_date"), Column("end_date"),
    Column("budget"), Column("owner_id"), Column("owner", "owner__username"), Column("status"),
    Column("created_at"), Column("updated_at"),
)

ASSET_COLUMNS = (
    Column("id"), Column("title"), Column("type"), Column("url"), Column("campaign_id"),
    Column("campaign", "campaign__name"), Column("gated"), Column("created_at"),
    Column("updated_at"),
)

METRIC_COLUMNS = (
    Column("campaign_id"), Column("campaign", "campaign__name"),
    Column("channel", "campaign__channel"), Column("day"), Column("impressions"),
    Column("clicks"), Column("spend"), Column("likes"), Column("shares"), Column("comments"),
    Column("video_views"),
)

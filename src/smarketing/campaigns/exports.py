"""The CSV columns of the campaign export (core.export streams them)."""

from __future__ import annotations

from smarketing.core.export import Column

CAMPAIGN_COLUMNS = (
    Column("id"), Column("name"), Column("channel"), Column("utm_campaign"),
    Column("utm_source"), Column("utm_medium"), Column("start_date"), Column("end_date"),
    Column("budget"), Column("owner_id"), Column("owner", "owner__username"), Column("status"),
    Column("created_at"), Column("updated_at"),
)

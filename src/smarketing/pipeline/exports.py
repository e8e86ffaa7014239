"""The CSV columns of deal and activity exports (core.export streams them)."""

from __future__ import annotations

from smarketing.core.export import Column

DEAL_COLUMNS = (
    Column("id"), Column("name"), Column("company_id"), Column("company", "company__name"),
    Column("owner_id"), Column("owner", "owner__username"), Column("amount"),
    Column("expected_close_date"), Column("type"), Column("source_campaign"),
    Column("pipeline", "stage__pipeline__name"), Column("stage", "stage__name"),
    Column("status"), Column("stage_entered_at"), Column("lost_reason", "lost_reason__name"),
    Column("lost_note"), Column("created_at"), Column("updated_at"), Column("closed_at"),
)

ACTIVITY_COLUMNS = (
    Column("id"), Column("kind"), Column("subject"), Column("body"), Column("outcome"),
    Column("at"), Column("due_at"), Column("done_at"), Column("owner_id"),
    Column("owner", "owner__username"), Column("contact_id"), Column("company_id"),
    Column("deal_id"), Column("created_at"),
)

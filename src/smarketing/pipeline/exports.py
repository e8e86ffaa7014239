"""The CSV columns of the deal, activity, product, quota and customer exports (core.export
streams them)."""

from __future__ import annotations

from smarketing.core.export import Column
from smarketing.pipeline.upsell import CENT

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

PRODUCT_COLUMNS = (
    Column("id"), Column("name"), Column("family"), Column("list_price"), Column("active"),
    Column("created_at"), Column("updated_at"),
)

QUOTA_COLUMNS = (
    Column("id"), Column("owner_id"), Column("owner", "owner__username"), Column("period"),
    Column("start"), Column("amount"), Column("created_at"), Column("updated_at"),
)

# rows of upsell.customer_totals(): one a customer account
CUSTOMER_COLUMNS = (
    Column("company_id"), Column("company", "company__name"),
    Column("industry", "company__industry"),
    Column("revenue", format=lambda value: value.quantize(CENT)), Column("deals_won", "n"),
)

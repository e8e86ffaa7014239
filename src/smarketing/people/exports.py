"""The CSV columns of contact and company exports (core.export streams them)."""

from __future__ import annotations

from smarketing.core.export import Column
from smarketing.people.models import ORDERED_STAGES

CONTACT_COLUMNS = (
    Column("id"), Column("email"), Column("first_name"), Column("last_name"),
    Column("title"), Column("phone"), Column("company_id"), Column("company", "company__name"),
    Column("owner_id"), Column("owner", "owner__username"), Column("lifecycle_stage"),
    Column("lead_status"), Column("lead_status_reason"), Column("original_source"),
    Column("original_campaign"), Column("latest_source"), Column("latest_campaign"),
    Column("score", "scores__total"), Column("fit_score", "scores__fit"),
    Column("engagement_score", "scores__engagement"),
    *(Column(f"became_{stage}_at") for stage in ORDERED_STAGES),
    Column("created_at"), Column("updated_at"), Column("properties"),
)

COMPANY_COLUMNS = (
    Column("id"), Column("name"), Column("domain"), Column("industry"),
    Column("employee_count"), Column("annual_revenue"), Column("country"), Column("region"),
    Column("owner_id"), Column("owner", "owner__username"), Column("created_at"),
    Column("updated_at"), Column("properties"),
)

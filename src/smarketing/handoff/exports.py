"""The CSV columns of the assignment (MQL queue) export (core.export streams them).

The rows come from selectors annotated by with_sla_state (follow_up_at, breached)."""

from __future__ import annotations

from smarketing.core.export import Column

ASSIGNMENT_COLUMNS = (
    Column("id"), Column("contact_id"), Column("contact_email", "contact__email"),
    Column("contact_first_name", "contact__first_name"),
    Column("contact_last_name", "contact__last_name"), Column("rep_id"),
    Column("rep", "rep__username"), Column("team_id"), Column("routed_by"),
    Column("assigned_at"), Column("due_at"), Column("follow_up_at"), Column("breached"),
    Column("outcome"), Column("decided_at"), Column("reason", "reason__code"), Column("note"),
)

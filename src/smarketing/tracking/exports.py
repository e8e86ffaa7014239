"""The CSV columns of the events export (core.export streams them)."""

from __future__ import annotations

from smarketing.core.export import Column

EVENT_COLUMNS = tuple(Column(name) for name in (
    "id", "timestamp", "type", "name", "source_id", "message_id", "contact_id",
    "anonymous_id", "user_id", "group_id", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content", "page_url", "page_path", "referrer", "received_at",
    "sent_at", "properties", "context",
))

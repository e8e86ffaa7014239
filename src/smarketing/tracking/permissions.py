"""Who may manage tracking sources and read events (the one place these rules live).

Sources, their hosted forms and their debugger are for marketing and admins: sales
roles get 403 (API and UI). Stored events are read by every role, as contacts and
their timelines are (people/permissions.py: everyone signed in reads every record;
docs/permissions.md), so a rep sees through GET /api/v1/events what the contact
timeline and the web KPIs' drill-downs already show. Write keys themselves can only
write events, never read anything: they are not API tokens.
"""

from __future__ import annotations

from typing import Any

from smarketing.core.models import Role
from smarketing.core.roles import role_of

SOURCE_ROLES = frozenset({Role.MARKETING, Role.ADMIN})


def can_manage_sources(user: Any) -> bool:
    return role_of(user) in SOURCE_ROLES


def can_read_events(user: Any) -> bool:
    return role_of(user) is not None

"""Who may manage tracking sources: marketing and admins (the one place this rule lives).

Sales roles may not see sources or their debugger: the API answers 403, the UI 403.
Write keys themselves can only write events, never read anything.
"""

from __future__ import annotations

from typing import Any

from smarketing.core.models import Role
from smarketing.core.roles import role_of

SOURCE_ROLES = frozenset({Role.MARKETING, Role.ADMIN})


def can_manage_sources(user: Any) -> bool:
    return role_of(user) in SOURCE_ROLES

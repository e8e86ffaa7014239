"""Who may do what with scoring: everybody with a role reads; marketing and admin change."""

from __future__ import annotations

from typing import Any

from smarketing.core.errors import PermissionDenied
from smarketing.core.models import Role
from smarketing.core.roles import role_of

EDITORS = frozenset({Role.MARKETING, Role.ADMIN})


def can_edit_scoring(user: Any) -> bool:
    return role_of(user) in EDITORS


def check_can_edit_scoring(user: Any) -> None:
    if not can_edit_scoring(user):
        raise PermissionDenied("only marketing and admin change scoring models")

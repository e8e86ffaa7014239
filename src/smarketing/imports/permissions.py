"""Who may import: admins, marketing and sales managers (imports write many records
at once); reps may not. Each user sees the imports they started, admins all."""

from __future__ import annotations

from typing import Any

from smarketing.core.errors import PermissionDenied
from smarketing.core.models import Role
from smarketing.core.roles import role_of

IMPORTERS = frozenset({Role.ADMIN, Role.MARKETING, Role.SALES_MANAGER})


def can_import(user: Any) -> bool:
    return role_of(user) in IMPORTERS


def check_can_import(user: Any) -> None:
    if not can_import(user):
        raise PermissionDenied("imports: your role may not import data", field="file")

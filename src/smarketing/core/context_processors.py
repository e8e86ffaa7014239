"""Navigation shown to each role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from smarketing.core.roles import role_of

NAV = [
    # (label, url, roles allowed; None = everyone signed in)
    ("Contacts", "/contacts/", None),
    ("API docs", "/api/v1/docs", None),
    ("Admin", "/admin/", {"admin"}),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = role_of(getattr(request, "user", None))
    if role is None:
        return {"nav": [], "role": None}
    items = [(label, url) for label, url, roles in NAV if roles is None or role in roles]
    return {"nav": items, "role": role}

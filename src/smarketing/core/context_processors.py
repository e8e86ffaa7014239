"""Navigation shown to each role, and who is signed in."""

from __future__ import annotations

from typing import Any, NamedTuple

from django.http import HttpRequest

from smarketing.core.models import Notification, Role
from smarketing.core.roles import role_of


class NavItem(NamedTuple):
    label: str
    url: str
    roles: frozenset[str] | None  # None = everyone signed in


NAV: tuple[NavItem, ...] = (
    NavItem("Dashboards", "/dashboards/", None),
    NavItem("Contacts", "/contacts/", None),
    NavItem("Companies", "/companies/", None),
    NavItem("My work", "/work/", frozenset({Role.SALES_REP, Role.SALES_MANAGER})),
    NavItem("Inbox", "/inbox/", frozenset({Role.SALES_REP, Role.SALES_MANAGER, Role.ADMIN})),
    NavItem("SLA", "/sla/", None),
    NavItem("Lead quality", "/lead-quality/", None),
    NavItem("Deals", "/deals/", None),
    NavItem("Forecast", "/forecast/", None),
    NavItem("Customers", "/customers/", None),
    NavItem("Quotas", "/quotas/", frozenset({Role.SALES_MANAGER, Role.ADMIN})),
    NavItem("Pipelines", "/pipelines/", frozenset({Role.SALES_MANAGER, Role.ADMIN})),
    NavItem("Products", "/products/", frozenset({Role.SALES_MANAGER, Role.ADMIN})),
    NavItem("Campaigns", "/campaigns/", None),
    NavItem("Attribution", "/attribution/", None),
    NavItem("Content", "/content/", None),
    NavItem("Sources", "/sources/", frozenset({Role.MARKETING, Role.ADMIN})),
    NavItem("Scoring", "/scoring/", None),
    NavItem("Imports", "/imports/", frozenset({Role.MARKETING, Role.SALES_MANAGER, Role.ADMIN})),
    NavItem("Webhooks", "/integrations/webhooks/", frozenset({Role.ADMIN})),
    NavItem("API docs", "/api/v1/docs", None),
    NavItem("Admin", "/admin/", frozenset({Role.ADMIN})),
)


def nav_for(role: str | None, path: str = "") -> list[dict[str, Any]]:
    """The menu entries `role` may see, the one matching `path` marked active."""
    if role is None:
        return []
    return [
        {"label": item.label, "url": item.url, "active": path.startswith(item.url)}
        for item in NAV
        if item.roles is None or role in item.roles
    ]


def navigation(request: HttpRequest) -> dict[str, Any]:
    role = role_of(getattr(request, "user", None))
    user = getattr(request, "user", None)
    # Up to 100 unread ids rather than COUNT(*): lists stay free of counting queries.
    unread = (
        len(Notification.objects.filter(user=user, read_at__isnull=True).values_list(
            "pk", flat=True)[:100])
        if role else 0
    )
    return {
        "unread_notifications": unread,
        "nav": nav_for(role, request.path),
        "role": role,
        "role_label": Role(role).label if role else "",
    }

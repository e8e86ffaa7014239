"""The dashboards: shared (everyone's home), marketing, sales, and the customer journey."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from smarketing.analytics.dashboards import DASHBOARDS, Dashboard, assemble
from smarketing.analytics.journey import PHASES, journey, journey_rows
from smarketing.analytics.views.common import period_context, require_role
from smarketing.core.export import csv_response

TABS = (("shared", "Smarketing"), ("marketing", "Marketing"), ("sales", "Sales"),
        ("journey", "Customer journey"))


def _dashboard(slug: str) -> Dashboard:
    try:
        return DASHBOARDS[slug]
    except KeyError:
        raise Http404("No such dashboard") from None


@login_required
@require_GET
def dashboard_page(request: HttpRequest, slug: str = "shared") -> HttpResponse:
    require_role(request)
    context = period_context(request)
    data = assemble(_dashboard(slug), context["period"], context["query"])
    context.update(data, tabs=TABS, active=slug)
    return render(request, "analytics/dashboard.html", context)


@login_required
@require_GET
def table_csv(request: HttpRequest, slug: str, key: str) -> HttpResponseBase:
    """One table of a dashboard as CSV (the same numbers the page shows)."""
    require_role(request)
    context = period_context(request)
    if slug == "journey":
        tables = _journey_tables(journey_rows(journey(context["period"])))
    else:
        tables = {t.key: (t.columns, t.rows) for t in
                  assemble(_dashboard(slug), context["period"])["tables"]}
    if key not in tables:
        raise Http404("No such table")
    columns, rows = tables[key]
    period = context["period"]
    return csv_response(f"{slug}-{key}-{period.start}-{period.end}.csv", columns, rows)


def _journey_tables(rows: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    return {
        "phases": (["phase", "contacts", "anonymous visitors", "total"],
                   [list(r) for r in rows["phases"]]),
        "flows": (["from", "to", "contacts"], [list(r) for r in rows["flows"]]),
    }


@login_required
@require_GET
def journey_page(request: HttpRequest) -> HttpResponse:
    """Contacts per journey phase at the end of the period, and the flows between them."""
    require_role(request)
    context = period_context(request)
    data = journey(context["period"])
    chart = {"phases": list(PHASES), "counts": [data.count(p) for p in PHASES],
             "flows": [{"from": s, "to": t, "count": n} for s, t, n in data.flows]}
    context.update(journey=data, rows=journey_rows(data), chart=chart, tabs=TABS,
                   active="journey")
    return render(request, "analytics/journey.html", context)

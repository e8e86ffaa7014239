"""Drill-down: the records behind a number, whose count (or amount total) equals it."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_GET

from smarketing.analytics import registry
from smarketing.analytics.dashboards import FORECAST_ROWS, FUNNEL_VIEW
from smarketing.analytics.forecast_records import forecast_records
from smarketing.analytics.formatting import fmt_value
from smarketing.analytics.funnel import funnel_records
from smarketing.analytics.journey import NEW, PHASES, flow_changes, phase_contacts
from smarketing.analytics.views.common import period_context, require_role
from smarketing.core.errors import DomainError, NotFound
from smarketing.core.export import csv_response
from smarketing.pipeline.forecast import forecast

PAGE_SIZE = 100
PERCENTILE_NOTE = ("A percentile of the forecast's simulation is not a sum: these are its "
                   "inputs, the deals won in the period and the open deals it draws.")


def _kpi(name: str) -> registry.Kpi:
    try:
        kpi = registry.get(name)
    except NotFound:
        raise Http404(f"No KPI called {name}") from None
    if kpi.records is None:
        raise Http404(f"{name} has no records behind it")
    return kpi


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def summarise(columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]], page: int,
              ) -> dict[str, Any]:
    """Count (and total `amount`) over every row; keep the rows of one page."""
    amount = columns.index("amount") if "amount" in columns else None
    total, count, kept = Decimal(0), 0, []
    first = (page - 1) * PAGE_SIZE
    for row in rows:
        if first <= count < first + PAGE_SIZE:
            kept.append(row)
        count += 1
        if amount is not None and row[amount] is not None:
            total += Decimal(str(row[amount]))
    return {"count": count, "total": total if amount is not None else None, "rows": kept,
            "page": page, "pages": max(1, -(-count // PAGE_SIZE))}


def _links(columns: tuple[str, ...]) -> dict[int, str]:
    """Columns that name a contact or deal link to it."""
    links = {}
    for i, column in enumerate(columns):
        if column == "contact_id":
            links[i] = "/contacts/{}/"
        elif column == "deal_id":
            links[i] = "/deals/{}/"
    return links


def _render(request: HttpRequest, context: dict[str, Any], columns: tuple[str, ...],
            rows: Iterable[tuple[Any, ...]], filename: str) -> HttpResponseBase:
    if request.GET.get("format") == "csv":
        return csv_response(filename, columns, rows)
    context.update(summarise(columns, rows, _page_number(request)), columns=columns)
    links = _links(columns)
    context["table"] = [[(v, links[i].format(v) if i in links and v else "")
                         for i, v in enumerate(row)] for row in context["rows"]]
    return render(request, "analytics/records.html", context)


@login_required
@require_GET
def kpi_records(request: HttpRequest, name: str) -> HttpResponseBase:
    require_role(request)
    kpi = _kpi(name)
    context = period_context(request)
    period, view = context["period"], request.GET.get("view", "period")
    try:
        records = registry.records_of(kpi, period, view)
    except DomainError:
        raise Http404(f"{name} has no {view} view") from None
    with registry.evaluation():
        result = kpi.compute(period)
    value = result.parts.get("cohort") if view == "cohort" else result.value
    title = kpi.label or name.replace("_", " ").capitalize()
    if view == "cohort":
        context["query"] += "&view=cohort"
    context.update(title=f"{title} (cohort view)" if view == "cohort" else title, name=name,
                   value=fmt_value(kpi.unit, value), unit=str(kpi.unit))
    return _render(request, context, tuple(records.columns), records.rows,
                   f"{name}-{period.start}-{period.end}.csv")


@login_required
@require_GET
def funnel_step_records(request: HttpRequest, stage: str) -> HttpResponseBase:
    """The contacts behind one step of the dashboards' funnel."""
    require_role(request)
    context = period_context(request)
    try:
        qs = funnel_records(context["period"], FUNNEL_VIEW, None, stage)
    except DomainError:
        raise Http404("No such funnel stage") from None
    reached = f"became_{stage}_at"
    columns = ("contact_id", "email", "name", "lifecycle_stage", reached)
    rows = ((c.pk, c.email, c.full_name, c.lifecycle_stage, getattr(c, reached))
            for c in qs.iterator(chunk_size=2000))
    context.update(title=f"Funnel step {stage}", name=f"funnel-{stage}", value=None,
                   unit="count")
    return _render(request, context, columns, rows, f"funnel-{stage}.csv")


@login_required
@require_GET
def forecast_figure_records(request: HttpRequest, figure: str) -> HttpResponseBase:
    """The deals (or quotas) behind one figure of the forecast table."""
    require_role(request)
    context = period_context(request)
    try:
        records = forecast_records(context["period"], figure)
    except DomainError:
        raise Http404("No such forecast figure") from None
    label = dict(FORECAST_ROWS)[figure]
    value = forecast(context["period"]).get(figure)
    context.update(title=f"Forecast: {label}", name=f"forecast-{figure}", unit="money",
                   value=fmt_value(registry.Unit.MONEY, value),
                   note="" if records.sum_of else PERCENTILE_NOTE)
    return _render(request, context, records.columns, records.rows,
                   f"forecast-{figure}-{context['period'].start}.csv")


@login_required
@require_GET
def phase_records(request: HttpRequest, phase: str) -> HttpResponseBase:
    require_role(request)
    if phase not in PHASES:
        raise Http404("No such phase")
    context = period_context(request)
    qs = phase_contacts(phase, context["period"])
    columns = ("contact_id", "email", "name", "stage_at_end", "lifecycle_stage")
    rows = ((c.pk, c.email, c.full_name, getattr(c, "stage_at_end", ""), c.lifecycle_stage)
            for c in qs.iterator(chunk_size=2000))
    context.update(title=f"In {phase} at the end of the period", name=f"journey-{phase}",
                   value=None, unit="count")
    return _render(request, context, columns, rows, f"journey-{phase}.csv")


@login_required
@require_GET
def flow_records(request: HttpRequest, source: str, target: str) -> HttpResponseBase:
    require_role(request)
    if source not in (NEW, *PHASES) or target not in PHASES:
        raise Http404("No such flow")
    context = period_context(request)
    qs = flow_changes(source, target, context["period"])
    columns = ("contact_id", "contact_name", "from_stage", "to_stage", "at", "cause")
    rows = ((c.contact_id, str(c.contact), c.from_stage, c.to_stage, c.at, c.cause)
            for c in qs.iterator(chunk_size=2000))
    context.update(title=f"Moved {source} → {target}", name=f"journey-{source}-{target}",
                   value=None, unit="count")
    return _render(request, context, columns, rows, f"journey-{source}-{target}.csv")

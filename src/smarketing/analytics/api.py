"""The KPI engine's REST API: /api/v1/kpis, /kpis/{name}/records, /funnel, CSV exports.

Every signed-in role reads every KPI and every record behind it: the numbers are
shared by definition, and docs/permissions.md lets everyone read every record, so
a drill-down's count always equals the number shown, whoever looks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router

from smarketing.analytics.funnel import funnel, funnel_records
from smarketing.analytics.measures import count_rows, page_rows
from smarketing.analytics.registry import all_kpis, get, kpi_values, records_of
from smarketing.analytics.schemas import (
    FunnelOut,
    FunnelRecordsOut,
    KpiInfoOut,
    RecordsOut,
)
from smarketing.core.errors import ValidationFailed
from smarketing.core.export import csv_response
from smarketing.core.ordering import both_ways, check_sort
from smarketing.core.periods import Period, parse_period

router = Router(tags=["kpis"])
MAX_LIMIT = 1000


def _date(text: str | None, field: str) -> dt.date | None:
    if text is None or text == "":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationFailed(f"{field}: {text!r} is not a date (YYYY-MM-DD)",
                               field=field) from None


def period_of(start: str | None, end: str | None, period: str | None) -> Period:
    """start and end (end exclusive), or a preset (`period=last-month`), or this month."""
    return parse_period(_date(start, "start"), _date(end, "end"), period=period or None)


def _window(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed(f"limit: between 1 and {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise ValidationFailed("offset: 0 or more", field="offset")


def _period_out(chosen: Period) -> dict[str, Any]:
    before = chosen.previous()
    return {"start": chosen.start, "end": chosen.end,
            "previous_start": before.start, "previous_end": before.end}


@router.get("/kpis", response=dict[str, Any],
            summary="Every KPI of KPI.md by name: value, previous period, change, parts")
def kpis_get(request: HttpRequest, start: str | None = None, end: str | None = None,
             period: str | None = None, family: str | None = None,
             breakdown: str | None = None) -> Any:
    """`{"<kpi name>": {"value", "previous", "change", ...parts[, "breakdown"]}, ...,
    "period": {"start", "end", "previous_start", "previous_end"}}`."""
    chosen = period_of(start, end, period)
    return {**kpi_values(chosen, family=family or None, breakdown=breakdown or None),
            "period": _period_out(chosen)}


@router.get("/kpis/catalog", response=list[KpiInfoOut], summary="The registered KPIs")
def kpis_catalog(request: HttpRequest, family: str | None = None) -> Any:
    return [{"name": k.name, "family": k.family, "section": k.section, "unit": str(k.unit),
             "label": k.label, "breakdowns": list(k.breakdowns)}
            for k in all_kpis(family or None)]


@router.get("/kpis.csv", summary="Every KPI as CSV (name, value, previous, change)")
def kpis_csv(request: HttpRequest, start: str | None = None, end: str | None = None,
             period: str | None = None, family: str | None = None) -> StreamingHttpResponse:
    chosen = period_of(start, end, period)
    values = kpi_values(chosen, family=family or None)
    kpis = {k.name: k for k in all_kpis(family or None)}
    rows = ((name, kpis[name].family, kpis[name].unit, v["value"], v["previous"], v["change"])
            for name, v in values.items())
    return csv_response(f"kpis-{chosen.start}-{chosen.end}.csv",
                        ("name", "family", "unit", "value", "previous", "change"), rows)


@router.get("/kpis/{name}/records", response=RecordsOut,
            summary="The records behind a KPI (its count or sum of amount is the value; "
                    "view=cohort: behind its cohort part)")
def kpi_records(request: HttpRequest, name: str, start: str | None = None,
                end: str | None = None, period: str | None = None, limit: int = 100,
                offset: int = 0, view: str = "period") -> Any:
    _window(limit, offset)
    kpi, chosen = get(name), period_of(start, end, period)
    records = records_of(kpi, chosen, view)
    items = [dict(zip(records.columns, row, strict=True))
             for row in page_rows(records.rows, offset, limit)]
    return {"name": name, "columns": list(records.columns), "items": items,
            "count": count_rows(records.rows), "sum_of": records.sum_of,
            "denominator_sum_of": records.denominator_sum_of}


@router.get("/kpis/{name}/records.csv", summary="The records behind a KPI as CSV")
def kpi_records_csv(request: HttpRequest, name: str, start: str | None = None,
                    end: str | None = None, period: str | None = None,
                    view: str = "period") -> StreamingHttpResponse:
    kpi, chosen = get(name), period_of(start, end, period)
    records = records_of(kpi, chosen, view)
    rows = records.rows.iterator() if hasattr(records.rows, "iterator") else records.rows
    return csv_response(f"{name}-{chosen.start}-{chosen.end}.csv", records.columns, rows)


@router.get("/funnel", response=FunnelOut,
            summary="The funnel: counts, conversion and velocity per stage")
def funnel_get(request: HttpRequest, start: str | None = None, end: str | None = None,
               period: str | None = None, view: str = "period", stages: str | None = None,
               breakdown: str | None = None) -> Any:
    return funnel(period_of(start, end, period), view=view, stages=stages,
                  breakdown=breakdown or None)


FUNNEL_RECORD_SORTS = both_ways("id", "email", "last_name", "created_at")


@router.get("/funnel/records", response=FunnelRecordsOut,
            summary="The contacts behind one funnel step")
def funnel_records_get(request: HttpRequest, stage: str, start: str | None = None,
                       end: str | None = None, period: str | None = None,
                       view: str = "period", stages: str | None = None, limit: int = 100,
                       offset: int = 0, sort: str = Query("id", description=(
                           "id, email, last_name, created_at; - descends"))) -> Any:
    _window(limit, offset)
    qs = funnel_records(period_of(start, end, period), view, stages, stage)
    qs = qs.order_by(*check_sort(sort, FUNNEL_RECORD_SORTS))
    return {"items": list(qs[offset : offset + limit]), "count": qs.count()}


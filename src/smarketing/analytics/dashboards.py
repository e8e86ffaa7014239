"""What each dashboard shows, assembled from the KPI registry (never a second computation).

A dashboard is a list of sections of KPI names (shared/KPI.md); every figure comes
from `registry.kpi_value` (value, previous period, change and the KPI's parts).
Parts that are breakdowns (a mapping of key to number, or a list of rows) become
tables; every table can be downloaded as CSV. A KPI not registered (yet) is shown
as unavailable rather than computed here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.urls import reverse

from smarketing.analytics import registry
from smarketing.analytics.formatting import fmt_change, fmt_value
from smarketing.analytics.funnel import funnel
from smarketing.core.errors import NotFound
from smarketing.core.periods import Period, month_of, week_of
from smarketing.pipeline.forecast import forecast


@dataclass(frozen=True)
class Section:
    title: str
    kpis: tuple[str, ...]


@dataclass(frozen=True)
class Dashboard:
    slug: str
    title: str
    description: str
    sections: tuple[Section, ...]
    trends: tuple[str, ...] = ()
    funnel: bool = False
    breakdowns: tuple[str, ...] = ()
    forecast: bool = False


@dataclass
class Tile:
    name: str
    label: str
    unit: str
    available: bool
    value: Any = None
    previous: Any = None
    change: Any = None
    display: str = "n/a"
    previous_display: str = "n/a"
    change_display: str = "n/a"
    direction: str = "flat"
    drillable: bool = False
    parts: dict[str, Any] = field(default_factory=dict)
    cohort_display: str = ""  # the cohort view, for the KPIs that have one


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    units: list[str] = field(default_factory=list)  # per column, for display ("" = as is)
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) -> URL

    def display_rows(self) -> list[list[tuple[str, str]]]:
        """Each cell as (text, drill-down URL or "")."""
        units = self.units or [""] * len(self.columns)
        return [[(fmt_value(u, v) if u else _text(v), self.links.get((i, j), ""))
                 for j, (u, v) in enumerate(zip(units, row, strict=False))]
                for i, row in enumerate(self.rows)]


SHARED = Dashboard(
    "shared", "Smarketing dashboard",
    "One set of numbers for marketing and sales (shared/KPI.md).",
    (
        Section("Revenue against target", ("sales_revenue", "quota_attainment",
                                           "pipeline_value", "deals_won")),
        Section("SLA: marketing side", ("mqls", "mql_target_attainment")),
        Section("SLA: sales side", ("follow_up_compliance", "median_response_hours",
                                    "sla_breaches", "mql_acceptance_rate",
                                    "rejection_reasons")),
        Section("Marketing-sourced and influenced", (
            "marketing_sourced_pipeline", "marketing_sourced_revenue",
            "marketing_influenced_pipeline", "marketing_influenced_revenue")),
    ),
    trends=("new_leads", "mqls", "sales_revenue", "marketing_sourced_pipeline"),
    funnel=True,
)
MARKETING = Dashboard(
    "marketing", "Marketing dashboard",
    "Traffic, leads, cost and engagement, by channel and campaign.",
    (
        Section("Traffic", ("visitors", "sessions", "page_views", "bounce_rate")),
        Section("Leads", ("new_leads", "mqls", "visitor_to_lead_rate", "lead_to_mql_rate")),
        Section("Cost", ("marketing_spend", "cost_per_lead", "cost_per_mql")),
        Section("Engagement and value", ("email_open_rate", "email_click_rate",
                                         "social_engagement", "clv")),
    ),
    trends=("new_leads", "mqls", "marketing_spend"),
    breakdowns=("channel", "campaign"),
)
SALES = Dashboard(
    "sales", "Sales dashboard",
    "Revenue, win rate, cycle, quota and pipeline.",
    (
        Section("Revenue", ("sales_revenue", "deals_won", "deals_lost",
                            "opportunity_to_win_rate", "average_deal_size")),
        Section("Conversion and cycle", ("lead_to_opportunity_rate", "sql_to_customer_rate",
                                         "sales_cycle_days")),
        Section("Quota and pipeline", ("quota_attainment", "pipeline_value")),
    ),
    trends=("sales_revenue", "deals_won", "deals_lost"),
    breakdowns=("product", "region", "owner"),
    forecast=True,
)
DASHBOARDS = {d.slug: d for d in (SHARED, MARKETING, SALES)}
MAX_TREND_BUCKETS = 13
FUNNEL_VIEW = "cohort"


def tile(name: str, period: Period) -> Tile:
    """One KPI over the period with its previous period and change, ready to show."""
    try:
        kpi = registry.get(name)
    except NotFound:
        return Tile(name=name, label=_label(name), unit="", available=False)
    figures = registry.kpi_value(kpi, period)
    value, previous, change = figures.pop("value"), figures.pop("previous"), figures.pop("change")
    unit = kpi.unit
    return Tile(
        name=name, label=kpi.label or _label(name), unit=str(unit), available=True,
        value=value, previous=previous, change=change,
        display=fmt_value(unit, value), previous_display=fmt_value(unit, previous),
        change_display=fmt_change(unit, change), direction=_direction(change),
        drillable=kpi.records is not None, parts=figures,
        cohort_display=fmt_value(unit, figures["cohort"]) if "cohort" in figures else "",
    )


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _direction(change: Any) -> str:
    if change is None or change == 0:
        return "flat"
    return "up" if change > 0 else "down"


def section_tiles(dashboard: Dashboard, period: Period) -> list[tuple[Section, list[Tile]]]:
    """Each section with its tiles; a KPI in two sections is computed once."""
    cache: dict[str, Tile] = {}
    for name in dict.fromkeys(n for s in dashboard.sections for n in s.kpis):
        cache[name] = tile(name, period)
    return [(s, [cache[n] for n in s.kpis]) for s in dashboard.sections]


def kpi_table(tiles: Iterable[Tile], query: str = "") -> Table:
    """Every tile as a row; each drillable value links to its records."""
    listed = list(tiles)
    rows = [[t.label, t.display, t.previous_display, t.change_display] for t in listed]
    links = {(i, 1): f"{reverse('analytics:records', args=[t.name])}?{query}"
             for i, t in enumerate(listed) if t.drillable}
    return Table("kpis", "Every number", ["KPI", "This period", "Previous period", "Change"],
                 rows, links=links)


def breakdown_tables(tiles: Iterable[Tile], skip: Iterable[str] = ()) -> list[Table]:
    """Each breakdown part of a KPI (key -> number, or a list of rows) as a table, except
    the `by_<dimension>` parts of the dimensions in `skip` (shown in their own table)."""
    skipped = {f"by_{d}" for d in skip}
    tables = []
    for t in tiles:
        for part, data in t.parts.items():
            table = None if part in skipped else _part_table(t, part, data)
            if table is not None:
                tables.append(table)
    return tables


def _part_table(t: Tile, part: str, data: Any) -> Table | None:
    title = f"{t.label}: {part.replace('_', ' ')}"
    key = f"{t.name}.{part}"
    if part == "open_breaches":
        return open_breaches_table(key, data)
    if isinstance(data, Mapping) and data and all(_is_number(v) for v in data.values()):
        rows = [[k, v] for k, v in data.items()]
        return Table(key, title, [part.removeprefix("by_").replace("_", " "), t.label], rows,
                     ["", t.unit])
    if isinstance(data, list) and data and all(isinstance(r, Mapping) for r in data):
        columns = list(dict.fromkeys(k for r in data for k in r
                                     if not isinstance(r[k], (list, dict))))
        rows = [[r.get(c) for c in columns] for r in data]
        return Table(key, title, columns, rows)
    return None


def open_breaches_table(key: str, reps: list[dict[str, Any]]) -> Table:
    """The open SLA breaches, one row per MQL, the rep with most first (the scorecard's order)."""
    rows: list[list[Any]] = []
    links: dict[tuple[int, int], str] = {}
    for rep in reps:
        for item in rep["items"]:
            links[(len(rows), 1)] = reverse("people:contact_detail", args=[item["contact_id"]])
            rows.append([rep["rep"], item["contact"], item["hours_overdue"]])
    return Table(key, "Open SLA breaches by rep", ["Rep", "Contact", "Hours overdue"], rows,
                 links=links)


def _is_number(value: Any) -> bool:
    return value is None or isinstance(value, (int, float, Decimal))


def _text(value: Any) -> str:
    return "n/a" if value is None else str(value)


def breakdown_table(dimension: str, tiles: Iterable[Tile], period: Period) -> Table | None:
    """One row per key of `dimension`, one column per KPI of the dashboard that has it."""
    columns: list[tuple[Tile, dict[str, Any]]] = []
    for t in tiles:
        kpi = registry.get(t.name) if t.available else None
        if kpi and kpi.breakdown and dimension in kpi.breakdowns:
            columns.append((t, kpi.breakdown(period, dimension)))
    if not columns:
        return None
    keys = list(dict.fromkeys(k for _, values in columns for k in values))
    rows = [[key, *[values.get(key) for _, values in columns]] for key in keys]
    return Table(f"by-{dimension}", f"By {dimension}", [dimension, *[t.label for t, _ in columns]],
                 rows, ["", *[t.unit for t, _ in columns]])


def trend_buckets(period: Period) -> list[Period]:
    """The weeks of the period (months when it spans more than 13 weeks), latest 13."""
    step: Callable[[Any], Period] = week_of if period.days <= 7 * MAX_TREND_BUCKETS else month_of
    buckets: list[Period] = []
    current = step(period.start)
    while current.start < period.end:
        buckets.append(current)
        current = step(current.end)
    return buckets[-MAX_TREND_BUCKETS:]


def trends(names: Iterable[str], period: Period) -> dict[str, Any]:
    """Each KPI per week (or month) of the period: {"labels": [...], "series": [...]}."""
    buckets = trend_buckets(period)
    series = []
    for name in names:
        try:
            kpi = registry.get(name)
        except NotFound:
            continue
        values = [kpi.headline(b) for b in buckets]
        series.append({"name": name, "label": kpi.label or _label(name), "unit": str(kpi.unit),
                       "values": [None if v is None else float(v) for v in values]})
    return {"labels": [b.start.isoformat() for b in buckets], "series": series}


def trend_table(data: dict[str, Any]) -> Table:
    columns = ["Week starting" if _weekly(data) else "Month", *[s["label"] for s in data["series"]]]
    rows = [[label, *[s["values"][i] for s in data["series"]]]
            for i, label in enumerate(data["labels"])]
    return Table("trends", "Trends", columns, rows, ["", *[s["unit"] for s in data["series"]]])


def _weekly(data: dict[str, Any]) -> bool:
    labels = data["labels"]
    if len(labels) < 2:
        return True
    return (dt.date.fromisoformat(labels[1]) - dt.date.fromisoformat(labels[0])).days == 7


def assemble(dashboard: Dashboard, period: Period, query: str = "") -> dict[str, Any]:
    """Everything one dashboard shows for the period: tiles, tables and chart data."""
    with registry.evaluation():
        sections = section_tiles(dashboard, period)
        tiles = [t for _, ts in sections for t in ts]
        tables = [kpi_table(tiles, query)]
        by = [breakdown_table(d, tiles, period) for d in dashboard.breakdowns]
        tables += [t for t in by if t is not None]
        tables += breakdown_tables(tiles, skip=dashboard.breakdowns)
        trend = trends(dashboard.trends, period) if dashboard.trends else None
        if trend:
            tables.append(trend_table(trend))
        if dashboard.forecast:
            tables.append(forecast_table(period, query))
        steps = funnel_steps(period) if dashboard.funnel else None
        if steps is not None:
            tables.insert(1, funnel_table(steps, query))
    return {"dashboard": dashboard, "sections": sections, "tables": tables,
            "trends": trend, "funnel": steps,
            "charts": chart_data(tables, trend, steps)}


def funnel_steps(period: Period) -> list[dict[str, Any]]:
    """The cohort funnel lead -> ... -> customer (conversion, velocity) from analytics.funnel."""
    result = funnel(period, view=FUNNEL_VIEW, stages=None, breakdown=None)
    return [dict(step) for step in result["steps"]]


def funnel_table(steps: list[dict[str, Any]], query: str = "") -> Table:
    rows = [[s["stage"], s["count"], s.get("conversion"), s.get("median_days")] for s in steps]
    links = {(i, 1): f"{reverse('analytics:funnel_records', args=[s['stage']])}?{query}"
             for i, s in enumerate(steps)}
    return Table("funnel", "Funnel", ["Stage", "Contacts", "Conversion from previous step",
                                      "Median days from previous step"],
                 rows, ["", registry.Unit.COUNT, registry.Unit.RATE, registry.Unit.DAYS], links)


FORECAST_ROWS = (("closed_won", "Closed won"), ("commit", "Commit"), ("best_case", "Best case"),
                 ("pipeline", "Pipeline"), ("weighted", "Weighted pipeline"), ("quota", "Quota"),
                 ("gap", "Gap to quota"), ("p10", "Forecast P10"), ("p50", "Forecast P50"),
                 ("p90", "Forecast P90"))


def forecast_table(period: Period, query: str = "") -> Table:
    """The pipeline's forecast for the period (pipeline/forecast.py), against quota; each
    amount links to its records (analytics/forecast_records.py)."""
    figures = forecast(period)
    links = {(i, 1): f"{reverse('analytics:forecast_records', args=[key])}?{query}"
             for i, (key, _) in enumerate(FORECAST_ROWS)}
    return Table("forecast", "Forecast against quota", ["Figure", "Amount"],
                 [[label, figures.get(key)] for key, label in FORECAST_ROWS],
                 ["", registry.Unit.MONEY], links)


def _chart(key: str, kind: str, title: str, labels: list[str],
           datasets: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": f"chart-{key}", "type": kind, "title": title, "labels": labels,
            "datasets": datasets, "table": f"table-{key}"}


def chart_data(tables: list[Table], trend: dict[str, Any] | None,
               steps: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """What the page's charts draw (each names the table that holds the same numbers)."""
    charts = []
    if steps:
        charts.append(_chart("funnel", "bar", "Funnel: contacts per stage",
                             [s["stage"] for s in steps],
                             [{"label": "Contacts", "data": [s["count"] for s in steps]}]))
    if trend:
        step = "week" if _weekly(trend) else "month"
        for series in trend["series"]:
            chart = _chart(f"trend-{series['name']}", "line", f"{series['label']} by {step}",
                           trend["labels"], [{"label": series["label"], "data": series["values"]}])
            chart["table"] = "table-trends"
            charts.append(chart)
    for table in tables:
        if table.key.startswith("by-") and table.rows:
            top = table.rows[:12]
            charts.append(_chart(table.key, "bar", f"{table.title}: {table.columns[1]}",
                                 [str(r[0]) for r in top],
                                 [{"label": table.columns[1],
                                   "data": [_float(r[1]) for r in top]}]))
    return charts


def _float(value: Any) -> float | None:
    return None if value is None else float(value)

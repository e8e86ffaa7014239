"""The weekly alignment report: one self-contained HTML page (inline CSS, SVG charts,
no external asset), or the same page as PDF through WeasyPrint.

Every figure comes from the KPI registry, the funnel, the handoff scorecard, the
attribution and the forecast; the observations are computed (analytics.observations).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from smarketing.analytics import registry
from smarketing.analytics.dashboards import funnel_steps, tile
from smarketing.analytics.formatting import fmt_value
from smarketing.analytics.observations import observations
from smarketing.analytics.svg import bar_chart
from smarketing.campaigns.attribution import attribution
from smarketing.core.errors import ValidationFailed
from smarketing.core.periods import Period, quarter_of
from smarketing.pipeline.forecast import forecast

FORMATS = ("html", "pdf")
HEADLINE = (
    "new_leads", "mqls", "mql_acceptance_rate", "follow_up_compliance", "sla_breaches",
    "sales_revenue", "deals_won", "opportunity_to_win_rate", "pipeline_value",
    "marketing_sourced_pipeline", "marketing_sourced_revenue",
)
SLA = ("mql_target_attainment", "follow_up_compliance", "median_response_hours",
       "sla_breaches", "mql_acceptance_rate")
TOP_CAMPAIGNS = 10


def _funnel(period: Period) -> dict[str, Any] | None:
    steps = funnel_steps(period)
    if not steps:
        return None
    svg = bar_chart("Funnel: contacts per stage", [s["stage"] for s in steps],
                    [s["count"] for s in steps], [f"{s['count']:,}" for s in steps])
    return {"steps": steps, "svg": svg}


def _campaigns(period: Period) -> dict[str, Any]:
    start, end = period.bounds()
    result = attribution(start=start, end=end, model="linear", basis="revenue", by="campaign",
                         refresh=False)  # as of the worker's last refresh, like the tiles
    items = sorted(result.items, key=lambda i: i.amount, reverse=True)[:TOP_CAMPAIGNS]
    svg = bar_chart("Top campaigns by attributed revenue (linear)", [i.key for i in items],
                    [float(i.amount) for i in items], [fmt_value("money", i.amount) for i in items],
                    color="#2b8a3e") if items else ""
    return {"items": items, "total": result.total, "svg": svg}


def _forecast(period: Period) -> dict[str, Any]:
    quarter = quarter_of(period.end - dt.timedelta(days=1))
    return {"quarter": quarter, **forecast(quarter)}


def context(period: Period, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the report shows for the period."""
    with registry.evaluation():
        names = dict.fromkeys((*HEADLINE, *SLA, "rejection_reasons"))
        tiles = {name: tile(name, period) for name in names}
        breaches = tiles["sla_breaches"].parts.get("open_breaches", [])
        reasons = tiles["rejection_reasons"].parts
        outlook = _forecast(period)
        notes = observations(list(tiles.values()), period, breaches, outlook)
        return {
            "period": period, "last_day": period.end - dt.timedelta(days=1),
            "previous": period.previous(), "generated_at": now or timezone.now(),
            "headline": [tiles[n] for n in HEADLINE], "sla": [tiles[n] for n in SLA],
            "open_breaches": breaches, "reasons": reasons, "funnel": _funnel(period),
            "campaigns": _campaigns(period),
            "forecast": outlook, "observations": notes,
        }


def render_html(period: Period, now: dt.datetime | None = None) -> str:
    return render_to_string("analytics/report.html", context(period, now))


def pdf_of(html: str) -> bytes:
    """The report's HTML as PDF (WeasyPrint; the charts are already SVG)."""
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def render(period: Period, fmt: str, now: dt.datetime | None = None) -> bytes:
    """The report as HTML (UTF-8) or PDF bytes."""
    if fmt not in FORMATS:
        raise ValidationFailed(f"format: {fmt!r} is not one of {', '.join(FORMATS)}",
                               field="format")
    html = render_html(period, now)
    return html.encode() if fmt == "html" else pdf_of(html)

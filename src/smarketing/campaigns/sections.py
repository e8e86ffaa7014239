"""The parts of the campaign page that change in place (HTMX): its KPIs, its costs and
its channel metrics, each with its chart. views.py renders them in the whole page,
spend_views.py alone after a change."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from smarketing.campaigns import permissions as perms
from smarketing.campaigns.models import Campaign, CostKind
from smarketing.campaigns.selectors import campaign_performance, daily_spend
from smarketing.campaigns.services import COUNT_FIELDS
from smarketing.core.periods import Period

METRIC_FIELDS = (*COUNT_FIELDS[:2], "spend", *COUNT_FIELDS[2:])


def costs_chart(campaign: Campaign, period: Period) -> str:
    days = daily_spend(campaign, period)
    total, cumulative = Decimal("0.00"), []
    for _, amount in days:
        total += amount
        cumulative.append(str(total))
    return json.dumps({"labels": [day.isoformat() for day, _ in days],
                       "daily": [str(amount) for _, amount in days], "cumulative": cumulative})


def metrics_chart(metrics: list[Any]) -> str:
    return json.dumps({
        "labels": [m.day.isoformat() for m in metrics],
        "impressions": [m.impressions for m in metrics],
        "clicks": [m.clicks for m in metrics],
        "spend": [str(m.spend) for m in metrics],
    })


def kpi_row(campaign: Campaign, period: Period) -> dict[str, Any]:
    return next(r for r in campaign_performance(period) if r["key"] == str(campaign.pk))


def _base(user: Any, campaign: Campaign, period: Period) -> dict[str, Any]:
    return {"campaign": campaign, "period": period, "can_change": perms.can_change(user),
            "period_qs": urlencode({"start": period.start.isoformat(),
                                    "end": period.end.isoformat()})}


def costs_section(user: Any, campaign: Campaign, period: Period, **state: Any) -> dict[str, Any]:
    """Context of campaigns/_costs.html. `state`: editing (a cost), values (the posted
    form), errors ({field: message}), notice."""
    return {**_base(user, campaign, period), "costs": list(campaign.costs.all()),
            "cost_kinds": CostKind.choices, "costs_chart": costs_chart(campaign, period),
            "editing": None, "values": None, "errors": {}, "notice": "", **state}


def metrics_section(user: Any, campaign: Campaign, period: Period,
                    **state: Any) -> dict[str, Any]:
    """Context of campaigns/_metrics.html: the period's days. `state`: values (the form,
    posted or the day being edited), errors ({field: message}), notice."""
    metrics = list(campaign.metrics.filter(day__gte=period.start, day__lt=period.end))
    return {**_base(user, campaign, period), "metrics": metrics,
            "metric_fields": METRIC_FIELDS, "metrics_chart": metrics_chart(metrics),
            "values": None, "errors": {}, "notice": "", **state}

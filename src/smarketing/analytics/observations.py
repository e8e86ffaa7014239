"""Three observations for the alignment report, each computed from the data.

1. the rate KPI that moved most (in points) and what drove it: for the MQL acceptance
   rate, the campaign whose rejections grew most and its commonest reason; for a KPI
   with breakdowns, the key whose own change contributed most;
2. the count or money KPI that moved most (in %), with its driver the same way;
3. where the sales side of the SLA stands: the rep holding most open breaches, or,
   with none open, the quarter's forecast (P50) against quota.
An observation needs a real change (>= 1 point, >= 5 %); none is made up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from smarketing.analytics import registry
from smarketing.analytics.dashboards import Tile
from smarketing.analytics.formatting import fmt_value
from smarketing.core.periods import Period

MIN_POINTS = Decimal("0.01")
MIN_PERCENT = Decimal(5)
DRIVER_DIMENSIONS = ("campaign", "channel", "product", "region", "owner", "team")


def _moved(tiles: Iterable[Tile], rate: bool) -> Tile | None:
    """The tile with the largest absolute change among rates (or among the others)."""
    floor = MIN_POINTS if rate else MIN_PERCENT
    candidates = [t for t in tiles if t.available and t.change is not None
                  and (t.unit == registry.Unit.RATE) == rate
                  and abs(Decimal(str(t.change))) >= floor]
    return max(candidates, key=lambda t: abs(Decimal(str(t.change))), default=None)


def _headline(t: Tile) -> str:
    verb = "rose" if Decimal(str(t.change)) > 0 else "fell"
    change = "" if t.unit == registry.Unit.RATE else f" ({t.change_display})"
    return f"{t.label} {verb} from {t.previous_display} to {t.display}{change}"


def acceptance_driver(period: Period) -> str:
    """The campaign whose rejections grew most, with its commonest reason."""
    reasons = registry.get("rejection_reasons")
    now = reasons.compute(period).parts
    before = {g["key"]: g["count"] for g in reasons.compute(period.previous()).parts["by_campaign"]}
    labels = {r["code"]: r["label"] for r in now["by_reason"]}
    grown = [(g["count"] - before.get(g["key"], 0), g) for g in now["by_campaign"]]
    grown = [(delta, g) for delta, g in grown if delta > 0]
    if not grown:
        return ""
    delta, group = max(grown, key=lambda item: (item[0], item[1]["count"]))
    code, times = max(group["reasons"].items(), key=lambda kv: (kv[1], kv[0]))
    return (f"driven by campaign {group['key']}: {group['count']} rejections "
            f"({delta:+d} on the previous period), {times} of them for reason "
            f"'{labels.get(code, code)}'")


def breakdown_driver(t: Tile, period: Period) -> str:
    """The breakdown key whose change went furthest in the KPI's direction."""
    kpi = registry.get(t.name)
    dimension = next((d for d in DRIVER_DIMENSIONS if d in kpi.breakdowns), None)
    if kpi.breakdown is None or dimension is None:
        return ""
    now, before = kpi.breakdown(period, dimension), kpi.breakdown(period.previous(), dimension)
    sign = 1 if Decimal(str(t.change)) > 0 else -1
    deltas = {k: Decimal(str(now.get(k) or 0)) - Decimal(str(before.get(k) or 0))
              for k in set(now) | set(before)}
    key = max(sorted(deltas), key=lambda k: sign * deltas[k], default=None)
    if key is None or sign * deltas[key] <= 0:
        return ""
    return (f"driven by {dimension} {key}: {fmt_value(t.unit, before.get(key) or 0)} → "
            f"{fmt_value(t.unit, now.get(key) or 0)}")


def _mover(tiles: list[Tile], period: Period, rate: bool) -> str:
    t = _moved(tiles, rate)
    if t is None:
        return ""
    driver = (acceptance_driver(period) if t.name == "mql_acceptance_rate"
              else breakdown_driver(t, period))
    return f"{_headline(t)}, {driver}." if driver else f"{_headline(t)}."


def sla_or_forecast(breaches: list[dict[str, Any]], forecast: dict[str, Any] | None) -> str:
    if breaches:
        total = sum(len(rep["items"]) for rep in breaches)
        worst = breaches[0]
        oldest = max(item["hours_overdue"] for item in worst["items"])
        subject = "1 MQL past its follow-up deadline is" if total == 1 else (
            f"{total} MQLs past their follow-up deadline are")
        return (f"{subject} still open without a follow-up: {len(worst['items'])} with "
                f"{worst['rep']} (oldest {oldest} h overdue).")
    if forecast and forecast.get("quota"):
        share = Decimal(forecast["p50"]) / Decimal(forecast["quota"]) * 100
        p50, quota = fmt_value("money", forecast["p50"]), fmt_value("money", forecast["quota"])
        won = fmt_value("money", forecast["closed_won"])
        return (f"No open SLA breach. The quarter's forecast (P50 {p50}) covers {share:.0f} % "
                f"of quota {quota}; closed won so far {won}.")
    return ""


def observations(tiles: list[Tile], period: Period, open_breaches: list[dict[str, Any]],
                 forecast: dict[str, Any] | None) -> list[str]:
    makers: list[Callable[[], str]] = [
        lambda: _mover(tiles, period, rate=True),
        lambda: _mover(tiles, period, rate=False),
        lambda: sla_or_forecast(open_breaches, forecast),
    ]
    return [text for text in (make() for make in makers) if text]

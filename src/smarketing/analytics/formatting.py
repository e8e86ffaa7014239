"""Numbers as the dashboards and the report show them, by KPI unit (shared/KPI.md "Time")."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from smarketing.analytics.registry import Unit


def fmt_value(unit: str, value: Any) -> str:
    """A KPI value: counts with separators, money to the cent, rates in %, days/hours."""
    if value is None:
        return "n/a"
    number = Decimal(str(value))
    if unit == Unit.RATE:
        return f"{number * 100:,.1f} %"
    if unit == Unit.MONEY:
        return f"{number:,.2f}"
    if unit == Unit.DAYS:
        return f"{number:,.1f} d"
    if unit == Unit.HOURS:
        return f"{number:,.1f} h"
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number:,.2f}"


def fmt_change(unit: str, change: Any) -> str:
    """The change against the previous period: points for rates, % otherwise."""
    if change is None:
        return "n/a"
    number = Decimal(str(change))
    if unit == Unit.RATE:
        return f"{number * 100:+,.1f} pts"
    return f"{number:+,.1f} %"

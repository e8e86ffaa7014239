"""Fast money formatting for the pipeline pages (thousands separators, fixed places)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any, places: int = 2) -> str:
    """1234.5 -> "1,234.50" (places=0: "1,235"); "" for None."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.{int(places)}f}"


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)

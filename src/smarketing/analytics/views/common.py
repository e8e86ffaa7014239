"""What every analytics page shares: the period from the query string, CSV responses."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.core.periods import PRESETS, Period, parse_period
from smarketing.core.roles import role_of

DEFAULT_PRESET = "this-month"
PRESET_LABELS = {name: name.replace("-", " ").capitalize() for name in PRESETS}


def require_role(request: HttpRequest) -> None:
    if role_of(request.user) is None:
        raise PermissionDenied("Your account has no role.")


def _day(request: HttpRequest, name: str) -> dt.date | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(f"{name}: {value!r} is not a date (YYYY-MM-DD)",
                               field=name) from None


def period_from(request: HttpRequest) -> tuple[Period, str, str]:
    """(period, chosen preset or "custom", error message) from ?period= or ?start=&end=."""
    preset = request.GET.get("period", "").strip()
    try:
        if preset and preset != "custom":
            return parse_period(None, None, period=preset), preset, ""
        start, end = _day(request, "start"), _day(request, "end")
        if start is None and end is None:
            return parse_period(None, None, default=DEFAULT_PRESET), DEFAULT_PRESET, ""
        return parse_period(start, end), "custom", ""
    except DomainError as exc:
        return parse_period(None, None, default=DEFAULT_PRESET), DEFAULT_PRESET, exc.message


def period_query(period: Period, chosen: str = "custom") -> str:
    """The query string that selects this period again (for links): the preset, or dates."""
    if chosen in PRESETS:
        return urlencode({"period": chosen})
    return urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})


def period_context(request: HttpRequest) -> dict[str, Any]:
    period, chosen, error = period_from(request)
    return {
        "period": period, "previous": period.previous(), "chosen": chosen, "error": error,
        "presets": PRESET_LABELS, "query": period_query(period, chosen),
        "last_day": period.end - dt.timedelta(days=1),
    }


def bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")

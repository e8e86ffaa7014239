"""Pages of the handoff: the rep inbox with decisions, the SLA scorecard, lead quality.

Writes go through services; a domain error becomes a message on the page it came
from, an assignment the user may not see is a 403 page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from smarketing.core.errors import DomainError, NotFound
from smarketing.core.export import queryset_csv
from smarketing.core.periods import PRESETS
from smarketing.core.roles import role_of
from smarketing.handoff import services
from smarketing.handoff.exports import ASSIGNMENT_COLUMNS
from smarketing.handoff.models import RejectionReason, RepAvailability
from smarketing.handoff.permissions import assignment_get_for_user
from smarketing.handoff.quality import lead_quality
from smarketing.handoff.scorecard import parse_period, scorecard
from smarketing.handoff.selectors import FOLLOW_UP_KINDS, inbox, recent_activities

ACTIONS: dict[str, Callable[..., Any]] = {
    "accept": services.assignment_accept,
    "reject": services.assignment_reject,
    "disqualify": services.assignment_disqualify,
}


def _require_role(request: HttpRequest) -> None:
    if role_of(request.user) is None:
        raise PermissionDenied("Your account has no role.")


@login_required
@require_GET
def inbox_page(request: HttpRequest) -> HttpResponse:
    """The rep's open MQLs, nearest deadline first, with a live countdown."""
    _require_role(request)
    now = timezone.now()
    rows = list(inbox(request.user, now))
    recent = recent_activities([row.contact_id for row in rows])
    for row in rows:
        row.recent = recent[row.contact_id]  # type: ignore[attr-defined]
    context = {
        "rows": rows,
        "now": now,
        "kinds": FOLLOW_UP_KINDS,
        "reasons": RejectionReason.objects.filter(is_active=True),
        "away": RepAvailability.objects.filter(user_id=request.user.pk or 0, is_away=True).exists(),
    }
    return render(request, "handoff/inbox.html", context)


@login_required
@require_GET
def inbox_export(request: HttpRequest) -> StreamingHttpResponse:
    """The inbox's rows (the user's open MQLs, nearest deadline first) as CSV."""
    _require_role(request)
    return queryset_csv("inbox.csv", inbox(request.user), ASSIGNMENT_COLUMNS)


def _assignment(request: HttpRequest, assignment_id: int) -> Any:
    try:
        return assignment_get_for_user(user=request.user, assignment_id=assignment_id)
    except NotFound as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
@require_POST
def decide(request: HttpRequest, assignment_id: int, action: str) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    data: dict[str, Any] = {"note": request.POST.get("note", "")}
    if action != "accept":
        data["reason"] = request.POST.get("reason", "")
    try:
        ACTIONS[action](assignment=assignment, actor=request.user, **data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        verb = {"accept": "accepted", "reject": "rejected", "disqualify": "disqualified"}[action]
        messages.success(request, f"{assignment.contact} {verb}.")
    return redirect("handoff:inbox")


@login_required
@require_POST
def follow_up(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    kind = request.POST.get("kind", "")
    try:
        services.follow_up_log(
            assignment=assignment,
            actor=request.user,
            kind=kind,
            subject=request.POST.get("subject", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{kind.capitalize()} logged with {assignment.contact}.")
    return redirect("handoff:inbox")


def _period(request: HttpRequest) -> Any:
    """(period, error) from ?period=<preset> or ?start=&end= (this month by default)."""

    def day(name: str) -> dt.date | None:
        value = request.GET.get(name, "")
        return dt.date.fromisoformat(value) if value else None

    preset = request.GET.get("period", "")
    try:
        if preset and preset != "custom":
            return parse_period(None, None, preset), ""
        return parse_period(day("start"), day("end")), ""
    except (ValueError, DomainError) as exc:
        message = exc.message if isinstance(exc, DomainError) else "Dates are YYYY-MM-DD."
        return parse_period(None, None), message


def _period_context(request: HttpRequest) -> dict[str, Any]:
    period, error = _period(request)
    presets = [(name, name.replace("-", " ").capitalize()) for name in PRESETS]
    return {"period": period, "error": error, "presets": presets,
            "preset": request.GET.get("period", "custom")}


@login_required
@require_GET
def scorecard_page(request: HttpRequest) -> HttpResponse:
    """Both sides of the SLA over a period, for everybody."""
    _require_role(request)
    context = _period_context(request)
    card = context["card"] = scorecard(context["period"])
    reasons = card["decisions"]["rejection_reasons"]
    context["reason_groups"] = [
        ("original campaign", reasons["by_campaign"], "reasons-by-campaign"),
        ("original source", reasons["by_source"], "reasons-by-source"),
    ]
    return render(request, "handoff/scorecard.html", context)


@login_required
@require_GET
def lead_quality_page(request: HttpRequest) -> HttpResponse:
    """What sales said about the MQLs, by campaign, source and score band."""
    _require_role(request)
    context = _period_context(request)
    quality = lead_quality(context["period"])
    tables = [
        ("By campaign", quality["by_campaign"], "by-campaign"),
        ("By source channel", quality["by_source"], "by-source"),
        ("By score band", quality["by_score_band"], "by-score-band"),
        ("By scoring rule (fired when handed to sales)", quality["by_scoring_rule"],
         "by-scoring-rule"),
    ]
    context["tables"] = tables
    return render(request, "handoff/lead_quality.html", context)

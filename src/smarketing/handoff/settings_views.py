"""The handoff's settings page (/sla/settings/): SLA versions, working calendars,
routing rules in order, the managed rejection reasons, reps' capacity and away.

Admins and sales managers open it; what each may change is in permissions.py
(the forms a user may not use are not shown, and the services refuse them
anyway). Writes go through the services; a domain error comes back as a message
naming the field.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.core.models import Region, Role, Team
from smarketing.core.roles import is_admin, is_manager, team_id_of
from smarketing.handoff import configure, permissions, services
from smarketing.handoff.models import (
    SLA,
    Outcome,
    RejectionReason,
    RoutingRule,
    SlaPeriod,
    WorkingCalendar,
)
from smarketing.people.models import SourceChannel

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _require_settings_role(request: HttpRequest) -> None:
    if not (is_admin(request.user) or is_manager(request.user)):
        raise PermissionDenied("Admins and sales managers manage the handoff settings.")


def _reps(user: Any) -> list[Any]:
    reps = get_user_model().objects.filter(is_active=True, profile__role=Role.SALES_REP)
    if not is_admin(user):
        reps = reps.filter(profile__team_id=team_id_of(user) or 0)
    reps = reps.select_related("profile__team", "availability").annotate(
        open_mqls=Count("assignments", filter=Q(assignments__outcome=Outcome.OPEN))
    )
    return list(reps.order_by("profile__team__name", "username"))


def _rules(user: Any) -> list[RoutingRule]:
    rules = list(RoutingRule.objects.select_related("team", "fallback_owner").order_by("position"))
    for rule in rules:
        rule.editable = permissions.can_edit_rule(user, rule.team_id)  # type: ignore[attr-defined]
        rule.text = describe(rule.conditions or {})  # type: ignore[attr-defined]
    return rules


def describe(conditions: dict[str, Any]) -> str:
    """A rule's conditions in words ("everyone" for a catch-all)."""
    parts = [f"{key} in {', '.join(map(str, conditions[key]))}"
             for key in ("region", "country", "industry", "source") if conditions.get(key)]
    if "company_size_min" in conditions or "company_size_max" in conditions:
        low, high = conditions.get("company_size_min", 0), conditions.get("company_size_max", "∞")
        parts.append(f"{low}-{high} employees")
    parts += [f"{key} in {', '.join(map(str, values))}"
              for key, values in (conditions.get("properties") or {}).items()]
    return "; ".join(parts) or "everyone"


@login_required
@require_GET
def settings_page(request: HttpRequest) -> HttpResponse:
    _require_settings_role(request)
    user = request.user
    teams = Team.objects.order_by("name")
    context = {
        "can_configure": permissions.can_configure(user),
        "slas": SLA.objects.select_related("calendar", "created_by").order_by("-version"),
        "calendars": WorkingCalendar.objects.prefetch_related("holidays").order_by("name"),
        "rules": _rules(user),
        "rule_teams": teams if is_admin(user) else teams.filter(pk=team_id_of(user) or 0),
        "teams": teams, "regions": Region.choices, "sources": SourceChannel.choices,
        "periods": SlaPeriod.choices, "weekdays": list(enumerate(WEEKDAYS)),
        "owners": get_user_model().objects.filter(
            is_active=True, profile__role__in=[Role.SALES_REP, Role.SALES_MANAGER]
        ).order_by("username"),
        "reasons": RejectionReason.objects.order_by("position", "code"),
        "reps": _reps(user),
    }
    return render(request, "handoff/settings.html", context)


def _done(request: HttpRequest, action: Callable[[], Any], success: str, anchor: str) -> Any:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(f"/sla/settings/#{anchor}")


def _int(post: QueryDict, name: str) -> int | None:
    value = post.get(name, "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"{name}: a whole number", field=name) from None


def _decimal(post: QueryDict, name: str) -> Decimal | None:
    value = post.get(name, "").strip()
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        raise ValidationFailed(f"{name}: a number", field=name) from None


@login_required
@require_POST
def sla_publish_view(request: HttpRequest) -> HttpResponse:
    post = request.POST

    def publish() -> SLA:
        return services.sla_publish(
            actor=request.user, mql_target=_int(post, "mql_target"),
            period=post.get("period") or None, segment_region=post.get("segment_region", ""),
            segment_team_id=_int(post, "segment_team_id"),
            follow_up_hours=_decimal(post, "follow_up_hours"),
            warning_share=_decimal(post, "warning_share"),
            calendar_id=_int(post, "calendar_id"), change_note=post.get("change_note", ""),
        )

    return _done(request, publish, "A new SLA version is active.", "sla")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def conditions_from(post: QueryDict) -> dict[str, Any]:
    """The rule form's fields as routing conditions (empty ones left out)."""
    conditions: dict[str, Any] = {
        "region": post.getlist("region"), "source": post.getlist("source"),
        "country": _split(post.get("country", "")), "industry": _split(post.get("industry", "")),
        "company_size_min": _int(post, "company_size_min"),
        "company_size_max": _int(post, "company_size_max"),
    }
    properties = {}
    for number, line in enumerate(post.get("properties", "").splitlines(), start=1):
        if line.strip():
            key, sep, values = line.partition("=")
            if not sep or not key.strip():
                raise ValidationFailed(f"properties: line {number} is not name=value, value",
                                       field="conditions")
            properties[key.strip()] = _split(values)
    conditions["properties"] = properties
    return {key: value for key, value in conditions.items() if value not in (None, [], {})}


def _rule_values(post: QueryDict) -> dict[str, Any]:
    return {
        "name": post.get("name", ""), "team_id": _int(post, "team_id"),
        "fallback_owner_id": _int(post, "fallback_owner_id"),
        "is_active": post.get("is_active") == "on", "conditions": conditions_from(post),
    }


@login_required
@require_POST
def rule_save_view(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id) if rule_id else None

    def save() -> RoutingRule:
        return services.routing_rule_save(actor=request.user, rule=rule,
                                          **_rule_values(request.POST))

    return _done(request, save, "Routing rule saved.", "rules")


@login_required
@require_POST
def rule_move_view(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    direction = request.POST.get("direction", "")
    return _done(
        request,
        lambda: configure.routing_rule_move(actor=request.user, rule=rule, direction=direction),
        f"{rule.name} moved {direction}.", "rules",
    )


@login_required
@require_POST
def rule_delete_view(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(RoutingRule, pk=rule_id)
    return _done(request, lambda: services.routing_rule_delete(actor=request.user, rule=rule),
                 f"{rule.name} deleted.", "rules")


@login_required
@require_POST
def reason_save_view(request: HttpRequest, reason_id: int | None = None) -> HttpResponse:
    reason = get_object_or_404(RejectionReason, pk=reason_id) if reason_id else None
    post = request.POST

    def save() -> RejectionReason:
        return configure.reason_save(
            actor=request.user, reason=reason, code=post.get("code", "").strip(),
            label=post.get("label", ""), needs_note=post.get("needs_note") == "on",
            is_active=post.get("is_active") == "on", position=_int(post, "position"),
        )

    return _done(request, save, "Rejection reason saved.", "reasons")


@login_required
@require_POST
def rep_save_view(request: HttpRequest, user_id: int) -> HttpResponse:
    """Capacity and away from the settings page; "away" alone from the rep's inbox."""
    rep = get_object_or_404(get_user_model(), pk=user_id)
    post = request.POST
    away = post.get("is_away") == "on"

    def save() -> dict[str, Any]:
        return configure.rep_routing_set(
            actor=request.user, user=rep, capacity=_int(post, "capacity"), is_away=away
        )

    state = "away" if away else "available"
    response = _done(request, save, f"{rep.username}: {state}.", "reps")
    return redirect(post["next"]) if post.get("next") == "/inbox/" else response


def _holidays(text: str) -> list[tuple[dt.date, str]]:
    days = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        day, _, name = line.strip().partition(" ")
        try:
            days.append((dt.date.fromisoformat(day), name.strip()))
        except ValueError:
            raise ValidationFailed(f"holidays: line {number} does not start with YYYY-MM-DD",
                                   field="holidays") from None
    return days


def _time(post: QueryDict, name: str) -> dt.time:
    try:
        return dt.time.fromisoformat(post.get(name, ""))
    except ValueError:
        raise ValidationFailed(f"{name}: a time (HH:MM)", field=name) from None


@login_required
@require_POST
def calendar_save_view(request: HttpRequest, calendar_id: int | None = None) -> HttpResponse:
    calendar = get_object_or_404(WorkingCalendar, pk=calendar_id) if calendar_id else None
    post = request.POST

    def save() -> WorkingCalendar:
        return configure.calendar_save(
            actor=request.user, calendar=calendar, name=post.get("name", ""),
            time_zone=post.get("time_zone", "").strip(),
            working_days=[int(day) for day in post.getlist("working_days") if day.isdigit()],
            day_start=_time(post, "day_start"), day_end=_time(post, "day_end"),
            holidays=_holidays(post.get("holidays", "")),
        )

    return _done(request, save, "Working calendar saved.", "calendars")

"""The quota admin page (admins and sales managers): every rep's quota per quarter
of a year (month quotas summed, prorated like the forecast), each team's total
(the sum of its members'), and a form to set one. A manager sees and sets their
team's; an admin everyone's."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from smarketing.core.errors import DomainError
from smarketing.core.export import queryset_csv
from smarketing.core.models import Profile
from smarketing.core.periods import quarter_of
from smarketing.core.roles import is_admin, is_manager, team_id_of
from smarketing.core.selectors import sales_users
from smarketing.pipeline import permissions as perms
from smarketing.pipeline import services
from smarketing.pipeline.exports import QUOTA_COLUMNS
from smarketing.pipeline.forecast import prorated_quotas
from smarketing.pipeline.forms import QuotaForm
from smarketing.pipeline.selectors import owner_ids_of_team, quota_list


def quota_table(year: int, owner_ids: list[int] | None) -> dict[str, Any]:
    """Rows per rep and totals per team, per quarter of `year` (one query a quarter)."""
    users = list(sales_users() if owner_ids is None else sales_users().filter(pk__in=owner_ids))
    ids = [u.pk for u in users]
    quarters = [prorated_quotas(quarter_of(dt.date(year, m, 1)), ids) for m in (1, 4, 7, 10)]
    teams = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "team__name"))
    rows: list[dict[str, Any]] = []
    totals: defaultdict[str, list[Decimal]] = defaultdict(lambda: [Decimal("0.00")] * 4)
    for user in users:
        amounts = [q.get(user.pk) for q in quarters]
        rows.append({"user": user, "team": teams.get(user.pk) or "", "quarters": amounts})
        for index, amount in enumerate(amounts):
            totals[teams.get(user.pk) or "No team"][index] += amount or 0
    return {"rows": rows, "teams": sorted(totals.items())}


def _quota_scope(user: Any) -> list[int] | None:
    if is_admin(user):
        return None
    team = team_id_of(user)
    return list(owner_ids_of_team(team).values_list("user_id", flat=True)) if team else []


def _save_quota(request: HttpRequest, form: QuotaForm) -> bool:
    data = form.cleaned_data
    if not perms.quota_can_set(request.user, data["owner"].pk):
        form.add_error("owner", "You may not set this user's quota.")
        return False
    try:
        services.quota_set(actor=request.user, **data)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return False
    return True


def _page_year(request: HttpRequest) -> int | None:
    """The page's year filter (this year when absent); None when it is not a year."""
    year_text = request.GET.get("year") or str(timezone.localdate().year)
    if not year_text.isdigit() or not 1900 <= int(year_text) <= 2999:
        return None
    return int(year_text)


def _require_quota_role(user: Any) -> None:
    if not (is_admin(user) or is_manager(user)):
        raise PermissionDenied("Quotas are set by admins and sales managers.")


@login_required
def quota_admin(request: HttpRequest) -> HttpResponse:
    _require_quota_role(request.user)
    form = QuotaForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_quota(request, form):
        messages.success(request, "Quota saved.")
        return redirect(f"{reverse('pipeline:quotas')}?year={form.cleaned_data['start'].year}")
    year = _page_year(request)
    if year is None:
        return HttpResponseBadRequest("year: a year such as 2026")
    context = {"form": form, "year": year, **quota_table(year, _quota_scope(request.user))}
    return render(request, "pipeline/quotas.html", context,
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_GET
def quota_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The page's year, the quotas of the reps it shows (a manager: the team's), as CSV."""
    _require_quota_role(request.user)
    year = _page_year(request)
    if year is None:
        return HttpResponseBadRequest("year: a year such as 2026")
    qs = quota_list(year=year)
    scope = _quota_scope(request.user)
    if scope is not None:
        qs = qs.filter(owner_id__in=scope)
    return queryset_csv("quotas.csv", qs, QUOTA_COLUMNS)

"""HTML pages of the pipeline: board, deal page, my work, activities, forecast, quotas.

Thin views over selectors, services and permissions; a deal the user may not
change answers 403, a missing one 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_GET, require_POST

from smarketing.core.errors import DomainError, NotFound
from smarketing.core.export import queryset_csv
from smarketing.core.periods import preset
from smarketing.people.models import Company, Contact
from smarketing.people.permissions import contact_get_for_user
from smarketing.pipeline import permissions as perms
from smarketing.pipeline import services
from smarketing.pipeline.exports import CUSTOMER_COLUMNS, DEAL_COLUMNS
from smarketing.pipeline.forecast import forecast
from smarketing.pipeline.forms import (
    ActivityForm,
    BoardFilterForm,
    DealContactForm,
    DealEditForm,
    DealForm,
    ForecastFilterForm,
    LineItemForm,
    MoveForm,
    deal_edit_initial,
    named_period,
)
from smarketing.pipeline.models import Deal, DealStatus, LostReason, Pipeline, Product
from smarketing.pipeline.selectors import (
    PER_COLUMN,
    DealFilters,
    activity_list,
    board,
    column_cards,
    deal_is_stalled,
    deal_list,
    move_targets,
    open_tasks,
    owner_ids_of_team,
    stalled_condition,
)
from smarketing.pipeline.snapshots import (
    accuracy,
    accuracy_by_owner,
    as_json,
    snapshot_if_due,
)
from smarketing.pipeline.timelines import deal_timeline
from smarketing.pipeline.upsell import clv, customer_totals, customers, suggestion_owner


def _first_error(form: Any) -> str:
    for field, errors in form.errors.items():
        return f"{field}: {errors[0]}" if field != "__all__" else str(errors[0])
    return "invalid input"


def _board_filters(form: BoardFilterForm) -> DealFilters:
    data = form.cleaned_data if form.is_valid() else {}
    period = named_period(data.get("close") or "")
    return DealFilters(
        owner_id=data["owner"].pk if data.get("owner") else None,
        team_id=data["team"].pk if data.get("team") else None,
        close_from=period.start if period else None, close_to=period.end if period else None,
    )


def _changeable(user: Any, deals: list[Deal]) -> set[int]:
    owners = perms.changeable_owner_ids(user)
    return {d.pk for d in deals if owners is None or d.owner_id in owners}


def _board_query(data: Any) -> str:
    query = data.copy()
    query.pop("offset", None)
    return str(query.urlencode())


def _board_form(data: Any) -> tuple[BoardFilterForm, Pipeline]:
    form = BoardFilterForm(data)
    pipeline = (form.cleaned_data.get("pipeline") if form.is_valid() else None) \
        or services.default_pipeline()
    return form, pipeline


def _board_context(request: HttpRequest, data: Any) -> dict[str, Any]:
    form, pipeline = _board_form(data)
    result = board(pipeline, _board_filters(form))
    return {
        "form": form, "board": result, "query": _board_query(data),
        "lost_reasons": LostReason.objects.filter(active=True),
        "changeable": _changeable(request.user, [d for c in result.columns for d in c.deals]),
    }


@login_required
@require_GET
def board_column(request: HttpRequest, stage_id: int) -> HttpResponse:
    """The next cards of one column ("Load more", htmx), under the board's filters."""
    form, pipeline = _board_form(request.GET)
    stages = list(pipeline.stages.order_by("order"))
    stage = next((s for s in stages if s.pk == stage_id), None)
    if stage is None:
        raise Http404("no such stage in this pipeline")
    offset = _offset(request)
    if offset is None:
        return HttpResponseBadRequest("offset: not a whole number")
    filters = _board_filters(form)
    deals = column_cards(pipeline, stage, filters, offset=offset, limit=PER_COLUMN + 1)
    context = {
        "deals": deals[:PER_COLUMN], "targets": move_targets(stages, stage), "stage": stage,
        "query": _board_query(request.GET), "changeable": _changeable(request.user, deals),
        "next_offset": offset + PER_COLUMN if len(deals) > PER_COLUMN else None,
    }
    return render(request, "pipeline/_cards.html", context)


def _offset(request: HttpRequest) -> int | None:
    """?offset= (default 0, negative counts as 0); None when it is not a number."""
    try:
        return max(0, int(request.GET.get("offset") or 0))
    except ValueError:
        return None


@login_required
@require_GET
def deal_export(request: HttpRequest) -> StreamingHttpResponse:
    """The board's current filters (pipeline, owner, team, close), every deal, as CSV."""
    form = BoardFilterForm(request.GET)
    qs = deal_list(_board_filters(form))
    if form.is_valid() and form.cleaned_data.get("pipeline"):
        qs = qs.filter(stage__pipeline=form.cleaned_data["pipeline"])
    return queryset_csv("deals.csv", qs, DEAL_COLUMNS)


@login_required
@require_GET
def deal_board(request: HttpRequest) -> HttpResponse:
    context = _board_context(request, request.GET)
    partial = request.headers.get("HX-Target") == "board"
    template = "pipeline/_board.html" if partial else "pipeline/board.html"
    return render(request, template, context)


def _deal_or_404(user: Any, deal_id: int) -> Deal:
    try:
        return perms.deal_get_for_user(user=user, deal_id=deal_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _changeable_deal(user: Any, deal_id: int) -> Deal:
    deal = _deal_or_404(user, deal_id)
    if not perms.deal_can_change(user, deal):
        raise PermissionDenied("Your role may not change this deal.")
    return deal


def _move(request: HttpRequest, deal: Deal) -> str:
    """Apply the posted move; returns the message to show."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return f"Not moved: {_first_error(form)}"
    data = form.cleaned_data
    try:
        moved = services.deal_move_stage(
            deal=deal, actor=request.user, stage=data["stage"],
            lost_reason=data["lost_reason"], lost_note=data["lost_note"],
        )
    except DomainError as exc:
        return f"Not moved: {exc.message}"
    return f"Moved {moved.name} to {moved.stage.name}."


@login_required
@require_POST
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """From the board (htmx: answers the board again) or the deal page (redirect)."""
    deal = _changeable_deal(request.user, deal_id)
    message = _move(request, deal)
    if request.headers.get("HX-Request") == "true":
        context = _board_context(request, request.GET)
        context["board_message"] = message
        return render(request, "pipeline/_board.html", context)
    level = messages.error if message.startswith("Not") else messages.success
    level(request, message)
    return redirect("pipeline:deal_detail", deal_id=deal.pk)


@login_required
@require_POST
def deal_close(request: HttpRequest, deal_id: int, action: str) -> HttpResponse:
    deal = _changeable_deal(request.user, deal_id)
    try:
        if action == "win":
            services.deal_win(deal=deal, actor=request.user)
        elif action == "reopen":
            services.deal_reopen(deal=deal, actor=request.user)
        else:
            raise Http404("unknown action")
    except DomainError as exc:
        messages.error(request, f"Not done: {exc.message}")
    else:
        messages.success(request, "Won!" if action == "win" else "Reopened.")
    return redirect("pipeline:deal_detail", deal_id=deal.pk)


@login_required
@require_POST
def deal_delete(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _changeable_deal(request.user, deal_id)
    if not perms.deal_can_delete(request.user, deal):
        raise PermissionDenied("Only admins and sales managers delete a won deal.")
    services.deal_delete(deal=deal, actor=request.user)
    messages.success(request, f"Deleted {deal.name}.")
    return redirect("pipeline:board")


def timeline_cursor(request: HttpRequest) -> dt.datetime | None:
    """The timeline cursor (?before=, ISO datetime); unreadable or naive: the newest."""
    try:
        value = parse_datetime(request.GET.get("before") or "")
    except ValueError:
        return None
    return value if value is not None and value.tzinfo is not None else None


@login_required
@require_GET
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _deal_or_404(request.user, deal_id)
    can_change = perms.deal_can_change(request.user, deal)
    context = {
        "deal": deal, "can_change": can_change, "stalled": deal_is_stalled(deal),
        "can_delete": can_change and perms.deal_can_delete(request.user, deal),
        "stages": deal.stage.pipeline.stages.order_by("order"),
        "contacts": deal.deal_contacts.select_related("contact").order_by("-is_primary", "id"),
        "lines": deal.line_items.select_related("product"),
        "timeline": deal_timeline(deal, before=timeline_cursor(request)),
        "lost_reasons": LostReason.objects.filter(active=True),
        "line_form": LineItemForm() if can_change else None,
        "edit_form": DealEditForm(initial=deal_edit_initial(deal)) if can_change else None,
        "contact_form": DealContactForm() if can_change else None,
        "activity_form": ActivityForm(initial={"deal": deal.pk}),
    }
    return render(request, "pipeline/deal_detail.html", context)


def _create_deal(request: HttpRequest, form: DealForm) -> Deal:
    data = form.cleaned_data
    contacts = []
    if data["contact"]:
        contact = contact_get_for_user(user=request.user, contact_id=data["contact"])
        contacts = [services.DealContactIn(contact=contact, role="decision_maker",
                                           is_primary=True)]
    owner: Any = data["owner"] or request.user
    if not perms.deal_can_own(request.user, owner.pk):
        raise PermissionDenied("You may not give deals to that user.")
    return services.deal_create(
        actor=request.user, name=data["name"], owner=owner, amount=data["amount"],
        expected_close_date=data["expected_close_date"], stage=data["stage"],
        type=data["type"], contacts=contacts,
        company=contacts[0].contact.company if contacts else None,
    )


@login_required
def deal_new(request: HttpRequest) -> HttpResponse:
    if not perms.deal_can_create(request.user):
        raise PermissionDenied("Only sales and admins open deals.")
    initial = {"contact": request.GET.get("contact"),
               "expected_close_date": timezone.localdate() + dt.timedelta(days=30)}
    form = DealForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            deal = _create_deal(request, form)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Opened {deal.name}.")
            return redirect("pipeline:deal_detail", deal_id=deal.pk)
    return render(request, "pipeline/deal_new.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


@login_required
@require_POST
def line_add(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _changeable_deal(request.user, deal_id)
    form = LineItemForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_first_error(form))
        services.line_item_add(deal=deal, actor=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, f"Not added: {exc.message}")
    return redirect("pipeline:deal_detail", deal_id=deal.pk)


@login_required
@require_POST
def line_remove(request: HttpRequest, deal_id: int, line_id: int) -> HttpResponse:
    deal = _changeable_deal(request.user, deal_id)
    line = deal.line_items.filter(pk=line_id).first()
    if line is None:
        raise Http404("no such line")
    services.line_item_remove(line=line, actor=request.user)
    return redirect("pipeline:deal_detail", deal_id=deal.pk)


def _activity_links(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    links: dict[str, Any] = {"contact": None, "company": None, "deal": None}
    if data["contact"]:
        links["contact"] = contact_get_for_user(user=request.user, contact_id=data["contact"])
    if data["deal"]:
        links["deal"] = perms.deal_get_for_user(user=request.user, deal_id=data["deal"])
    if data["company"]:
        links["company"] = Company.objects.filter(pk=data["company"]).first()
    return links


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else "/"


@login_required
@require_POST
def activity_new(request: HttpRequest) -> HttpResponse:
    if not perms.activity_can_log(request.user):
        raise PermissionDenied("Your account has no role.")
    form = ActivityForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_first_error(form))
        data = dict(form.cleaned_data)
        links = _activity_links(request, data)
        services.activity_log(actor=request.user, kind=data["kind"], subject=data["subject"],
                              outcome=data["outcome"], body=data["body"],
                              due_at=data["due_at"], **links)
    except DomainError as exc:
        messages.error(request, f"Not logged: {exc.message}")
    else:
        messages.success(request, "Logged.")
    return redirect(_back(request))


@login_required
@require_POST
def task_done(request: HttpRequest, activity_id: int) -> HttpResponse:
    try:
        task = perms.activity_get_for_user(user=request.user, activity_id=activity_id,
                                           change=True)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    services.task_complete(activity=task, actor=request.user)
    return redirect(_back(request))


@login_required
@require_GET
def contact_activities(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The contact page's sales panel (loaded by htmx): deals, activity form, tasks."""
    try:
        contact: Contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    context = {
        "contact": contact,
        "deals": Deal.objects.filter(deal_contacts__contact=contact)
        .select_related("stage").order_by("-created_at"),
        "activities": activity_list(contact_id=contact.pk)[:20],
        "form": ActivityForm(initial={"contact": contact.pk}),
        "can_open_deal": perms.deal_can_create(request.user),
        "contact_url": reverse("people:contact_detail", args=[contact.pk]),
    }
    return render(request, "pipeline/_contact_sales.html", context)


@login_required
@require_GET
def my_work(request: HttpRequest) -> HttpResponse:
    """The sales home: my open tasks by due date, and my stalled deals."""
    now = timezone.now()
    mine = Deal.objects.filter(owner_id=request.user.pk, status=DealStatus.OPEN)
    context = {
        "tasks": open_tasks(int(request.user.pk or 0)), "now": now,
        "stalled": mine.filter(stalled_condition(now)).select_related("stage", "company")[:50],
        "open_count": mine.count(),
    }
    return render(request, "pipeline/my_work.html", context)


def _forecast_scope(form: Any, user: Any) -> tuple[Any, list[int] | None]:
    data = form.cleaned_data if form.is_valid() else {}
    period = named_period(data.get("close") or "this_quarter")
    if data.get("owner"):
        return period, [data["owner"].pk]
    if data.get("team"):
        return period, list(owner_ids_of_team(data["team"].pk).values_list("user_id", flat=True))
    return period, None


def _chart_data(result: dict[str, Any]) -> dict[str, Any]:
    rows = result["owners"]
    return {
        "labels": [r["owner"] for r in rows],
        "closed_won": [r["closed_won"] for r in rows],
        "commit": [r["commit"] for r in rows],
        "best_case": [r["best_case"] for r in rows],
        "interval": [[r["p10"], r["p90"]] for r in rows],
        "p50": [r["p50"] for r in rows],
        "quota": [r["quota"] or None for r in rows],
    }


@login_required
@require_GET
def forecast_page(request: HttpRequest) -> HttpResponse:
    form = ForecastFilterForm(request.GET or {"close": "this_quarter"})
    period, owner_ids = _forecast_scope(form, request.user)
    snapshot_if_due(period)
    result = forecast(period, owner_ids=owner_ids)
    last = preset("last-quarter")
    history = accuracy(last)
    context = {
        "form": form, "period": period, "f": result, "last": last, "history": history,
        "rep_history": accuracy_by_owner(history),
        "chart": as_json(_chart_data(result)),
        "history_chart": as_json({
            "labels": [w["week_start"] for w in history["weeks"]],
            "p50": [w["p50"] for w in history["weeks"]],
            "interval": [[w["p10"], w["p90"]] for w in history["weeks"]],
            "actual": history["actual"],
        }),
    }
    return render(request, "pipeline/forecast.html", context)


@login_required
@require_GET
def customer_list(request: HttpRequest) -> HttpResponse:
    offset = _offset(request)
    if offset is None:
        return HttpResponseBadRequest("offset: not a whole number")
    rows, count = customers(limit=50, offset=offset)
    products = {p.pk: p for p in Product.objects.all()}
    context = {
        "rows": rows, "count": count, "clv": clv(), "products": products,
        "offset": offset, "next_offset": offset + 50 if offset + 50 < count else None,
        "prev_offset": max(0, offset - 50) if offset else None,
        "can_open_deal": perms.deal_can_create(request.user),
    }
    return render(request, "pipeline/customers.html", context)


@login_required
@require_GET
def customer_export(request: HttpRequest) -> StreamingHttpResponse:
    """Every customer of the list (all its pages), highest revenue first, as CSV."""
    return queryset_csv("customers.csv", customer_totals(), CUSTOMER_COLUMNS)


@login_required
@require_POST
def suggestion_accept(request: HttpRequest, company_id: int, product_id: int) -> HttpResponse:
    if not perms.deal_can_create(request.user):
        raise PermissionDenied("Only sales and admins open deals.")
    company = Company.objects.filter(pk=company_id).first()
    product = Product.objects.filter(pk=product_id).first()
    if company is None or product is None:
        raise Http404("no such customer or product")
    try:
        deal = services.suggested_deal_create(
            actor=request.user, company=company, product=product,
            deal_type=request.POST.get("type", ""),
            owner=suggestion_owner(request.user, company),
        )
    except DomainError as exc:
        messages.error(request, f"Not created: {exc.message}")
        return redirect("pipeline:customers")
    messages.success(request, f"Opened {deal.name}.")
    return redirect("pipeline:deal_detail", deal_id=deal.pk)

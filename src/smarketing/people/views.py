"""HTML pages for contacts and companies: thin views over selectors, services, permissions."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from smarketing.core.errors import DomainError, NotFound, ValidationFailed
from smarketing.core.export import queryset_csv
from smarketing.core.ordering import page
from smarketing.people.exports import COMPANY_COLUMNS, CONTACT_COLUMNS
from smarketing.people.forms import (
    CompanyFilterForm,
    ContactEditForm,
    ContactFilterForm,
    RecycleForm,
    TransitionForm,
    can_recycle,
    field_label,
    form_error,
    manual_targets,
)
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import Cause, Company, Contact, PropertyObject, Stage
from smarketing.people.permissions import (
    company_get_for_user,
    contact_can_change,
    contact_get_for_user,
)
from smarketing.people.properties import definitions
from smarketing.people.selectors import company_list, contact_list, stage_history
from smarketing.people.services import contact_update


def page_size() -> int:
    return int(settings.SMARKETING_PAGE_SIZE)


def _wants_partial(request: HttpRequest, target: str) -> bool:
    """An htmx request that will swap only `target` (not a history restore)."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-Target") == target
        and not headers.get("HX-History-Restore-Request")
    )


def _render_list(
    request: HttpRequest, templates: tuple[str, str], target: str, context: dict[str, Any]
) -> HttpResponse:
    """The full page, or only its results when htmx asks; 400 when the filters are bad."""
    template = templates[1] if _wants_partial(request, target) else templates[0]
    status = 400 if context.get("error") else 200
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _pager(offset: int, shown: int, has_next: bool) -> dict[str, Any]:
    """Previous/next offsets for a page of `shown` rows; no total count is needed."""
    return {
        "first": offset + 1 if shown else 0,
        "last": offset + shown,
        "prev_offset": offset - page_size() if offset > page_size() else None,
        "has_prev": offset > 0,
        "has_next": has_next,
        "next_offset": offset + page_size(),
    }


def _filter_error(form: Any, exc: DomainError) -> dict[str, Any]:
    return {"error": exc, "error_label": field_label(form, exc.field), "rows": []}


def _contact_results(form: ContactFilterForm, user: Any) -> dict[str, Any]:
    try:
        filters, offset = form.to_filters()
        company = _company_or_none(user, filters.company_id)
        rows, has_next = page(contact_list(filters), limit=page_size(), offset=offset)
    except DomainError as exc:
        return _filter_error(form, exc)
    return {"rows": rows, "company": company, **_pager(offset, len(rows), has_next)}


def _company_or_none(user: Any, company_id: int | None) -> Company | None:
    if company_id is None:
        return None
    try:
        return company_get_for_user(user=user, company_id=company_id)
    except NotFound as exc:
        raise ValidationFailed(f"company: no company {company_id}", field="company") from exc


@login_required
@require_GET
def contact_index(request: HttpRequest) -> HttpResponse:
    form = ContactFilterForm(request.GET)
    context = {"form": form, **_contact_results(form, request.user)}
    templates = ("people/contact_list.html", "people/_contact_results.html")
    return _render_list(request, templates, "contact-results", context)


def _contact_or_404(user: Any, contact_id: int) -> Contact:
    try:
        return contact_get_for_user(user=user, contact_id=contact_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


def _changeable_contact(user: Any, contact_id: int) -> Contact:
    """The contact if `user` may change it; 404 when missing, 403 when forbidden."""
    contact = _contact_or_404(user, contact_id)
    if not contact_can_change(user, contact):
        raise PermissionDenied("Your role may not change this contact.")
    return contact


def _custom_properties(contact: Contact) -> list[tuple[str, Any]]:
    """(label, value) of each custom property set on the contact, defined ones first."""
    defs = definitions(PropertyObject.CONTACT)
    rows = [(d.label, contact.properties[name]) for name, d in defs.items()
            if name in contact.properties]
    extra = sorted(set(contact.properties) - set(defs))
    return rows + [(name, contact.properties[name]) for name in extra]


def _lifecycle_forms(contact: Contact, user: Any) -> dict[str, Any]:
    if not contact_can_change(user, contact):
        return {"can_change": False}
    targets = manual_targets(contact, user)
    return {
        "can_change": True,
        "transition_form": TransitionForm(targets=targets) if targets else None,
        "recycle_form": RecycleForm() if can_recycle(contact, user) else None,
    }


@login_required
@require_GET
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _contact_or_404(request.user, contact_id)
    context = {
        "contact": contact,
        "history": list(stage_history(contact))[::-1],
        "identities": contact.identities.order_by("kind", "value"),
        "custom_properties": _custom_properties(contact),
        **_lifecycle_forms(contact, request.user),
    }
    return render(request, "people/contact_detail.html", context)


def _save_contact(form: ContactEditForm, contact: Contact, user: Any) -> bool:
    try:
        contact_update(contact=contact, actor=user, **form.changes())
    except DomainError as exc:
        form.add_domain_error(exc)
        contact.refresh_from_db()
        return False
    return True


@login_required
def contact_edit(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _changeable_contact(request.user, contact_id)
    data = request.POST if request.method == "POST" else None
    form = ContactEditForm(data, contact=contact, user=request.user)
    if form.is_bound and form.is_valid() and _save_contact(form, contact, request.user):
        messages.success(request, f"Saved {contact}.")
        return redirect("people:contact_detail", contact_id=contact.pk)
    status = 400 if form.is_bound else 200
    return render(request, "people/contact_edit.html", {"contact": contact, "form": form},
                  status=status)


@login_required
@require_POST
def contact_move(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _changeable_contact(request.user, contact_id)
    form = TransitionForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        to_stage = form.cleaned_data["to_stage"]
        change = contact_transition(
            contact=contact, to_stage=to_stage, cause=Cause.MANUAL,
            actor=request.user, reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        messages.error(request, f"Not moved: {exc.message}")
    else:
        done = "Moved" if change else "Already"
        messages.success(request, f"{done} {contact} to {Stage(to_stage).label}.")
    return redirect("people:contact_detail", contact_id=contact.pk)


@login_required
@require_POST
def contact_recycle_view(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = _changeable_contact(request.user, contact_id)
    form = RecycleForm(request.POST)
    try:
        if not form.is_valid():
            raise form_error(form)
        contact_recycle(contact=contact, actor=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, f"Not recycled: {exc.message}")
    else:
        messages.success(request, f"Recycled {contact} back to Lead.")
    return redirect("people:contact_detail", contact_id=contact.pk)


def _company_results(form: CompanyFilterForm) -> dict[str, Any]:
    try:
        query, offset = form.to_query()
        rows, has_next = page(company_list(**query), limit=page_size(), offset=offset)
    except DomainError as exc:
        return _filter_error(form, exc)
    return {"rows": rows, **_pager(offset, len(rows), has_next)}


@login_required
@require_GET
def company_index(request: HttpRequest) -> HttpResponse:
    form = CompanyFilterForm(request.GET)
    context = {"form": form, **_company_results(form)}
    templates = ("people/company_list.html", "people/_company_results.html")
    return _render_list(request, templates, "company-results", context)


@login_required
@require_GET
def contact_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The contacts list's current filters, every row, as a streamed CSV."""
    try:
        filters, _ = ContactFilterForm(request.GET).to_filters()
        rows = contact_list(filters)
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    return queryset_csv("contacts.csv", rows, CONTACT_COLUMNS)


@login_required
@require_GET
def company_export(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    try:
        query, _ = CompanyFilterForm(request.GET).to_query()
        rows = company_list(**query)
    except DomainError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain")
    return queryset_csv("companies.csv", rows, COMPANY_COLUMNS)


@login_required
@require_GET
def company_options(request: HttpRequest) -> HttpResponse:
    """<option>s for the company field's datalist (prefix search, ten at most)."""
    rows, _ = page(company_list(q=request.GET.get("company", "")), limit=10, offset=0)
    return render(request, "people/_company_options.html", {"companies": rows})

"""The deal page's edit forms: the deal's fields (name, amount, close date, type,
owner, forecast category override, source campaign) and adding a contact with a
role. Whoever may change the deal (else 403); a refused value is named in the
message shown on the deal page, like the line item form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.people.models import Contact
from smarketing.people.services import normalize_email
from smarketing.pipeline import permissions as perms
from smarketing.pipeline import services
from smarketing.pipeline.forms import DealContactForm, DealEditForm
from smarketing.pipeline.models import Deal
from smarketing.pipeline.views import _changeable_deal, _first_error


def _changes(user: Any, deal: Deal, data: dict[str, Any]) -> dict[str, Any]:
    """The fields that differ from the deal; amount only without line items."""
    changes = {key: value for key, value in data.items()
               if key not in {"owner", "amount"} and value != getattr(deal, key)}
    if data["amount"] is not None and data["amount"] != deal.amount \
            and not deal.line_items.exists():
        changes["amount"] = data["amount"]
    if data["owner"].pk != deal.owner_id:
        if not perms.deal_can_own(user, data["owner"].pk):
            raise ValidationFailed("owner: you may not give deals to that user", field="owner")
        changes["owner"] = data["owner"]
    return changes


def _report(request: HttpRequest, error: str | None, done: str) -> None:
    if error:
        messages.error(request, f"Not saved: {error}")
    else:
        messages.success(request, done)


@login_required
@require_POST
def deal_edit(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _changeable_deal(request.user, deal_id)
    form = DealEditForm(request.POST)
    error = None if form.is_valid() else _first_error(form)
    if error is None:
        try:
            services.deal_update(deal=deal, actor=request.user,
                                 **_changes(request.user, deal, form.cleaned_data))
        except DomainError as exc:
            error = exc.message
    _report(request, error, "Saved.")
    return redirect("pipeline:deal_detail", deal_id=deal.pk)


@login_required
@require_POST
def deal_contact_add(request: HttpRequest, deal_id: int) -> HttpResponse:
    deal = _changeable_deal(request.user, deal_id)
    form = DealContactForm(request.POST)
    error = None if form.is_valid() else _first_error(form)
    if error is None:
        data = form.cleaned_data
        contact = Contact.objects.filter(email=normalize_email(data["email"])).first()
        try:
            if contact is None:
                raise ValidationFailed(f"email: no contact has {data['email']}", field="email")
            services.deal_contact_add(deal=deal, actor=request.user, contact=contact,
                                      role=data["role"], is_primary=data["is_primary"])
        except DomainError as exc:
            error = exc.message
    _report(request, error, "Contact added.")
    return redirect("pipeline:deal_detail", deal_id=deal.pk)


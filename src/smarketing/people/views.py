from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smarketing.people.permissions import contact_get_for_user
from smarketing.people.selectors import ContactFilters, contact_list, page, stage_history


@login_required
def contact_index(request: HttpRequest) -> HttpResponse:
    filters = ContactFilters(q=request.GET.get("q", ""), stage=request.GET.get("stage", ""))
    rows, has_next = page(contact_list(filters), limit=50, offset=0)
    return render(request, "people/contact_list.html", {"contacts": rows, "has_next": has_next})


@login_required
def contact_detail(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    return render(
        request, "people/contact_detail.html",
        {"contact": contact, "history": stage_history(contact)},
    )

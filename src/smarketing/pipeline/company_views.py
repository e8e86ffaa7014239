"""The company page: its deals, won revenue and open pipeline, what it owns, its
contacts, an activity form and its timeline (deals, activities, contacts' events)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from smarketing.core.errors import NotFound
from smarketing.people.models import Contact
from smarketing.people.permissions import company_get_for_user
from smarketing.pipeline import permissions as perms
from smarketing.pipeline.forms import ActivityForm
from smarketing.pipeline.selectors import company_sales
from smarketing.pipeline.timelines import company_timeline
from smarketing.pipeline.views import timeline_cursor

CONTACTS_SHOWN = 25


@login_required
@require_GET
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    try:
        company = company_get_for_user(user=request.user, company_id=company_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    contacts = Contact.objects.filter(company=company).order_by("-updated_at", "-id")
    context = {
        "company": company, "sales": company_sales(company.pk),
        "contacts": contacts[:CONTACTS_SHOWN], "contact_count": contacts.count(),
        "timeline": company_timeline(company, before=timeline_cursor(request)),
        "activity_form": ActivityForm(initial={"company": company.pk}),
        "can_open_deal": perms.deal_can_create(request.user),
        "here": reverse("pipeline:company_detail", args=[company.pk]),
    }
    return render(request, "pipeline/company_detail.html", context)

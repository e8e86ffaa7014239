"""Sources pages: list and create sources, a source's write key, snippet, hosted forms
(defined here, served at /f/<slug>/) and live debugger."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smarketing.core.errors import DomainError, NotFound
from smarketing.core.timeline import contact_timeline
from smarketing.people.permissions import contact_get_for_user
from smarketing.tracking.forms_hosted import (
    form_create,
    form_set_enabled,
    form_submit,
    parse_field_lines,
    read_submission,
    too_many,
)
from smarketing.tracking.models import HostedForm, Source, SourceKind
from smarketing.tracking.permissions import can_manage_sources
from smarketing.tracking.selectors import debugger_rows, source_list
from smarketing.tracking.services import source_create, source_rotate_key

NEW_KEY = "tracking_new_write_key"
ACTIVITY_PAGE = 25
ANONYMOUS_COOKIE = "smk_aid"  # the website snippet's anonymous id, when on the same site


FIELDS_HELP = "One field per line: name, Label, type[, required]; types text, email, tel, textarea."


class HostedFormForm(forms.Form):
    """A hosted form's definition as typed on the source page (checked by form_create)."""

    name = forms.CharField(max_length=100, label="Form name")
    slug = forms.SlugField(max_length=60, label="URL slug")
    field_lines = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="Fields", help_text=FIELDS_HELP,
        initial="email, Work email, email, required\nfirst_name, First name, text\n"
                "company, Company, text")
    form_type = forms.ChoiceField(
        choices=[("", "Lead capture (makes a lead)"), ("newsletter", "Newsletter (subscriber)")],
        required=False, label="Form type")
    consent_text = forms.CharField(max_length=500, required=False, label="Consent checkbox text")
    thank_you_text = forms.CharField(max_length=500, required=False, label="Thank-you text",
                                     initial="Thank you!")
    redirect_url = forms.CharField(max_length=200, required=False, label="Redirect URL")
    asset_url = forms.CharField(max_length=200, required=False, label="Asset to deliver (URL)")


class SourceForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name")
    kind = forms.ChoiceField(choices=SourceKind.choices, label="Kind")


def _manager(request: HttpRequest) -> Any:
    if not request.user.is_authenticated:
        return None
    if not can_manage_sources(request.user):
        raise PermissionDenied("Sources are managed by marketing and admins.")
    return request.user


def _source_or_404(source_id: int) -> Source:
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise Http404("No such source.")
    return source


def _login_redirect(request: HttpRequest) -> HttpResponse:
    return redirect(f"/login/?next={request.path}")


@require_http_methods(["GET", "POST"])
def source_index(request: HttpRequest) -> HttpResponse:
    user = _manager(request)
    if user is None:
        return _login_redirect(request)
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source, key = source_create(actor=user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            request.session[NEW_KEY] = {"source": source.pk, "key": key}
            return redirect("tracking:source_detail", source_id=source.pk)
    context = {"form": form, "sources": source_list()}
    return render(request, "tracking/source_list.html", context, status=400 if form.errors else 200)


@require_GET
def source_detail(request: HttpRequest, source_id: int) -> HttpResponse:
    if _manager(request) is None:
        return _login_redirect(request)
    source = _source_or_404(source_id)
    shown = request.session.pop(NEW_KEY, None)
    key = shown["key"] if shown and shown.get("source") == source.pk else ""
    return _source_page(request, source, write_key=key, form=HostedFormForm())


def _source_page(
    request: HttpRequest, source: Source, *, write_key: str, form: HostedFormForm,
    status: int = 200,
) -> HttpResponse:
    context = {
        "source": source, "write_key": write_key, "rows": debugger_rows(source),
        "forms": HostedForm.objects.filter(source=source).order_by("name"),
        "base_url": request.build_absolute_uri("/").rstrip("/"), "form_form": form,
    }
    return render(request, "tracking/source_detail.html", context, status=status)


@require_POST
def source_form_create(request: HttpRequest, source_id: int) -> HttpResponse:
    """Define a hosted form for this source (marketing and admins)."""
    user = _manager(request)
    if user is None:
        return _login_redirect(request)
    source = _source_or_404(source_id)
    form = HostedFormForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        lines = data.pop("field_lines")
        try:
            form_create(actor=user, source=source, fields=parse_field_lines(lines), **data)
        except DomainError as exc:
            field = "field_lines" if exc.field == "fields" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            return redirect(f"{reverse('tracking:source_detail', args=[source.pk])}#forms")
    return _source_page(request, source, write_key="", form=form, status=400)


@require_POST
def source_form_enabled(request: HttpRequest, form_id: int) -> HttpResponse:
    """Switch a hosted form off (its URL answers 404) or on again."""
    user = _manager(request)
    if user is None:
        return _login_redirect(request)
    hosted = HostedForm.objects.filter(pk=form_id).first()
    if hosted is None:
        raise Http404("No such form.")
    form_set_enabled(form=hosted, actor=user, enabled=request.POST.get("enabled") == "1")
    return redirect(f"{reverse('tracking:source_detail', args=[hosted.source_id])}#forms")


@require_POST
def source_rotate(request: HttpRequest, source_id: int) -> HttpResponse:
    user = _manager(request)
    if user is None:
        return _login_redirect(request)
    source = _source_or_404(source_id)
    key = source_rotate_key(source=source, actor=user)
    request.session[NEW_KEY] = {"source": source.pk, "key": key}
    return redirect("tracking:source_detail", source_id=source.pk)


@require_GET
def source_debugger(request: HttpRequest, source_id: int) -> HttpResponse:
    """The debugger's rows alone, polled by htmx."""
    if _manager(request) is None:
        return HttpResponse(status=401)
    source = _source_or_404(source_id)
    return render(request, "tracking/_debugger.html", {"rows": debugger_rows(source)})


@require_GET
def contact_activity(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The contact page's activity card: its whole timeline (tracked events interleaved
    with stage changes and every other app's items), newest first, loaded by htmx."""
    if not request.user.is_authenticated:
        return HttpResponse(status=401)
    try:
        contact = contact_get_for_user(user=request.user, contact_id=contact_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    before = parse_datetime(request.GET.get("before", "")) if request.GET.get("before") else None
    timeline = contact_timeline(contact.pk, before=before, limit=ACTIVITY_PAGE)
    context = {"contact": contact, "items": timeline.items, "next_before": timeline.next_before}
    return render(request, "tracking/_contact_activity.html", context)


@csrf_exempt  # public and embeddable (third-party iframes get no CSRF cookie): honeypot + limit
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def hosted_form(request: HttpRequest, slug: str) -> HttpResponse:
    """A lead-capture form at /f/<slug>/, for a page of its own or an iframe."""
    form = HostedForm.objects.select_related("source").filter(slug=slug, enabled=True).first()
    if form is None or not form.source.enabled:
        raise Http404("No such form.")
    if request.method == "GET":
        return render(request, "tracking/hosted_form.html", {"form": form, "values": {}})
    address = request.META.get("REMOTE_ADDR", "")
    if too_many(form, address):
        return HttpResponse("Too many submissions: try again in a minute.", status=429,
                            headers={"Retry-After": "60"})
    submission = read_submission(form, request.POST)
    if submission.errors and not submission.spam:
        context = {"form": form, "values": submission.values, "errors": submission.errors}
        return render(request, "tracking/hosted_form.html", context, status=400)
    anonymous_id = request.COOKIES.get(ANONYMOUS_COOKIE) or str(uuid.uuid4())
    form_submit(form=form, submission=submission, anonymous_id=anonymous_id,
                received_at=timezone.now())
    if form.redirect_url and not submission.spam:
        return redirect(form.redirect_url)
    return render(request, "tracking/hosted_form_done.html", {"form": form})

"""Sources pages: list and create sources, a source's write key, snippet and live debugger."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from smarketing.core.errors import DomainError, NotFound
from smarketing.core.timeline import contact_timeline
from smarketing.people.permissions import contact_get_for_user
from smarketing.tracking.forms_hosted import form_submit, read_submission, too_many
from smarketing.tracking.models import HostedForm, Source, SourceKind
from smarketing.tracking.permissions import can_manage_sources
from smarketing.tracking.selectors import debugger_rows, source_list
from smarketing.tracking.services import source_create, source_rotate_key

NEW_KEY = "tracking_new_write_key"
ACTIVITY_PAGE = 25
ANONYMOUS_COOKIE = "smk_aid"  # the website snippet's anonymous id, when on the same site


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
    context = {
        "source": source, "write_key": key, "rows": debugger_rows(source),
        "forms": HostedForm.objects.filter(source=source).order_by("name"),
        "base_url": request.build_absolute_uri("/").rstrip("/"),
    }
    return render(request, "tracking/source_detail.html", context)


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

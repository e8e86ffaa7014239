"""The alignment report as a download from the shared dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from smarketing.analytics.report import FORMATS, render
from smarketing.analytics.views.common import bad_request, period_context, require_role

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


@login_required
@require_GET
def report_download(request: HttpRequest) -> HttpResponse:
    require_role(request)
    fmt = request.GET.get("format", "html")
    if fmt not in FORMATS:
        return bad_request(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    context = period_context(request)
    if context["error"]:
        return bad_request(context["error"])
    period = context["period"]
    response = HttpResponse(render(period, fmt), content_type=CONTENT_TYPES[fmt])
    name = f"alignment-report-{period.start}-{period.end}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response

"""Project-wide pages: the home redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from smarketing.core.roles import is_sales


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Sales people start on their work (tasks, stalled deals); the others on the
    contacts list until dashboards exist."""
    if is_sales(request.user):
        return redirect("pipeline:my_work")
    return redirect("people:contact_list")

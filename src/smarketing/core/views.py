"""Project-wide pages: the home redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home page is the contacts list until dashboards exist."""
    return redirect("people:contact_list")

"""Project-wide pages: the home redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from smarketing.core.models import Notification


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Everyone starts on the shared (Smarketing) dashboard."""
    return redirect("analytics:shared")


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The user's notifications, newest first; POST marks them all read."""
    mine = Notification.objects.filter(user_id=int(request.user.pk or 0))
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("notifications")
    return render(request, "core/notifications.html", {"notifications": mine[:100]})

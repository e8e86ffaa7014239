"""Project-wide pages: the home redirect."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from smarketing.core.models import Notification
from smarketing.core.services import notifications_mark_read


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
        notifications_mark_read(user=request.user)
        return redirect("notifications")
    return render(request, "core/notifications.html", {"notifications": mine[:100]})

"""Webhook pages (admins): subscriptions, the delivery log, resend, ping, enable."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from smarketing.core.errors import DomainError, NotFound
from smarketing.core.roles import is_admin
from smarketing.integrations.forms import WebhookForm
from smarketing.integrations.models import WebhookSubscription
from smarketing.integrations.selectors import DELIVERY_STATES, delivery_list, webhook_get
from smarketing.integrations.services import (
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_resend,
    webhook_update,
)

NEW_SECRET = "integrations.new_webhook_secret"


def _admin(request: HttpRequest) -> Any:
    if not is_admin(request.user):
        raise PermissionDenied("Webhooks are managed by admins.")
    return request.user


def _subscription(request: HttpRequest, webhook_id: int) -> WebhookSubscription:
    try:
        return webhook_get(user=_admin(request), webhook_id=webhook_id)
    except NotFound as exc:
        raise Http404(exc.message) from exc


@login_required
@require_http_methods(["GET", "POST"])
def webhook_index(request: HttpRequest) -> HttpResponse:
    user = _admin(request)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = webhook_create(actor=user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            request.session[NEW_SECRET] = {"id": subscription.pk, "secret": subscription.secret}
            return redirect("integrations:webhook_detail", webhook_id=subscription.pk)
    context = {"form": form, "subscriptions": WebhookSubscription.objects.order_by("name", "id")}
    return render(
        request, "integrations/webhook_list.html", context, status=400 if form.errors else 200
    )


@login_required
def webhook_detail(request: HttpRequest, webhook_id: int) -> HttpResponse:
    subscription = _subscription(request, webhook_id)
    shown = request.session.pop(NEW_SECRET, None)
    state = request.GET.get("state", "")
    deliveries = delivery_list(
        subscription, state=state if state in DELIVERY_STATES else ""
    ).prefetch_related("attempt_log")
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    context = {
        "subscription": subscription, "page": page, "state": state,
        "states": DELIVERY_STATES,
        "secret": shown["secret"] if shown and shown.get("id") == subscription.pk else "",
    }
    return render(request, "integrations/webhook_detail.html", context)


@login_required
@require_POST
def webhook_action(request: HttpRequest, webhook_id: int, action: str) -> HttpResponse:
    """ping, enable, disable or delete a subscription."""
    subscription = _subscription(request, webhook_id)
    user = request.user
    if action == "ping":
        result = webhook_ping(subscription=subscription, actor=user)
        status = result.status if result.status is not None else "no answer"
        (messages.error if result.error else messages.success)(
            request, f"Ping answered {status}{': ' + result.error if result.error else ''}"
        )
    elif action in ("enable", "disable"):
        webhook_update(subscription=subscription, actor=user, is_active=action == "enable")
        messages.success(request, f"Webhook {action}d.")
    elif action == "delete":
        webhook_delete(subscription=subscription, actor=user)
        messages.success(request, f"Webhook {subscription.name} deleted.")
        return redirect("integrations:webhook_list")
    else:
        raise Http404("No such action.")
    return redirect("integrations:webhook_detail", webhook_id=webhook_id)


@login_required
@require_POST
def delivery_resend(request: HttpRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    subscription = _subscription(request, webhook_id)
    delivery = subscription.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise Http404("No such delivery.")
    webhook_resend(delivery=delivery, actor=request.user)
    messages.success(request, f"Delivery {delivery.pk} ({delivery.event}) queued again.")
    return redirect("integrations:webhook_detail", webhook_id=webhook_id)

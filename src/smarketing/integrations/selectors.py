"""Reads for webhook subscriptions and their delivery log."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet

from smarketing.core.errors import NotFound, PermissionDenied, ValidationFailed
from smarketing.core.events import EVENTS
from smarketing.core.ordering import both_ways, check_sort, matching
from smarketing.core.roles import is_admin
from smarketing.integrations.models import WebhookAttempt, WebhookDelivery, WebhookSubscription

DELIVERY_STATES = ("delivered", "failed", "pending")


def check_webhook_admin(user: Any) -> None:
    """Webhooks carry every record out of the system: admins only."""
    if not is_admin(user):
        raise PermissionDenied("only admins manage webhooks", field="webhooks")


def webhook_get(*, user: Any, webhook_id: int) -> WebhookSubscription:
    check_webhook_admin(user)
    subscription = WebhookSubscription.objects.filter(pk=webhook_id).first()
    if subscription is None:
        raise NotFound(f"webhook {webhook_id} not found", field="id")
    return subscription


def delivery_get(*, user: Any, webhook_id: int, delivery_id: int) -> WebhookDelivery:
    subscription = webhook_get(user=user, webhook_id=webhook_id)
    delivery = subscription.deliveries.filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} not found", field="delivery_id")
    return delivery


def webhook_list(
    *, is_active: bool | None = None, event: str = ""
) -> QuerySet[WebhookSubscription]:
    """Subscriptions by name; `event`: those subscribed to that event name."""
    if event and event not in EVENTS:
        raise ValidationFailed(f"event: one of {', '.join(EVENTS)}", field="event")
    qs = WebhookSubscription.objects.order_by("name", "id")
    if is_active is not None:
        qs = qs.filter(is_active=is_active)
    if event:
        # the JSON list holds names only: a quoted name matches one element exactly
        qs = qs.filter(events__icontains=f'"{event}"')
    return qs


def delivery_list(
    subscription: WebhookSubscription, *, event: str = "", state: str = ""
) -> QuerySet[WebhookDelivery]:
    """Newest first; `state` is delivered, failed or pending."""
    qs = subscription.deliveries.order_by("-created_at", "-id")
    if event:
        qs = qs.filter(event=event)
    if state == "delivered":
        qs = qs.filter(delivered_at__isnull=False)
    elif state == "failed":
        qs = qs.filter(failed_at__isnull=False)
    elif state == "pending":
        qs = qs.filter(delivered_at__isnull=True, failed_at__isnull=True)
    return qs


# newest first by default; a status sort puts the attempts without an answer last
ATTEMPT_SORTS: dict[str, tuple[Any, ...]] = {
    **both_ways("at", "duration_ms"),
    "status": (F("status").asc(nulls_last=True), "id"),
    "-status": (F("status").desc(nulls_last=True), "-id"),
}


def attempt_list(
    delivery: WebhookDelivery, *, status: int | None = None, answered: bool | None = None,
    sort: str = "-at",
) -> QuerySet[WebhookAttempt]:
    """A delivery's attempts: with one receiver `status`, answered (a status) or not."""
    qs = matching(delivery.attempt_log.order_by(*check_sort(sort, ATTEMPT_SORTS)), status=status)
    return qs if answered is None else qs.filter(status__isnull=not answered)

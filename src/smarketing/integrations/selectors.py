"""Reads for webhook subscriptions and their delivery log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import F, Q, QuerySet

from smarketing.core.errors import NotFound, PermissionDenied, ValidationFailed
from smarketing.core.events import EVENTS
from smarketing.core.ordering import both_ways, check_sort, in_range, matching
from smarketing.core.roles import is_admin
from smarketing.integrations.models import (
    ApiToken,
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

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


WEBHOOK_SORTS = both_ways("name", "created_at", "consecutive_failures")


def webhook_list(
    *, is_active: bool | None = None, event: str = "", q: str = "", sort: str = "name"
) -> QuerySet[WebhookSubscription]:
    """Subscriptions in `sort` order (default: by name); `event`: those subscribed to
    that event name; `q`: the name contains it (any case)."""
    if event and event not in EVENTS:
        raise ValidationFailed(f"event: one of {', '.join(EVENTS)}", field="event")
    qs = matching(WebhookSubscription.objects.order_by(*check_sort(sort, WEBHOOK_SORTS)),
                  is_active=is_active)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if event:
        # the JSON list holds names only: a quoted name matches one element exactly
        qs = qs.filter(events__icontains=f'"{event}"')
    return qs


# newest first by default; the next retry's time puts the deliveries without one last
DELIVERY_SORTS: dict[str, tuple[Any, ...]] = {
    **both_ways("created_at", "attempts"),
    "next_attempt_at": (F("next_attempt_at").asc(nulls_last=True), "id"),
    "-next_attempt_at": (F("next_attempt_at").desc(nulls_last=True), "-id"),
}
DELIVERY_STATE_FILTERS = {
    "delivered": Q(delivered_at__isnull=False),
    "failed": Q(failed_at__isnull=False),
    "pending": Q(delivered_at__isnull=True, failed_at__isnull=True),
}


def delivery_list(
    subscription: WebhookSubscription, *, event: str = "", state: str = "",
    last_status: int | None = None, start: datetime | None = None,
    end: datetime | None = None, sort: str = "-created_at",
) -> QuerySet[WebhookDelivery]:
    """A subscription's deliveries in `sort` order (default: newest first); `state` is
    delivered, failed or pending; `start`/`end` bound the creation time (`end` excluded)."""
    if state and state not in DELIVERY_STATE_FILTERS:
        raise ValidationFailed(f"state: one of {', '.join(DELIVERY_STATES)}", field="state")
    qs = subscription.deliveries.order_by(*check_sort(sort, DELIVERY_SORTS))
    qs = matching(qs, event=event or None, last_status=last_status)
    if state:
        qs = qs.filter(DELIVERY_STATE_FILTERS[state])
    return in_range(qs, "created_at", start, end)


TOKEN_SORTS: dict[str, tuple[Any, ...]] = {
    **both_ways("created_at", "name"),
    "last_used_at": (F("last_used_at").asc(nulls_last=True), "id"),
    "-last_used_at": (F("last_used_at").desc(nulls_last=True), "-id"),
}


def token_list(
    user: Any, *, read_only: bool | None = None, revoked: bool | None = None,
    sort: str = "-created_at",
) -> QuerySet[ApiToken]:
    """`user`'s API tokens in `sort` order (default: newest first), read-only or not,
    revoked or still valid."""
    qs = matching(ApiToken.objects.filter(user=user).order_by(*check_sort(sort, TOKEN_SORTS)),
                  read_only=read_only)
    return qs if revoked is None else qs.filter(revoked_at__isnull=not revoked)


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

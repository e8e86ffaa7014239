"""/api/v1/tokens: a user's own API tokens (created, listed, revoked);
/api/v1/webhooks: outbound webhook subscriptions and their delivery log (admins)."""

from __future__ import annotations

from typing import Any, cast

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Query, Router, Status

from smarketing.core.errors import NotFound
from smarketing.core.events import EVENTS
from smarketing.integrations.bulk import MAX_ITEMS, BulkRefused, bulk_apply
from smarketing.integrations.models import ApiToken
from smarketing.integrations.schemas import (
    AttemptList,
    AttemptOut,
    AttemptQuery,
    BulkIn,
    BulkOut,
    BulkRefusedOut,
    DeliveryList,
    DeliveryOut,
    DeliveryQuery,
    TokenCreated,
    TokenIn,
    TokenList,
    TokenOut,
    TokenQuery,
    WebhookCreated,
    WebhookIn,
    WebhookList,
    WebhookOut,
    WebhookPatch,
    WebhookQuery,
    WebhookSecret,
)
from smarketing.integrations.selectors import (
    attempt_list,
    check_webhook_admin,
    delivery_get,
    delivery_list,
    token_list,
    webhook_get,
    webhook_list,
)
from smarketing.integrations.services import (
    token_create,
    token_revoke,
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_resend,
    webhook_rotate_secret,
    webhook_update,
)

router = Router(tags=["tokens"])
webhooks_router = Router(tags=["webhooks"])
bulk_router = Router(tags=["bulk"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@router.get("", response=TokenList, summary="Your API tokens (hashes are never shown)")
def tokens_list(request: HttpRequest, query: Query[TokenQuery]) -> dict[str, Any]:
    return query.page_of(token_list(_me(request), **query.filters()))


@router.post("", response={201: TokenCreated}, summary="Create a token: its value is shown once")
def tokens_create(request: HttpRequest, payload: TokenIn) -> Status:
    token, raw = token_create(user=request.user, name=payload.name, read_only=payload.read_only)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/{token_id}", response={204: None}, summary="Revoke one of your tokens")
def tokens_revoke(request: HttpRequest, token_id: int) -> Status:
    if not ApiToken.objects.filter(pk=token_id, user=_me(request)).exists():
        raise NotFound(f"token {token_id} not found", field="token_id")
    token_revoke(token_id=token_id, actor=request.user)
    return Status(204, None)


@webhooks_router.get("/events", response=list[str], summary="The event names to subscribe to")
def webhooks_events(request: HttpRequest) -> list[str]:
    return list(EVENTS)


@webhooks_router.get("", response=WebhookList, summary="Webhook subscriptions (admins)")
def webhooks_list(request: HttpRequest, query: Query[WebhookQuery]) -> dict[str, Any]:
    check_webhook_admin(request.user)
    return query.page_of(webhook_list(**query.filters()))


@webhooks_router.post(
    "", response={201: WebhookCreated}, summary="Subscribe a URL: its secret is shown once"
)
def webhooks_create(request: HttpRequest, payload: WebhookIn) -> Status:
    check_webhook_admin(request.user)
    subscription = webhook_create(actor=request.user, **payload.dict())
    return Status(201, {**WebhookOut.from_orm(subscription).dict(), "secret": subscription.secret})


@webhooks_router.get("/{webhook_id}", response=WebhookOut, summary="One subscription")
def webhooks_get(request: HttpRequest, webhook_id: int) -> Any:
    return webhook_get(user=request.user, webhook_id=webhook_id)


@webhooks_router.patch(
    "/{webhook_id}", response=WebhookOut, summary="Change; is_active=true re-enables"
)
def webhooks_patch(request: HttpRequest, webhook_id: int, payload: WebhookPatch) -> Any:
    subscription = webhook_get(user=request.user, webhook_id=webhook_id)
    fields = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    return webhook_update(subscription=subscription, actor=request.user, **fields)


@webhooks_router.delete("/{webhook_id}", response={204: None}, summary="Unsubscribe")
def webhooks_delete(request: HttpRequest, webhook_id: int) -> Status:
    subscription = webhook_get(user=request.user, webhook_id=webhook_id)
    webhook_delete(subscription=subscription, actor=request.user)
    return Status(204, None)


@webhooks_router.post(
    "/{webhook_id}/rotate-secret", response=WebhookSecret, summary="A new secret, shown once"
)
def webhooks_rotate(request: HttpRequest, webhook_id: int) -> dict[str, str]:
    subscription = webhook_get(user=request.user, webhook_id=webhook_id)
    return {"secret": webhook_rotate_secret(subscription=subscription, actor=request.user)}


@webhooks_router.post(
    "/{webhook_id}/ping", response=AttemptOut, summary="POST a signed `ping` now (test)"
)
def webhooks_ping(request: HttpRequest, webhook_id: int) -> Any:
    subscription = webhook_get(user=request.user, webhook_id=webhook_id)
    return webhook_ping(subscription=subscription, actor=request.user)


@webhooks_router.get(
    "/{webhook_id}/deliveries", response=DeliveryList, summary="Delivery log (filters, sort, pages)"
)
def webhooks_deliveries(
    request: HttpRequest, webhook_id: int, query: Query[DeliveryQuery]
) -> dict[str, Any]:
    subscription = webhook_get(user=request.user, webhook_id=webhook_id)
    return query.page_of(delivery_list(subscription, **query.filters()))


@webhooks_router.get(
    "/{webhook_id}/deliveries/{delivery_id}/attempts", response=AttemptList,
    summary="A delivery's attempts with the receiver's status code (filters, sort, pages)",
)
def webhooks_attempts(
    request: HttpRequest, webhook_id: int, delivery_id: int, query: Query[AttemptQuery]
) -> Any:
    delivery = delivery_get(user=request.user, webhook_id=webhook_id, delivery_id=delivery_id)
    return query.page_of(attempt_list(delivery, **query.filters()))


@webhooks_router.post(
    "/{webhook_id}/deliveries/{delivery_id}/resend", response=DeliveryOut,
    summary="Queue a delivery again (the receiver dedupes by the event id)",
)
def webhooks_resend(request: HttpRequest, webhook_id: int, delivery_id: int) -> Any:
    delivery = delivery_get(user=request.user, webhook_id=webhook_id, delivery_id=delivery_id)
    return webhook_resend(delivery=delivery, actor=request.user)


BULK_KINDS = "contacts|companies|deals|activities"


@bulk_router.post(
    "/{kind}", response={200: BulkOut, 422: BulkRefusedOut},
    summary=f"Create or upsert up to {MAX_ITEMS} {BULK_KINDS} in one transaction",
)
def bulk(request: HttpRequest, kind: str, payload: BulkIn) -> Any:
    """`kind` is contacts, companies, deals or activities; each item has the fields of
    the single create (or, when `upsert_by` (id, email for contacts, domain for
    companies) matches a record, of its PATCH). All or nothing: a refused item
    answers 422 with every refused item by index and writes nothing."""
    if kind not in BULK_KINDS.split("|"):
        raise NotFound(f"kind: no bulk endpoint for {kind!r} ({BULK_KINDS})", field="kind")
    try:
        return bulk_apply(
            request=request, kind_name=kind, items=payload.items, upsert_by=payload.upsert_by
        )
    except BulkRefused as exc:
        return Status(422, {"detail": exc.message, "field": exc.field, "code": exc.code,
                            "errors": exc.errors})

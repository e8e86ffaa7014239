"""/api/v1/tokens: a user's own API tokens (created, listed, revoked)."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja import Router, Status

from smarketing.core.errors import NotFound
from smarketing.integrations.models import ApiToken
from smarketing.integrations.schemas import TokenCreated, TokenIn, TokenList, TokenOut
from smarketing.integrations.services import token_create, token_revoke

router = Router(tags=["tokens"])


def _me(request: HttpRequest) -> User:
    return cast(User, request.user)


@router.get("", response=TokenList, summary="Your API tokens (hashes are never shown)")
def tokens_list(request: HttpRequest) -> dict:
    items = list(ApiToken.objects.filter(user=_me(request)).order_by("-created_at"))
    return {"items": items, "count": len(items)}


@router.post("", response={201: TokenCreated}, summary="Create a token: its value is shown once")
def tokens_create(request: HttpRequest, payload: TokenIn) -> Status:
    token, raw = token_create(user=request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/{token_id}", response={204: None}, summary="Revoke one of your tokens")
def tokens_revoke(request: HttpRequest, token_id: int) -> Status:
    if not ApiToken.objects.filter(pk=token_id, user=_me(request)).exists():
        raise NotFound(f"token {token_id} not found", field="token_id")
    token_revoke(token_id=token_id, actor=request.user)
    return Status(204, None)

"""Writes for API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from smarketing.core.errors import NotFound
from smarketing.integrations.models import ApiToken

TOKEN_PREFIX = "smk_"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_create(*, user: Any, name: str = "") -> tuple[ApiToken, str]:
    """Create a token; the raw value is returned once and never stored."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=raw[:10], token_hash=hash_token(raw)
    )
    return token, raw


def token_revoke(*, token_id: int, actor: Any) -> ApiToken:
    token = ApiToken.objects.filter(pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise NotFound(f"token {token_id} not found or already revoked", field="id")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at", "updated_at"])
    return token


def token_authenticate(raw: str) -> Any | None:
    """Return the active user of a raw token (recording its use), or None."""
    token = (
        ApiToken.objects.select_related("user", "user__profile")
        .filter(token_hash=hash_token(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user

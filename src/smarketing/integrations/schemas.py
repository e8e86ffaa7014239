from __future__ import annotations

from datetime import datetime

from ninja import Schema


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str


class TokenIn(Schema):
    name: str = ""


class TokenList(Schema):
    items: list[TokenOut]
    count: int

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from smarketing.core.schemas import PageQuery


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    read_only: bool


class TokenCreated(TokenOut):
    token: str


class TokenIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field("", max_length=100)
    read_only: bool = False


class TokenList(Schema):
    items: list[TokenOut]
    count: int


class WebhookIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., max_length=100)
    url: str = Field(..., max_length=500)
    events: list[str]


class WebhookPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=100)
    url: str | None = Field(None, max_length=500)
    events: list[str] | None = None
    is_active: bool | None = None


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    events: list[str]
    is_active: bool
    disabled_at: datetime | None
    disabled_reason: str
    consecutive_failures: int
    created_at: datetime
    updated_at: datetime


class WebhookCreated(WebhookOut):
    secret: str


class WebhookSecret(Schema):
    secret: str


class WebhookList(Schema):
    items: list[WebhookOut]
    count: int


class AttemptOut(Schema):
    id: int
    at: datetime
    status: int | None
    error: str
    duration_ms: int


class AttemptList(Schema):
    items: list[AttemptOut]
    count: int


class TokenQuery(PageQuery):
    read_only: bool | None = Field(None, description="true: read-only tokens; false: "
                                   "read-write")
    revoked: bool | None = Field(None, description="true: revoked; false: still valid")
    sort: str = Field("-created_at", description="created_at, name, last_used_at (never "
                      "used last); - descends")


class WebhookQuery(PageQuery):
    is_active: bool | None = None
    event: str = Field("", description="Those subscribed to this event name.")
    q: str = Field("", description="Name contains (any case).")
    sort: str = Field("name", description="name, created_at, consecutive_failures; "
                      "- descends")


class DeliveryQuery(PageQuery):
    event: str = Field("", description="The event name.")
    state: str = Field("", description="delivered, failed or pending")
    last_status: int | None = Field(None, description="The receiver's last status code.")
    start: datetime | None = Field(None, description="Created at or after.")
    end: datetime | None = Field(None, description="Created before.")
    sort: str = Field("-created_at", description="created_at, attempts, next_attempt_at "
                      "(none last); - descends")


class AttemptQuery(PageQuery):
    status: int | None = Field(None, description="The receiver's status code.")
    answered: bool | None = Field(None, description="false: no answer (timeout, refused)")
    sort: str = Field("-at", description="at, status (no answer last), duration_ms; "
                      "- descends")


class DeliveryOut(Schema):
    id: int
    subscription_id: int
    event: str
    event_id: str
    payload: dict
    created_at: datetime
    attempts: int
    last_status: int | None
    last_error: str
    delivered_at: datetime | None
    next_attempt_at: datetime | None
    failed_at: datetime | None


class DeliveryList(Schema):
    items: list[DeliveryOut]
    count: int


class BulkIn(Schema):
    items: list[Any]
    upsert_by: str = ""


class BulkItemOut(Schema):
    index: int
    id: int
    action: str


class BulkOut(Schema):
    count: int
    created: int
    updated: int
    items: list[BulkItemOut]


class BulkItemError(Schema):
    index: int
    field: str
    detail: str
    code: str


class BulkRefusedOut(Schema):
    detail: str
    field: str
    code: str
    errors: list[BulkItemError]

"""Typed shapes of the sources API."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from smarketing.tracking.models import SourceKind


class SourceIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=100)
    kind: SourceKind = SourceKind.WEBSITE
    rate_limit: int = Field(0, ge=0, description="Most messages a minute; 0: no limit.")


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    key_prefix: str
    enabled: bool
    rate_limit: int
    rejected_count: int
    duplicate_count: int
    created_at: datetime


class SourceCreated(SourceOut):
    write_key: str = Field(..., description="Shown once: only its hash is kept.")


class SourceList(Schema):
    items: list[SourceOut]
    count: int

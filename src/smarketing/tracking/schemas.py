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


class SourcePatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=100)
    enabled: bool | None = None


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


class FormFieldIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., description="The trait it sends (a contact field or custom property).")
    label: str = ""
    type: str = Field("text", description="text, email, tel or textarea")
    required: bool = False


class HostedFormIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    slug: str = Field(..., description="The public URL is /f/<slug>/.")
    fields: list[FormFieldIn] = Field(..., description="An `email` field is required.")
    form_type: str = Field("", description='"newsletter" keeps a subscriber.')
    consent_text: str = Field("", description="When set, a checkbox that must be ticked.")
    thank_you_text: str = "Thank you!"
    redirect_url: str = ""
    asset_url: str = Field("", description="Offered after submitting.")


class HostedFormOut(Schema):
    id: int
    source_id: int
    name: str
    slug: str
    fields: list[dict]
    form_type: str
    consent_text: str
    thank_you_text: str
    redirect_url: str
    asset_url: str
    enabled: bool
    url: str = Field(..., description="The public form (also the iframe's src).")


class HostedFormList(Schema):
    items: list[HostedFormOut]
    count: int

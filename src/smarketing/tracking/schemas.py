"""Typed shapes of the sources API."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from smarketing.core.schemas import PageQuery
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


class HostedFormQuery(PageQuery):
    q: str = Field("", description="Name contains (any case).")
    enabled: bool | None = None
    form_type: str | None = Field(None, description='"newsletter", or "" the lead form')
    sort: str = Field("name", description="name, created_at, slug; - descends")


class HostedFormList(Schema):
    items: list[HostedFormOut]
    count: int


class HostedFormPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    slug: str | None = Field(None, description="Fixed once created: only its own value.")
    fields: list[FormFieldIn] | None = None
    form_type: str | None = None
    consent_text: str | None = None
    thank_you_text: str | None = None
    redirect_url: str | None = None
    asset_url: str | None = None
    enabled: bool | None = Field(None, description="A disabled form's URL answers 404.")


class EventQuery(PageQuery):
    source_id: int | None = None
    type: str = Field("", description="identify, track, page, screen, group or alias")
    name: str = Field("", description="The event or page name (needs `type`).")
    contact_id: int | None = None
    anonymous_id: str = ""
    user_id: str = ""
    utm_campaign: str = Field("", description="The utm_campaign value, exactly.")
    start: datetime | None = Field(None, description="timestamp >= start (ISO; UTC if no zone)")
    end: datetime | None = Field(None, description="timestamp < end")
    sort: str = Field("-timestamp", description="-timestamp (newest first) or timestamp")


class EventOut(Schema):
    id: int
    source_id: int
    message_id: str
    type: str
    name: str
    contact_id: int | None
    anonymous_id: str
    user_id: str
    group_id: str
    timestamp: datetime
    sent_at: datetime | None
    received_at: datetime
    properties: dict
    context: dict
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    referrer: str
    page_url: str
    page_path: str


class EventList(Schema):
    items: list[EventOut]
    count: int = Field(..., description="Matching events, counted up to 10,000.")
    count_exact: bool = Field(..., description="false: more than `count` events match.")

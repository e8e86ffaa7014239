"""Activities (calls, emails, meetings: Gong-style call exports) and campaigns."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from pydantic import Field

from smarketing.campaigns.models import Campaign
from smarketing.campaigns.services import campaign_create, campaign_update
from smarketing.imports.kinds.base import (
    CREATED,
    SKIPPED,
    UPDATED,
    Context,
    Kind,
    Money,
    Outcome,
    Row,
    RowError,
    RowModel,
    Stamp,
    per_row,
)
from smarketing.imports.values import duration_seconds
from smarketing.people.models import Contact
from smarketing.pipeline.models import ActivityKind, Deal
from smarketing.pipeline.services import activity_log

KIND_WORDS = {"call": "call", "phone": "call", "conference": "meeting", "video": "meeting",
              "meeting": "meeting", "email": "email", "demo": "demo", "note": "note",
              "task": "task", "zoom": "meeting", "web conference": "meeting"}


class ActivityIn(RowModel):
    external_id: str = Field("", max_length=200)
    kind: str = "call"
    subject: str = ""
    body: str = ""
    outcome: str = ""
    at: Stamp = None
    owner: str = ""
    contact_email: str = ""
    contact_external_id: str = ""
    participants: list[str] = Field(default_factory=list)
    deal_external_id: str = ""
    duration: str = ""


def _contact(data: ActivityIn, ctx: Context) -> Contact | None:
    if data.contact_external_id:
        pk = ctx.lookups.object_id("contact", data.contact_external_id)
        if pk is not None:
            return Contact.objects.get(pk=pk)
    emails = [e.strip().lower() for e in [data.contact_email, *data.participants] if "@" in e]
    return Contact.objects.filter(email__in=emails).order_by("id").first() if emails else None


def _body(data: ActivityIn, ctx: Context) -> str:
    try:
        seconds = duration_seconds(data.duration)
    except ValueError as exc:
        raise RowError(ctx.column("duration"), str(exc)) from exc
    if seconds is None:
        return data.body
    return f"Duration: {seconds // 60}:{seconds % 60:02d}\n{data.body}".strip()


def _activity(row: Row, ctx: Context) -> Outcome:
    data: ActivityIn = row.data
    if data.external_id and ctx.on_duplicate != "create" and ctx.lookups.object_id(
            "activity", data.external_id) is not None:
        return Outcome(row.line, SKIPPED, reason="already imported")
    kind = KIND_WORDS.get(data.kind.strip().lower(), data.kind.strip().lower())
    if kind not in ActivityKind.values:
        raise RowError(ctx.column("kind"), f"{data.kind!r} is not one of "
                       f"{', '.join(ActivityKind.values)}")
    pk = ctx.lookups.object_id("deal", data.deal_external_id) if data.deal_external_id else None
    deal = Deal.objects.filter(pk=pk).first() if pk else None
    contact = _contact(data, ctx)
    if contact is None and deal is None:
        raise RowError(ctx.column("participants" if data.participants else "contact_email"),
                       "no known contact or deal to link the activity to")
    owner = ctx.lookups.owner(data.owner) if data.owner else ctx.actor
    if not getattr(owner, "pk", None):
        raise RowError(ctx.column("owner"), "an activity needs an owner")
    activity = activity_log(actor=owner, kind=kind, subject=data.subject or kind.title(),
                            body=_body(data, ctx), outcome=data.outcome, at=data.at,
                            due_at=data.at if kind == "task" else None, contact=contact,
                            deal=deal)
    if data.external_id:
        ctx.lookups.remember("activity", data.external_id, activity.pk)
    return Outcome(row.line, CREATED)


class CampaignIn(RowModel):
    name: str = Field("", max_length=200)
    channel: str = ""
    utm_campaign: str = ""
    utm_source: str = ""
    utm_medium: str = ""
    start_date: Stamp = None
    end_date: Stamp = None
    budget: Money = None
    owner: str = ""
    status: str = ""


def _day(value: dt.datetime | None) -> dt.date | None:
    return value.date() if value else None


def _campaign(row: Row, ctx: Context) -> Outcome:
    data: CampaignIn = row.data
    if not data.name:
        raise RowError(ctx.column("name"), "a campaign needs a name")
    fields: dict[str, Any] = {k: v for k, v in {
        "channel": data.channel.lower(), "utm_campaign": data.utm_campaign,
        "utm_source": data.utm_source, "utm_medium": data.utm_medium,
        "start_date": _day(data.start_date), "end_date": _day(data.end_date),
        "budget": data.budget, "status": data.status.lower(),
        "owner": ctx.lookups.owner(data.owner) if data.owner else None,
    }.items() if v not in ("", None)}
    existing = Campaign.objects.filter(name__iexact=data.name).first()
    if existing is not None:
        if ctx.on_duplicate != "update":
            return Outcome(row.line, SKIPPED, reason=f"campaign {existing.pk} exists")
        campaign_update(campaign=existing, actor=ctx.actor, **fields)
        return Outcome(row.line, UPDATED)
    fields.setdefault("budget", Decimal("0"))
    fields.setdefault("utm_campaign", data.name)
    fields.setdefault("start_date", timezone.localdate())
    if "channel" not in fields:
        raise RowError(ctx.column("channel"), "a campaign needs a channel")
    campaign_create(actor=ctx.actor, name=data.name, **fields)
    return Outcome(row.line, CREATED)


ACTIVITIES = Kind(name="activities", model=ActivityIn,
                  write=lambda rows, ctx: per_row(rows, ctx, _activity),
                  key=lambda d: f"id:{d.external_id}" if d.external_id else "",
                  key_field="external_id")
CAMPAIGNS = Kind(name="campaigns", model=CampaignIn,
                 write=lambda rows, ctx: per_row(rows, ctx, _campaign),
                 key=lambda d: d.name.lower(), key_field="name")

"""Campaigns, assets and events for campaigns tests, made through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from smarketing.campaigns.models import Campaign, ContentAsset
from smarketing.campaigns.services import asset_create, campaign_create
from smarketing.tracking.models import Event, Source
from smarketing.tracking.services import source_create

_seq = itertools.count(1)


def make_campaign(
    name: str | None = None, *, channel: str = "paid_search", utm_campaign: str | None = None,
    start_date: dt.date = dt.date(2026, 1, 1), **fields: Any,
) -> Campaign:
    n = next(_seq)
    return campaign_create(
        actor=None, name=name or f"Campaign {n}", channel=channel,
        utm_campaign=utm_campaign or (name or f"campaign-{n}").lower().replace(" ", "-"),
        start_date=start_date, **fields,
    )


def make_asset(title: str = "Ebook", *, type: str = "ebook", **fields: Any) -> ContentAsset:
    return asset_create(actor=None, title=title, type=type, **fields)


def the_source() -> Source:
    found = Source.objects.filter(name="Test site").first()
    return found or source_create(actor=None, name="Test site", kind="website")[0]


def make_event(
    contact: Any, at: dt.datetime, *, name: str = "", type: str = "page", **fields: Any,
) -> Event:
    return Event.objects.create(
        source=the_source(), message_id=f"m{next(_seq)}", type=type, name=name,
        contact=contact, anonymous_id=f"anon-{next(_seq)}", timestamp=at, received_at=at,
        **fields,
    )

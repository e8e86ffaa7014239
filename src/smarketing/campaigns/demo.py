"""Demo campaigns for `smarketing generate` (a generate extension registered in
CampaignsConfig.ready()), consistent with the generated contacts.

Every campaign name the people generator gives contacts as original or latest
campaign becomes a Campaign with that channel and a slug as utm_campaign. Paid
campaigns get daily channel metrics over the window (impressions, clicks, spend;
likes, shares, comments and video views for paid social); the others get costs
(a monthly lump sum for events and content production, a daily amount for email
tools). Content assets hang off the content, event and email campaigns. Each contact
with a campaign gets UTM-tagged page events from a "Demo website" source: the
original campaign's touch shortly before the contact first appeared, an asset
download at reached(lead) when the campaign has an asset (the conversion point),
and the latest campaign's touch between lead and opportunity. Reps share assets with
some contacts the day after their opportunity. Deterministic per seed; bulk inserts
in chunks.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction

from smarketing.campaigns.models import (
    AssetType,
    Campaign,
    CampaignCost,
    CampaignStatus,
    Channel,
    ChannelMetric,
    ContentAsset,
    CostKind,
)
from smarketing.people.generate import reference as ref
from smarketing.people.generate.extensions import GenerateContext
from smarketing.people.models import Contact, SourceChannel
from smarketing.tracking.models import Event, Source
from smarketing.tracking.services import source_create

SOURCE_NAME = "Demo website"
CHUNK = 5000
SHARES = 40  # assets sent by reps to contacts with an opportunity
CHANNEL_OF: dict[str, str] = {
    SourceChannel.ORGANIC_SEARCH: Channel.CONTENT_SEO, SourceChannel.PAID_SEARCH:
    Channel.PAID_SEARCH, SourceChannel.EMAIL: Channel.EMAIL, SourceChannel.ORGANIC_SOCIAL:
    Channel.ORGANIC_SOCIAL, SourceChannel.PAID_SOCIAL: Channel.PAID_SOCIAL,
    SourceChannel.REFERRAL: Channel.REFERRAL, SourceChannel.EVENT: Channel.EVENTS_WEBINARS,
    SourceChannel.OTHER_CAMPAIGNS: Channel.CONTENT_SEO,
}
MEDIUM: dict[str, str] = {Channel.PAID_SEARCH: "cpc", Channel.PAID_SOCIAL: "paid_social",
          Channel.EMAIL: "email", Channel.ORGANIC_SOCIAL: "social",
          Channel.REFERRAL: "referral", Channel.EVENTS_WEBINARS: "webinar",
          Channel.CONTENT_SEO: "content"}
ASSET_TYPES = (("Ebook", AssetType.EBOOK), ("Report", AssetType.WHITEPAPER),
               ("Guide", AssetType.BUYERS_GUIDE), ("Webinar", AssetType.WEBINAR),
               ("Blog", AssetType.BLOG_POST), ("Free ROI", AssetType.TEMPLATE),
               ("Nurture", AssetType.CASE_STUDY))


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def _campaign_specs() -> Iterator[tuple[str, str]]:
    for source_channel, (_, _, _, names) in ref.CHANNELS.items():
        for name in names:
            if name and source_channel in CHANNEL_OF:
                yield name, CHANNEL_OF[source_channel]


def clear_campaign_data() -> None:
    """Delete demo campaigns, assets and the demo website's events (for --force)."""
    source = Source.objects.filter(name=SOURCE_NAME).first()
    if source is not None:
        Event.objects.filter(source=source).delete()
        source.delete()
    ContentAsset.objects.all().delete()
    Campaign.objects.all().delete()


def _day(seconds: int) -> dt.date:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).date()


def _spend(rng: random.Random, campaign: Campaign, first: dt.date, last: dt.date) -> int:
    if campaign.channel in (Channel.PAID_SEARCH, Channel.PAID_SOCIAL):
        return _metrics(rng, campaign, first, last)
    if campaign.channel == Channel.EMAIL:
        CampaignCost.objects.create(campaign=campaign, kind=CostKind.DAILY, start_date=first,
                                    end_date=last, amount=Decimal(rng.choice((15, 25, 40))),
                                    note="Email platform")
        return 1
    months = [first.replace(day=1)]
    while (nxt := (months[-1] + dt.timedelta(days=32)).replace(day=1)) <= last:
        months.append(nxt)
    CampaignCost.objects.bulk_create([
        CampaignCost(campaign=campaign, kind=CostKind.LUMP_SUM, start_date=m, end_date=m,
                     amount=Decimal(rng.randrange(400, 6000, 50)), note="Monthly production")
        for m in months if m >= first
    ])
    return len(months)


def _metrics(rng: random.Random, campaign: Campaign, first: dt.date, last: dt.date) -> int:
    social = campaign.channel == Channel.PAID_SOCIAL
    rows, day = [], first
    base = rng.randrange(2000, 20000)
    while day <= last:
        impressions = int(base * rng.uniform(0.6, 1.4))
        clicks = int(impressions * rng.uniform(0.008, 0.035))
        rows.append(ChannelMetric(
            campaign=campaign, day=day, impressions=impressions, clicks=clicks,
            spend=(Decimal(clicks) * Decimal(rng.uniform(1.2, 6.5)).quantize(
                Decimal("0.01"))).quantize(Decimal("0.01")),
            likes=int(impressions * 0.004) if social else 0,
            shares=int(impressions * 0.0008) if social else 0,
            comments=int(impressions * 0.0005) if social else 0,
            video_views=int(impressions * 0.05) if social else 0,
        ))
        day += dt.timedelta(days=1)
    ChannelMetric.objects.bulk_create(rows, batch_size=CHUNK)
    return len(rows)


def _asset_for(campaign: Campaign) -> ContentAsset | None:
    for prefix, kind in ASSET_TYPES:
        if campaign.name.startswith(prefix):
            return ContentAsset.objects.create(
                title=campaign.name.split(": ", 1)[-1], type=kind, campaign=campaign,
                url=f"https://www.example.com/resources/{slug(campaign.name)}",
                gated=kind != AssetType.BLOG_POST)
    return None


class _Touches:
    """Builds the demo events of one contact."""

    def __init__(self, rng: random.Random, source: Source, end: dt.datetime,
                 campaigns: dict[str, Campaign], assets: dict[int, int]) -> None:
        self.rng, self.source, self.end = rng, source, end
        self.campaigns, self.assets = campaigns, assets

    def _event(self, contact_id: int, n: int, at: dt.datetime, **fields: Any) -> Event:
        return Event(source=self.source, message_id=f"demo-{contact_id}-{n}",
                     contact_id=contact_id, anonymous_id=f"demo-anon-{contact_id}",
                     timestamp=at, received_at=at, **fields)

    def _page(self, contact_id: int, n: int, at: dt.datetime, campaign: Campaign) -> Event:
        url = f"https://www.example.com/?utm_campaign={campaign.utm_campaign}"
        return self._event(contact_id, n, at, type="page", utm_campaign=campaign.utm_campaign,
                           utm_medium=MEDIUM.get(campaign.channel, ""), page_url=url,
                           page_path="/")

    def of(self, row: tuple[Any, ...]) -> list[Event]:
        pk, original, latest, created, subscriber_at, lead_at, opportunity_at = row
        created = min(t for t in (created, subscriber_at, lead_at) if t is not None)
        events: list[Event] = []
        first = self.campaigns.get(original)
        if first is not None:
            at = created - dt.timedelta(hours=self.rng.uniform(1, 72))
            events.append(self._page(pk, 1, at, first))
            if lead_at is not None and first.pk in self.assets:
                events.append(self._event(
                    pk, 2, lead_at - dt.timedelta(minutes=1), type="track",
                    name="Asset Downloaded", properties={"asset_id": self.assets[first.pk]}))
        second = self.campaigns.get(latest)
        if lead_at is not None and second is not None and latest != original:
            until = opportunity_at or min(lead_at + dt.timedelta(days=30), self.end)
            at = lead_at + (until - lead_at) * self.rng.uniform(0.1, 0.9)
            events.append(self._page(pk, 3, at, second))
        return events


def _contact_rows() -> Iterator[list[tuple[Any, ...]]]:
    last = 0
    while True:
        rows = list(Contact.objects.filter(pk__gt=last).order_by("pk").values_list(
            "pk", "original_campaign", "latest_campaign", "created_at", "became_subscriber_at",
            "became_lead_at", "became_opportunity_at")[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def generate_campaigns(context: GenerateContext) -> list[str]:
    rng = random.Random(f"{context.seed}:campaigns")
    first, last = _day(context.start), _day(context.end)
    with transaction.atomic():
        campaigns = {name: Campaign.objects.create(
            name=name, channel=channel, utm_campaign=slug(name), start_date=first,
            budget=Decimal(rng.randrange(5, 120) * 1000), status=CampaignStatus.ACTIVE,
        ) for name, channel in _campaign_specs()}
        spend_rows = sum(_spend(rng, c, first, last) for c in campaigns.values())
        assets = {c.pk: a.pk for c in campaigns.values() if (a := _asset_for(c))}
        source = source_create(actor=None, name=SOURCE_NAME, kind="website")[0]
    end = dt.datetime.fromtimestamp(context.end, dt.UTC)
    touches, events = _Touches(rng, source, end, campaigns, assets), 0
    for rows in _contact_rows():
        batch = [event for row in rows for event in touches.of(row)]
        Event.objects.bulk_create(batch, batch_size=CHUNK)
        events += len(batch)
    shares = _shares(rng, list(ContentAsset.objects.order_by("pk")), end)
    return [f"Campaigns: {len(campaigns)} campaigns, {spend_rows:,} cost and metric rows, "
            f"{len(assets)} content assets, {events:,} UTM-tagged and asset events, "
            f"{shares} assets shared by reps."]


def _shares(rng: random.Random, assets: list[ContentAsset], end: dt.datetime) -> int:
    """Owners send an asset to some of their contacts the day after the opportunity
    (through the share service: an email activity each)."""
    from smarketing.campaigns.services import asset_share

    contacts = list(Contact.objects.filter(
        became_opportunity_at__isnull=False, became_opportunity_at__lt=end - dt.timedelta(
            days=1), owner__isnull=False).select_related("owner").order_by("pk")[:SHARES * 3])
    chosen = rng.sample(contacts, min(SHARES, len(contacts))) if assets else []
    for contact in chosen:
        opportunity = contact.became_opportunity_at or end  # filtered: never None
        asset_share(asset=rng.choice(assets), contact=contact, actor=contact.owner,
                    note="As promised on our call.", at=opportunity + dt.timedelta(days=1))
    return len(chosen)

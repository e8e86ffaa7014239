"""Which campaign an event's UTM fields name, and the default channel of untagged visits.

Campaign precedence (docs/campaigns.md). UTM values compare trimmed and
case-insensitively. An event with an empty utm_campaign resolves to no campaign.
Among the campaigns whose utm_campaign equals the event's, a campaign's non-empty
utm_source / utm_medium must equal the event's, and the most specific one wins:
1. utm_campaign + utm_source + utm_medium,
2. utm_campaign + utm_source,
3. utm_campaign + utm_medium,
4. utm_campaign alone.
(At most one campaign holds each combination: a unique constraint.)

Default channel grouping for a visit that resolves to no campaign: its utm_medium
when it has one (cpc -> paid search, email -> email, ...), else its referrer's
host: an email client (webmail) -> email, a search engine -> organic search, a
known social network -> organic social, no referrer host (none, unparseable, or the
site itself) -> direct, anything else -> referral.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import urlsplit

from django.db.models import QuerySet

from smarketing.campaigns.models import Campaign, Channel
from smarketing.campaigns.services import utm_key
from smarketing.tracking.attribution import (
    EMAIL_CLIENTS,
    EMAIL_MEDIA,
    EVENT_MEDIA,
    ORGANIC_MEDIA,
    PAID_SEARCH_MEDIA,
    PAID_SOCIAL_MEDIA,
    REFERRAL_MEDIA,
    SEARCH_ENGINES,
    SOCIAL_MEDIA,
    SOCIAL_NETWORKS,
)
from smarketing.tracking.models import Event

ORGANIC_SEARCH = "organic_search"
# Every channel a touch or a visit can be grouped under: a campaign's channels, and
# organic search (which no campaign pays for).
CHANNEL_LABELS: dict[str, str] = {ORGANIC_SEARCH: "Organic search", **dict(Channel.choices)}

MEDIUM_CHANNELS: tuple[tuple[frozenset[str], str], ...] = (
    (PAID_SEARCH_MEDIA, Channel.PAID_SEARCH),
    (PAID_SOCIAL_MEDIA, Channel.PAID_SOCIAL),
    (SOCIAL_MEDIA, Channel.ORGANIC_SOCIAL),
    (EMAIL_MEDIA, Channel.EMAIL),
    (frozenset({"display", "cpm", "banner", "programmatic"}), Channel.DISPLAY),
    (EVENT_MEDIA, Channel.EVENTS_WEBINARS),
    (REFERRAL_MEDIA, Channel.REFERRAL),
    (ORGANIC_MEDIA, ORGANIC_SEARCH),
    (frozenset({"content", "blog"}), Channel.CONTENT_SEO),
)


class UtmKeys(NamedTuple):
    """An event's (utm_campaign, utm_source, utm_medium), normalised."""

    campaign: str
    source: str
    medium: str

    @classmethod
    def of(cls, campaign: str, source: str = "", medium: str = "") -> UtmKeys:
        return cls(utm_key(campaign), utm_key(source), utm_key(medium))


def _specificity(source: str, medium: str) -> int:
    return 2 * bool(source) + bool(medium)


class CampaignIndex:
    """Campaigns by their UTM keys, loaded once, to resolve many events in memory."""

    def __init__(self, rows: Iterable[tuple[int, str, str, str]]) -> None:
        self._by_name: dict[str, list[tuple[int, str, str, int]]] = defaultdict(list)
        for pk, campaign, source, medium in rows:
            self._by_name[campaign].append((_specificity(source, medium), source, medium, pk))
        for candidates in self._by_name.values():
            candidates.sort(reverse=True)

    @classmethod
    def load(cls, names: Iterable[str] | None = None) -> CampaignIndex:
        """All campaigns, or only those whose utm_campaign is among `names`."""
        qs = Campaign.objects.all()
        if names is not None:
            qs = qs.filter(utm_campaign__in={utm_key(n) for n in names} - {""})
        return cls(qs.values_list("pk", "utm_campaign", "utm_source", "utm_medium"))

    def resolve(self, keys: UtmKeys) -> int | None:
        for _, source, medium, pk in self._by_name.get(keys.campaign, ()):
            if source in ("", keys.source) and medium in ("", keys.medium):
                return pk
        return None


def resolve_campaign(utm_campaign: str, utm_source: str = "", utm_medium: str = "") -> (
    Campaign | None
):
    """The campaign one set of UTM values names (precedence in the module docstring)."""
    keys = UtmKeys.of(utm_campaign, utm_source, utm_medium)
    pk = CampaignIndex.load([keys.campaign]).resolve(keys) if keys.campaign else None
    return Campaign.objects.get(pk=pk) if pk else None


def campaign_ids_for(keys: Iterable[UtmKeys]) -> dict[UtmKeys, int | None]:
    """Set-based: the campaign id of every distinct key, in one query."""
    distinct = set(keys)
    index = CampaignIndex.load(k.campaign for k in distinct)
    return {k: index.resolve(k) for k in distinct}


def campaign_ids_for_events(events: QuerySet[Event]) -> dict[int, int]:
    """Event id -> campaign id for the tagged events of `events` that resolve."""
    rows = list(
        events.exclude(utm_campaign="").values_list(
            "pk", "utm_campaign", "utm_source", "utm_medium")
    )
    resolved = campaign_ids_for(UtmKeys.of(*row[1:]) for row in rows)
    found = ((row[0], resolved[UtmKeys.of(*row[1:])]) for row in rows)
    return {pk: campaign_id for pk, campaign_id in found if campaign_id is not None}


def contact_campaigns(contact_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Contact id -> (first-touch campaign id, latest campaign id), from the contacts'
    tagged events that resolve, in timestamp order; contacts without one are absent."""
    events = Event.objects.filter(contact_id__in=list(contact_ids)).exclude(utm_campaign="")
    by_event = campaign_ids_for_events(events)
    ordered = events.filter(pk__in=list(by_event)).order_by("timestamp", "pk")
    result: dict[int, tuple[int, int]] = {}
    for pk, contact_id in ordered.values_list("pk", "contact_id"):
        first = result.get(contact_id, (by_event[pk], 0))[0]
        result[contact_id] = (first, by_event[pk])
    return result


def _host(url: str) -> str:
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _matches(host: str, names: tuple[str, ...]) -> bool:
    return any(host.startswith(name) or f".{name}" in f".{host}" for name in names)


def medium_channel(utm_medium: str) -> str | None:
    medium = utm_key(utm_medium)
    for media, channel in MEDIUM_CHANNELS:
        if medium in media:
            return str(channel)
    return None


def default_channel(*, referrer: str, utm_medium: str = "", page_url: str = "") -> str:
    """The channel group of a visit that resolves to no campaign (module docstring)."""
    if utm_key(utm_medium):
        return medium_channel(utm_medium) or Channel.OTHER
    host = _host(referrer)
    if not host or host == _host(page_url):
        return Channel.DIRECT
    if _matches(host, EMAIL_CLIENTS):
        return Channel.EMAIL
    if _matches(host, SEARCH_ENGINES):
        return ORGANIC_SEARCH
    if _matches(host, SOCIAL_NETWORKS):
        return Channel.ORGANIC_SOCIAL
    return Channel.REFERRAL

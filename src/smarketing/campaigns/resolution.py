"""Which campaign an event's UTM fields name.

Campaign precedence (docs/campaigns.md). UTM values compare trimmed and
case-insensitively. An event with an empty utm_campaign resolves to no campaign.
Among the campaigns whose utm_campaign equals the event's, a campaign's non-empty
utm_source / utm_medium must equal the event's, and the most specific one wins:
1. utm_campaign + utm_source + utm_medium,
2. utm_campaign + utm_source,
3. utm_campaign + utm_medium,
4. utm_campaign alone.
(At most one campaign holds each combination: a unique constraint.)

The default channel grouping of untagged visits is tracking.attribution.channel_for
(contacts' original and latest source).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import QuerySet

from smarketing.campaigns.models import Campaign, Channel
from smarketing.campaigns.services import utm_key
from smarketing.tracking.models import Event

ORGANIC_SEARCH = "organic_search"
# Every channel a touch or a visit can be grouped under: a campaign's channels, and
# organic search (which no campaign pays for).
CHANNEL_LABELS: dict[str, str] = {ORGANIC_SEARCH: "Organic search", **dict(Channel.choices)}


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

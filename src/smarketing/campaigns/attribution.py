"""Multi-touch attribution exactly as shared/KPI.md "Attribution" defines it.

A touch is a contact event that resolves to a campaign (campaigns/resolution.py) or
names a content asset (`properties.asset_id`). A deal's touches are those of its
contacts at or before its conversion: the deal's creation (basis "pipeline", deals
created in P) or its win (basis "revenue", deals won in P). Each model gives every
touch a weight (weights sum to 1); the deal amount is split in cents by the largest
remainder method (ties to the earlier touch), so every model sums exactly to the
total. Role touches (u_shaped, w_shaped): the first touch; the lead-creation touch
(the last touch at or before the earliest reached(lead) of the deal's contacts) and
the deal-creation touch (the last at or before the deal was created). A role with no
such touch is held by the first touch. A deal without touches goes to "(none)".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from math import floor

from django.db.models import Min, Q, QuerySet
from django.db.models.fields.json import KT

from smarketing.campaigns.attribution_query import attribution_rows
from smarketing.campaigns.models import Campaign, Channel, ContentAsset
from smarketing.campaigns.resolution import CampaignIndex, UtmKeys
from smarketing.campaigns.rollup import rollup_refresh
from smarketing.core.errors import ValidationFailed
from smarketing.pipeline.models import Deal, DealContact, DealStatus
from smarketing.tracking.models import Event

MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
BASES = ("pipeline", "revenue")
BY = ("campaign", "channel")
NONE_KEY = "(none)"
NO_CAMPAIGN = "(no campaign)"
HALF_LIFE_DAYS = Decimal(7)
SECONDS_PER_DAY = Decimal(86400)


@dataclass(frozen=True, order=True)
class Touch:
    at: dt.datetime
    event_id: int
    campaign_id: int | None = None
    asset_id: int | None = None


@dataclass(frozen=True)
class Journey:
    """A deal, its amount, when it converted, and its touches up to then, in order."""

    deal_id: int
    amount: Decimal
    converted_at: dt.datetime
    created_at: dt.datetime
    lead_at: dt.datetime | None
    touches: tuple[Touch, ...]


def _last_at_or_before(touches: Sequence[Touch], moment: dt.datetime | None) -> int:
    found = [i for i, t in enumerate(touches) if moment is not None and t.at <= moment]
    return found[-1] if found else 0


def _with_roles(n: int, roles: list[tuple[int, Fraction]], rest: Fraction) -> list[Fraction]:
    weights = [Fraction(0)] * n
    for index, share in roles:
        weights[index] += share
    holders = sorted({index for index, _ in roles})
    targets = [i for i in range(n) if i not in holders] or holders
    for index in targets:
        weights[index] += rest / len(targets)
    return weights


def _decay(age: dt.timedelta) -> Fraction:
    days = Decimal(age.total_seconds()) / SECONDS_PER_DAY
    return Fraction(Decimal(2) ** (-days / HALF_LIFE_DAYS))


def weights(model: str, journey: Journey) -> list[Fraction]:
    """Each touch's share of the deal under `model`; they sum to 1 (empty: no touch)."""
    touches, n = journey.touches, len(journey.touches)
    if n == 0:
        return []
    if model == "first_touch":
        return [Fraction(1)] + [Fraction(0)] * (n - 1)
    if model == "last_touch":
        return [Fraction(0)] * (n - 1) + [Fraction(1)]
    if model == "linear":
        return [Fraction(1, n)] * n
    lead = _last_at_or_before(touches, journey.lead_at)
    if model == "u_shaped":
        return _with_roles(n, [(0, Fraction(2, 5)), (lead, Fraction(2, 5))], Fraction(1, 5))
    if model == "w_shaped":
        deal = _last_at_or_before(touches, journey.created_at)
        roles = [(0, Fraction(3, 10)), (lead, Fraction(3, 10)), (deal, Fraction(3, 10))]
        return _with_roles(n, roles, Fraction(1, 10))
    if model == "time_decay":
        raw = [_decay(journey.converted_at - t.at) for t in touches]
        return [w / sum(raw) for w in raw]
    raise ValidationFailed(f"model: {model!r} is not one of {', '.join(MODELS)}", field="model")


def allocate(amount: Decimal, shares: Sequence[Fraction]) -> list[Decimal]:
    """Split `amount` (2 places) by `shares` in whole cents summing exactly to it: each
    gets the floor of its share, left-over cents go to the largest remainders (ties to
    the earlier position)."""
    cents = int(amount * 100)
    total = sum(shares, Fraction(0))
    raw = [Fraction(cents) * s / total for s in shares]
    floors = [floor(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: (-(raw[i] - floors[i]), i))
    for i in by_remainder[: cents - sum(floors)]:
        floors[i] += 1
    return [Decimal(c).scaleb(-2) for c in floors]


@dataclass
class Item:
    """One key's attributed amount and the number of deals it received a share of
    (`deal_count`). `deals` holds the deal ids only when computed in Python by
    `attribute_journeys`; `attribution()` counts them in SQL (see `attribution_deals`
    for the deals behind a number)."""

    key: str
    amount: Decimal = Decimal("0.00")
    deals: set[int] = field(default_factory=set)
    deal_count: int = 0


@dataclass(frozen=True)
class Result:
    model: str
    basis: str
    by: str
    total: Decimal
    items: list[Item]


def attribute_journeys(
    model: str, journeys: Iterable[Journey], key_of: Callable[[Touch], str]
) -> tuple[Decimal, list[Item]]:
    """Total and items (by the key of each touch) of `model` over `journeys`."""
    items: dict[str, Item] = {}
    total = Decimal("0.00")
    for journey in journeys:
        total += journey.amount
        shares = weights(model, journey)
        keys = [key_of(t) for t in journey.touches] or [NONE_KEY]
        parts = allocate(journey.amount, shares or [Fraction(1)])
        for key, share, part in zip(keys, shares or [Fraction(1)], parts, strict=True):
            if share > 0:
                item = items.setdefault(key, Item(key))
                item.amount += part
                item.deals.add(journey.deal_id)
                item.deal_count = len(item.deals)
    ordered = sorted(items.values(), key=lambda i: (-i.amount, i.key))
    return total, ordered


# ---- loading journeys from the database (set-based: a fixed number of queries) ----

def _deals(start: dt.datetime, end: dt.datetime, basis: str) -> QuerySet[Deal]:
    if basis == "pipeline":
        return Deal.objects.filter(created_at__gte=start, created_at__lt=end)
    if basis == "revenue":
        return Deal.objects.filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
    raise ValidationFailed(f"basis: {basis!r} is not one of {', '.join(BASES)}", field="basis")


def _touch_events(deals: QuerySet[Deal], until: dt.datetime) -> QuerySet[Event]:
    contacts = DealContact.objects.filter(deal__in=deals).values("contact_id")
    touches = ~Q(utm_campaign="") | Q(properties__has_key="asset_id")
    return Event.objects.filter(touches, contact_id__in=contacts, timestamp__lte=until)


def _touches_by_contact(events: QuerySet[Event]) -> dict[int, list[Touch]]:
    rows = list(events.annotate(asset=KT("properties__asset_id")).values_list(
        "pk", "contact_id", "timestamp", "utm_campaign", "utm_source", "utm_medium", "asset"))
    index = CampaignIndex.load({row[3] for row in rows})
    assets = {str(pk): pk for pk in ContentAsset.objects.values_list("pk", flat=True)}
    result: dict[int, list[Touch]] = defaultdict(list)
    for pk, contact_id, at, campaign, source, medium, asset in rows:
        campaign_id = index.resolve(UtmKeys.of(campaign, source, medium))
        asset_id = assets.get(str(asset)) if asset is not None else None
        if campaign_id is not None or asset_id is not None:
            result[contact_id].append(Touch(at, pk, campaign_id, asset_id))
    return result


def _conversion(basis: str, created_at: dt.datetime, closed_at: dt.datetime | None) -> (
    dt.datetime
):
    return closed_at if basis == "revenue" and closed_at is not None else created_at


def load_journeys(start: dt.datetime, end: dt.datetime, basis: str) -> list[Journey]:
    """The journeys of the deals created (pipeline) or won (revenue) in [start, end)."""
    return journeys_of(_deals(start, end, basis), basis)


def journeys_of(deals: QuerySet[Deal], basis: str) -> list[Journey]:
    """The journeys of `deals` up to their creation (pipeline) or win (revenue)."""
    rows = [
        (pk, amount, created, _conversion(basis, created, closed), lead_at)
        for pk, amount, created, closed, lead_at in deals.annotate(
            lead_at=Min("deal_contacts__contact__became_lead_at")
        ).values_list("pk", "amount", "created_at", "closed_at", "lead_at")
    ]
    until = max((row[3] for row in rows), default=dt.datetime.min.replace(tzinfo=dt.UTC))
    by_contact = _touches_by_contact(_touch_events(deals, until))
    contacts: dict[int, list[int]] = defaultdict(list)
    links = DealContact.objects.filter(deal__in=deals).values_list("deal_id", "contact_id")
    for deal_id, contact_id in links:
        contacts[deal_id].append(contact_id)
    return [
        Journey(pk, amount, converted, created, lead_at, tuple(sorted(
            t for c in contacts[pk] for t in by_contact.get(c, ()) if t.at <= converted
        )))
        for pk, amount, created, converted, lead_at in rows
    ]


def key_function(by: str) -> Callable[[Touch], str]:
    """The key (campaign name or channel) a touch is attributed to."""
    return _key_function(by)


def _key_function(by: str) -> Callable[[Touch], str]:
    campaigns = {pk: (name, channel) for pk, name, channel in
                 Campaign.objects.values_list("pk", "name", "channel")}
    asset_campaign = dict(ContentAsset.objects.values_list("pk", "campaign_id"))

    def campaign_of(touch: Touch) -> int | None:
        return touch.campaign_id or asset_campaign.get(touch.asset_id or 0)

    if by == "campaign":
        return lambda t: campaigns[c][0] if (c := campaign_of(t)) else NO_CAMPAIGN
    if by == "channel":
        return lambda t: campaigns[c][1] if (c := campaign_of(t)) else Channel.CONTENT_SEO
    raise ValidationFailed(f"by: {by!r} is not one of {', '.join(BY)}", field="by")


def check_arguments(model: str, basis: str, by: str) -> None:
    for name, value, allowed in (("model", model, MODELS), ("basis", basis, BASES),
                                 ("by", by, BY)):
        if value not in allowed:
            raise ValidationFailed(f"{name}: {value!r} is not one of {', '.join(allowed)}",
                                   field=name)


def attribution(
    *, start: dt.datetime, end: dt.datetime, model: str, basis: str = "revenue",
    by: str = "campaign", refresh: bool = True,
) -> Result:
    """Attributed amounts of the deals created (pipeline) or won (revenue) in [start, end),
    read from the per-deal rows kept exact by campaigns/rollup.py (the same results as
    `attribute_journeys` over `load_journeys`). refresh=False: the rows as they are
    (as of `rollup_as_of()`; the dashboards, which never wait on the refresh)."""
    check_arguments(model, basis, by)
    if refresh:
        rollup_refresh()
    unkeyed = NO_CAMPAIGN if by == "campaign" else str(Channel.CONTENT_SEO)
    rows = attribution_rows(start=start, end=end, model=model, basis=basis, by=by,
                            unkeyed=unkeyed, untouched=NONE_KEY)
    items = [Item(key, cents_to_money(cents), deal_count=deals)
             for key, (cents, deals) in rows.by_key.items()]
    items.sort(key=lambda i: (-i.amount, i.key))
    return Result(model=model, basis=basis, by=by, total=cents_to_money(rows.total_cents),
                  items=items)


def cents_to_money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)

"""The deals and touches behind an attribution number (drill-down).

The deals are read from the per-deal rows the number was summed from (rollup.py), in
order of the amount they gave the key; each deal's touches, with their weight and
amount under the model, come from the Python reference (attribution.py), which
computes the same cents as the SQL (tests/test_touches.py proves it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import Q, Sum

from smarketing.campaigns.attribution import (
    NO_CAMPAIGN,
    NONE_KEY,
    Journey,
    allocate,
    cents_to_money,
    check_arguments,
    journeys_of,
    key_function,
    weights,
)
from smarketing.campaigns.models import Campaign, Channel, ContentAsset, DealAttribution
from smarketing.campaigns.rollup import rollup_refresh
from smarketing.pipeline.models import Deal


@dataclass(frozen=True)
class TouchShare:
    at: dt.datetime
    event_id: int
    key: str
    campaign: str
    asset: str
    weight: Fraction
    amount: Decimal

    @property
    def percent(self) -> Decimal:
        return (Decimal(self.weight.numerator) * 100 / self.weight.denominator).quantize(
            Decimal("0.1"))


@dataclass(frozen=True)
class DealShare:
    deal_id: int
    name: str
    amount: Decimal
    attributed: Decimal
    touches: list[TouchShare]


def _key_filter(by: str, key: str) -> Q:
    """The per-deal rows that sum up to `key`."""
    if key == NONE_KEY:
        return Q(campaign_id=0)
    unkeyed = key == (NO_CAMPAIGN if by == "campaign" else Channel.CONTENT_SEO)
    named = Campaign.objects.filter(**{"name" if by == "campaign" else "channel": key})
    found = Q(campaign_id__in=list(named.values_list("pk", flat=True)))
    return found | Q(campaign_id__isnull=True) if unkeyed else found


def _touches(journey: Journey, model: str, by: str, names: dict[str, dict[int, str]]) -> (
    list[TouchShare]
):
    shares = weights(model, journey)
    parts = allocate(journey.amount, shares) if shares else []
    key_of = key_function(by)
    campaigns, assets = names["campaigns"], names["assets"]
    return [TouchShare(t.at, t.event_id, key_of(t), campaigns.get(t.campaign_id or 0, ""),
                       assets.get(t.asset_id or 0, ""), share, part)
            for t, share, part in zip(journey.touches, shares, parts, strict=True)]


def attribution_deals(
    *, start: dt.datetime, end: dt.datetime, model: str, basis: str, by: str, key: str,
    limit: int = 50, offset: int = 0,
) -> tuple[int, list[DealShare]]:
    """(number of deals, one page of them) that gave `key` a share of the amount."""
    check_arguments(model, basis, by)
    rollup_refresh()
    rows = DealAttribution.objects.filter(
        _key_filter(by, key), basis=basis, model=model, at__gte=start, at__lt=end)
    per_deal = rows.values("deal_id").annotate(cents=Sum("cents")).order_by("-cents", "deal_id")
    page = list(per_deal[offset:offset + limit])
    ids = [row["deal_id"] for row in page]
    journeys = {j.deal_id: j for j in journeys_of(Deal.objects.filter(pk__in=ids), basis)}
    deals = dict(Deal.objects.filter(pk__in=ids).values_list("pk", "name"))
    names = {"campaigns": dict(Campaign.objects.values_list("pk", "name")),
             "assets": dict(ContentAsset.objects.values_list("pk", "title"))}
    return per_deal.count(), [
        DealShare(row["deal_id"], deals[row["deal_id"]], journeys[row["deal_id"]].amount,
                  cents_to_money(row["cents"]),
                  _touches(journeys[row["deal_id"]], model, by, names))
        for row in page
    ]

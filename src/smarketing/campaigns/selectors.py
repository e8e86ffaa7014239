"""Reads: campaign spend in a period (costs prorated by day), funnel counts of the
contacts each campaign sourced, and the cost KPIs per campaign and per channel.

Definitions (shared/KPI.md, docs/campaigns.md), for a period P = [start, end):
- spend: lump sums dated in P, plus a daily cost's amount times its days inside P,
  plus channel-metric spend of days in P;
- leads, mqls, sqls, opportunities, customers: contacts whose reached(stage) lies in
  P and whose first-touch campaign (their earliest event resolving to a campaign)
  is the campaign;
- pipeline / revenue: attributed amounts (pipeline / revenue basis) under a model;
- cpl = spend / leads, cost_per_mql = spend / mqls, cost_per_opportunity = spend /
  opportunities, cac = spend / customers, roi = revenue / spend; a zero denominator
  gives None ("n/a").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from smarketing.campaigns.attribution import NONE_KEY, attribution
from smarketing.campaigns.models import (
    AssetShare,
    Campaign,
    CampaignCost,
    ChannelMetric,
    ContentAsset,
    CostKind,
)
from smarketing.campaigns.resolution import CHANNEL_LABELS, contact_campaigns
from smarketing.core.periods import Period
from smarketing.people.models import Contact

FUNNEL = ("lead", "mql", "sql", "opportunity", "customer")
ZERO = Decimal("0.00")


def cost_amount_in(cost: CampaignCost, period: Period) -> Decimal:
    """The part of one cost that falls in the period (a daily cost, day by day)."""
    days = period.overlap_days(cost.start_date, cost.end_date + dt.timedelta(days=1))
    if cost.kind == CostKind.LUMP_SUM:
        return cost.amount if days else ZERO
    return cost.amount * days


def spend_by_campaign(period: Period) -> dict[int, Decimal]:
    spend: dict[int, Decimal] = defaultdict(lambda: ZERO)
    overlapping = CampaignCost.objects.filter(
        start_date__lt=period.end, end_date__gte=period.start)
    for cost in overlapping:
        spend[cost.campaign_id] += cost_amount_in(cost, period)
    metrics = ChannelMetric.objects.filter(day__gte=period.start, day__lt=period.end)
    for campaign_id, amount in metrics.values("campaign_id").annotate(
            total=Sum("spend")).values_list("campaign_id", "total"):
        spend[campaign_id] += amount
    return {pk: amount.quantize(ZERO) for pk, amount in spend.items()}


def daily_spend(campaign: Campaign, period: Period) -> list[tuple[dt.date, Decimal]]:
    """Each day of the period with the campaign's spend on it: lump sums on their date,
    daily costs on each day of their range, channel-metric spend of the day."""
    days = {period.start + dt.timedelta(days=n): ZERO for n in range(period.days)}
    costs = campaign.costs.filter(start_date__lt=period.end, end_date__gte=period.start)
    for cost in costs:
        first, last = max(cost.start_date, period.start), min(cost.end_date, period.end -
                                                               dt.timedelta(days=1))
        for n in range((last - first).days + 1):
            days[first + dt.timedelta(days=n)] += cost.amount
    for day, spend in campaign.metrics.filter(
            day__gte=period.start, day__lt=period.end).values_list("day", "spend"):
        days[day] += spend
    return sorted(days.items())


def funnel_by_campaign(period: Period) -> dict[int, Counter[str]]:
    """Campaign id -> stage -> contacts (first-touch campaign) that reached it in P;
    contacts without a first-touch campaign are counted under 0 ("(none)")."""
    start, end = period.bounds()
    reached = Q()
    for stage in FUNNEL:
        reached |= Q(**{f"became_{stage}_at__gte": start, f"became_{stage}_at__lt": end})
    rows = list(Contact.objects.filter(reached).values_list(
        "pk", *(f"became_{stage}_at" for stage in FUNNEL)))
    first = contact_campaigns(row[0] for row in rows)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for pk, *moments in rows:
        campaign_id = first[pk][0] if pk in first else 0
        for stage, at in zip(FUNNEL, moments, strict=True):
            counts[campaign_id][stage] += int(at is not None and start <= at < end)
    return dict(counts)


def ratio(numerator: Decimal, denominator: int | Decimal) -> Decimal | None:
    """numerator / denominator to 2 places, None when the denominator is zero."""
    if not denominator:
        return None
    return (numerator / Decimal(denominator)).quantize(Decimal("0.01"))


@dataclass
class Performance:
    key: str
    name: str
    channel: str
    spend: Decimal = ZERO
    funnel: Counter[str] = field(default_factory=Counter)
    pipeline: Decimal = ZERO
    revenue: Decimal = ZERO

    def as_dict(self) -> dict[str, object]:
        counts = {stage: self.funnel[stage] for stage in FUNNEL}
        return {
            "key": self.key, "name": self.name, "channel": self.channel, "spend": self.spend,
            "leads": counts["lead"], "mqls": counts["mql"], "sqls": counts["sql"],
            "opportunities": counts["opportunity"], "customers": counts["customer"],
            "pipeline": self.pipeline, "revenue": self.revenue,
            "cpl": ratio(self.spend, counts["lead"]),
            "cost_per_mql": ratio(self.spend, counts["mql"]),
            "cost_per_opportunity": ratio(self.spend, counts["opportunity"]),
            "cac": ratio(self.spend, counts["customer"]),
            "roi": ratio(self.revenue, self.spend),
        }


def _amounts(period: Period, model: str, by: str) -> dict[str, dict[str, Decimal]]:
    start, end = period.bounds()
    return {basis: {i.key: i.amount for i in attribution(
        start=start, end=end, model=model, basis=basis, by=by).items}
        for basis in ("pipeline", "revenue")}


def _unattributed(amounts: dict[str, dict[str, Decimal]], known: set[str],
                  funnel: Counter[str]) -> list[Performance]:
    """Rows for what no campaign (or channel) holds: deals without a touch ("(none)",
    with the contacts without a first-touch campaign) and assets without a campaign,
    so every column adds up to the period's totals."""
    keys = (set(amounts["pipeline"]) | set(amounts["revenue"]) | {NONE_KEY}) - known
    rows = [Performance(key=key, name=key, channel="", funnel=funnel if key == NONE_KEY
                        else Counter(), pipeline=amounts["pipeline"].get(key, ZERO),
                        revenue=amounts["revenue"].get(key, ZERO)) for key in sorted(keys)]
    return [row for row in rows if row.pipeline or row.revenue or any(row.funnel.values())]


def _campaign_rows(period: Period, model: str) -> list[Performance]:
    spend, funnel = spend_by_campaign(period), funnel_by_campaign(period)
    amounts = _amounts(period, model, "campaign")
    rows = [
        Performance(
            key=str(c.pk), name=c.name, channel=c.channel, spend=spend.get(c.pk, ZERO),
            funnel=funnel.get(c.pk, Counter()),
            pipeline=amounts["pipeline"].get(c.name, ZERO),
            revenue=amounts["revenue"].get(c.name, ZERO),
        )
        for c in Campaign.objects.order_by("name")
    ]
    return rows + _unattributed(amounts, {r.name for r in rows}, funnel.get(0, Counter()))


def campaign_performance(period: Period, *, model: str = "linear") -> list[dict[str, object]]:
    """One row per campaign: spend, funnel counts, attributed pipeline and revenue
    under `model`, and the cost KPIs (module docstring); then the rows no campaign
    holds ("(none)": deals without a touch and contacts without a first-touch
    campaign; "(no campaign)": touches of assets without a campaign)."""
    return [row.as_dict() for row in _campaign_rows(period, model)]


def channel_performance(period: Period, *, model: str = "linear") -> list[dict[str, object]]:
    """Spend and funnel counts summed over each channel's campaigns; pipeline and
    revenue attributed by channel (an asset without a campaign counts for content/SEO);
    then "(none)"."""
    spend, funnel = spend_by_campaign(period), funnel_by_campaign(period)
    amounts = _amounts(period, model, "channel")
    channels: dict[str, Performance] = {}
    for pk, channel in Campaign.objects.values_list("pk", "channel"):
        row = channels.setdefault(channel, Performance(
            channel, CHANNEL_LABELS.get(channel, channel), channel,
            pipeline=amounts["pipeline"].get(channel, ZERO),
            revenue=amounts["revenue"].get(channel, ZERO)))
        row.spend += spend.get(pk, ZERO)
        row.funnel.update(funnel.get(pk, Counter()))
    rows = [channels[key] for key in sorted(channels)]
    return [row.as_dict() for row in
            rows + _unattributed(amounts, set(channels), funnel.get(0, Counter()))]


def performance_total(rows: list[dict[str, Any]]) -> dict[str, object]:
    """The sums of performance rows, with the cost KPIs of the sums: the revenue total
    is every deal won in the period (the sales revenue KPI)."""
    total = Performance(key="total", name="Total", channel="")
    for row in rows:
        total.spend += row["spend"]
        total.pipeline += row["pipeline"]
        total.revenue += row["revenue"]
        total.funnel.update({stage: row[count_key(stage)] for stage in FUNNEL})
    return total.as_dict()


def count_key(stage: str) -> str:
    return {"opportunity": "opportunities"}.get(stage, f"{stage}s")


@dataclass
class AssetStats:
    views: int = 0
    shares: int = 0
    contacts: set[int] = field(default_factory=set)
    won: set[int] = field(default_factory=set)
    lost: set[int] = field(default_factory=set)
    leads: int = 0
    mqls: int = 0
    pipeline: Decimal = ZERO
    revenue: Decimal = ZERO


def _asset_outcome_statements() -> dict[str, str]:
    """SQL per outcome, each giving (asset id, value) over the touch points:
    leads: contacts whose lead-creation touch (the last touch at or before reached(lead))
    is the asset; mqls: contacts who interacted with it at or before reached(mql);
    pipeline / revenue: amounts of the deals created / won after one of their contacts
    interacted with it (influenced, each deal once per asset)."""
    from smarketing.campaigns.models import TouchPoint
    from smarketing.pipeline.models import Deal, DealContact, DealStatus

    tp, asset = TouchPoint._meta.db_table, ContentAsset._meta.db_table
    contact, deal, link = Contact._meta.db_table, Deal._meta.db_table, DealContact._meta.db_table
    deals = (f"SELECT asset_ref, SUM(amount) FROM (SELECT DISTINCT t.asset_ref, dl.id, "
             f"dl.amount FROM {deal} dl JOIN {link} dc ON dc.deal_id = dl.id JOIN {tp} t ON "
             f"t.contact_id = dc.contact_id AND t.at <= dl.{{conv}} JOIN {asset} a ON "
             f"a.id = t.asset_ref{{won}}) x GROUP BY asset_ref")
    return {
        "leads": f"""SELECT x.asset_ref, COUNT(*) FROM (SELECT t.asset_ref, ROW_NUMBER() OVER
            (PARTITION BY t.contact_id ORDER BY t.at DESC, t.event_id DESC) AS rn
            FROM {tp} t JOIN {contact} c ON c.id = t.contact_id LEFT JOIN {asset} a
            ON a.id = t.asset_ref WHERE c.became_lead_at IS NOT NULL
            AND t.at <= c.became_lead_at AND (t.campaign_id IS NOT NULL OR a.id IS NOT NULL)) x
            JOIN {asset} a2 ON a2.id = x.asset_ref WHERE x.rn = 1 GROUP BY x.asset_ref""",
        "mqls": f"""SELECT t.asset_ref, COUNT(DISTINCT t.contact_id) FROM {tp} t
            JOIN {contact} c ON c.id = t.contact_id JOIN {asset} a ON a.id = t.asset_ref
            WHERE c.became_mql_at IS NOT NULL AND t.at <= c.became_mql_at
            GROUP BY t.asset_ref""",
        "pipeline": deals.format(conv="created_at", won=""),
        "revenue": deals.format(conv="closed_at",
                                won=f" WHERE dl.status = '{DealStatus.WON}'"),
    }


def asset_outcomes() -> dict[int, dict[str, Any]]:
    """Asset id -> leads, mqls, influenced pipeline and revenue (all time)."""
    from django.db import connection

    from smarketing.campaigns.touches import touches_sync

    touches_sync()
    found: dict[int, dict[str, Any]] = defaultdict(dict)
    with connection.cursor() as cursor:
        for name, sql in _asset_outcome_statements().items():
            cursor.execute(sql)
            for asset_id, value in cursor.fetchall():
                found[asset_id][name] = (Decimal(value).quantize(Decimal("0.01"))
                                         if name in ("pipeline", "revenue") else value)
    return dict(found)


def asset_performance() -> dict[int, AssetStats]:
    """Asset id -> interactions (events naming it), shares by people, distinct contacts,
    and the won and lost deals in which one of the deal's contacts interacted with it
    before the close."""
    from django.db.models.fields.json import KT

    from smarketing.pipeline.models import DealContact, DealStatus
    from smarketing.tracking.models import Event

    stats: dict[int, AssetStats] = defaultdict(AssetStats)
    touches: dict[int, list[tuple[int, dt.datetime]]] = defaultdict(list)
    known = {str(pk): pk for pk in ContentAsset.objects.values_list("pk", flat=True)}
    events = Event.objects.filter(properties__has_key="asset_id", contact__isnull=False)
    for contact_id, raw, at in events.annotate(asset=KT("properties__asset_id")).values_list(
            "contact_id", "asset", "timestamp"):
        if (asset_id := known.get(str(raw))) is not None:
            stats[asset_id].views += 1
            stats[asset_id].contacts.add(contact_id)
            touches[contact_id].append((asset_id, at))
    for asset_id, count in AssetShare.objects.values("asset_id").annotate(
            n=Count("pk")).values_list("asset_id", "n"):
        stats[asset_id].shares = count
    closed = DealContact.objects.filter(
        contact_id__in=list(touches), deal__status__in=[DealStatus.WON, DealStatus.LOST],
    ).values_list("deal_id", "contact_id", "deal__status", "deal__closed_at")
    for deal_id, contact_id, status, closed_at in closed:
        for asset_id, at in touches[contact_id]:
            if closed_at is not None and at <= closed_at:
                getattr(stats[asset_id], status).add(deal_id)
    for asset_id, outcomes in asset_outcomes().items():
        for name, value in outcomes.items():
            setattr(stats[asset_id], name, value)
    return dict(stats)

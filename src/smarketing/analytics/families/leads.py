"""Lead KPIs (KPI.md "Marketing KPIs"): new leads, MQLs, spend and what a lead costs,
lead-to-MQL conversion (period and cohort view), and CLV.

marketing_spend is campaigns' own computation (campaigns/selectors.py
spend_by_campaign: lump sums dated in P, daily costs per day inside P, channel
metric spend of days in P); clv is pipeline's (pipeline/upsell.py clv) as of the
end of P.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from smarketing.analytics.measures import (
    ZERO,
    Ratio,
    Rows,
    both_sides,
    key_of,
    money,
    ratio,
    register_measure,
)
from smarketing.analytics.registry import Kpi, KpiResult, Records, Unit, register, shared
from smarketing.analytics.stages import cohort_reached, entered
from smarketing.campaigns import selectors as campaign_selectors
from smarketing.campaigns.models import Campaign, CampaignCost, ChannelMetric
from smarketing.core.periods import Period
from smarketing.pipeline.models import Deal, DealStatus
from smarketing.pipeline.upsell import clv as pipeline_clv

FAMILY, SECTION = "leads", "marketing"
SPEND_COLUMNS = ("source", "campaign", "channel", "first_day", "last_day", "amount")

register_measure("new_leads", FAMILY, SECTION, entered("lead"), unit=Unit.COUNT,
                 label="New leads")
register_measure("mqls", FAMILY, SECTION, entered("mql"), unit=Unit.COUNT, label="MQLs")


def cohort_view(first: str, later: str) -> Ratio:
    """The cohort view: of entered(first, P), the share that reached `later` by now."""
    return Ratio(cohort_reached(first, later), entered(first))


register_measure("lead_to_mql_rate", FAMILY, SECTION, Ratio(entered("mql"), entered("lead")),
                 unit=Unit.RATE, label="Lead-to-MQL rate", cohort=cohort_view("lead", "mql"))


# ---- spend ----------------------------------------------------------------------

def _campaign_period(period: Period) -> campaign_selectors.Period:
    return campaign_selectors.Period(period.start, period.end)


@shared
def spend_by_campaign(period: Period) -> dict[int, Decimal]:
    return campaign_selectors.spend_by_campaign(_campaign_period(period))


def spend(period: Period) -> Decimal:
    return money(sum(spend_by_campaign(period).values(), ZERO))


def spend_breakdown(period: Period, name: str) -> dict[str, Any]:
    campaigns = {pk: (n, ch) for pk, n, ch in
                 Campaign.objects.values_list("pk", "name", "channel")}
    result: dict[str, Decimal] = {}
    for campaign_id, amount in spend_by_campaign(period).items():
        key = key_of(campaigns[campaign_id][0 if name == "campaign" else 1])
        result[key] = money(result.get(key, ZERO) + amount)
    return dict(sorted(result.items(), key=lambda kv: (-kv[1], kv[0])))


def spend_records(period: Period) -> Records:
    """Each cost overlapping P with its amount inside P, then each metric day's spend."""
    window = _campaign_period(period)
    costs = CampaignCost.objects.filter(
        start_date__lt=period.end, end_date__gte=period.start).select_related("campaign")
    cost_rows = (("cost", c.campaign.name, c.campaign.channel, c.start_date, c.end_date,
                  campaign_selectors.cost_amount_in(c, window)) for c in costs.order_by("pk"))
    metrics = ChannelMetric.objects.filter(
        day__gte=period.start, day__lt=period.end, spend__gt=0).order_by("pk").values_list(
        "campaign__name", "campaign__channel", "day", "day", "spend")
    return Records(SPEND_COLUMNS, Rows([
        (list(cost_rows), lambda row: row),
        (metrics, lambda row: ("channel_metric", *row)),
    ]), sum_of="amount")


register(Kpi(
    name="marketing_spend", family=FAMILY, unit=Unit.MONEY, label="Marketing spend",
    section=SECTION, compute=lambda period: KpiResult(spend(period)), records=spend_records,
    breakdown=spend_breakdown, breakdowns=("campaign", "channel"),
))


def _cost_per(stage: str, name: str, label: str) -> None:
    measure = entered(stage)
    register(Kpi(
        name=name, family=FAMILY, unit=Unit.MONEY, label=label, section=SECTION,
        compute=lambda period: KpiResult(ratio(spend(period), measure.value(period),
                                               Unit.MONEY)),
        records=lambda period: both_sides(spend_records(period), measure.records(period)),
    ))


_cost_per("lead", "cost_per_lead", "Cost per lead (CPL)")
_cost_per("mql", "cost_per_mql", "Cost per MQL")


# ---- clv ------------------------------------------------------------------------

def clv(period: Period) -> KpiResult:
    figures = pipeline_clv(until=period.bounds()[1])
    return KpiResult(figures["value"], {"revenue": figures["revenue"],
                                        "customers": figures["customers"]})


def clv_records(period: Period) -> Records:
    """The customers as of the end of P (a company with won deals; a won deal without a
    company is its own customer) with their won revenue: its mean is the clv."""
    won = Deal.objects.filter(status=DealStatus.WON, closed_at__lt=period.bounds()[1])
    accounts = won.filter(company__isnull=False).order_by("company_id").values(
        "company_id", "company__name").annotate(deals=Count("pk"), revenue=Sum("amount"))
    loose = won.filter(company__isnull=True).order_by("pk").values_list("pk", "name", "amount")
    return Records(("company_id", "deal_id", "customer", "deals", "revenue"), Rows([
        (accounts.values_list("company_id", "company__name", "deals", "revenue"),
         lambda r: (r[0], None, r[1], r[2], r[3])),
        (loose, lambda r: (None, r[0], r[1], 1, r[2])),
    ]))


register(Kpi(name="clv", family=FAMILY, unit=Unit.MONEY, label="Customer lifetime value",
             section=SECTION, compute=clv, records=clv_records))

"""Marketing-sourced and marketing-influenced pipeline and revenue (KPI.md
"Alignment"), over deals created in P (pipeline) or won in P (revenue).

- sourced: the deal's primary contact's original source is a marketing campaign,
  i.e. the contact's first touch carried a campaign (`original_campaign` is set);
  broken down by that campaign, the deal's region, owner and team; the value reads
  the deals' primary-contact rollup (analytics/dealsources.py), the breakdowns and
  the drill-down the deals themselves;
- influenced: the deal has at least one touch (campaigns/attribution.py: a deal
  contact's event resolving to a campaign or naming a content asset) at or before
  its creation (pipeline) or its win (revenue). The amount is attribution's own:
  the total of the basis minus the "(none)" item that holds the untouched deals,
  so it always equals the campaigns' attribution page as of its last refresh: the
  dashboards read attribution's stored rows without refreshing them (the worker's
  job), and the `as_of` part says when that refresh began.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from smarketing.analytics import dealsources
from smarketing.analytics.families.sales import DEAL_COLUMNS
from smarketing.analytics.measures import ZERO, Measure, money, register_measure
from smarketing.analytics.registry import Kpi, KpiResult, Records, Unit, register, shared
from smarketing.campaigns.attribution import NONE_KEY, attribution, load_journeys
from smarketing.campaigns.rollup import rollup_as_of
from smarketing.core.periods import Period
from smarketing.pipeline.models import Deal, DealContact, DealStatus

FAMILY, SECTION = "attribution", "alignment"
SOURCED_DIMENSIONS = {
    "campaign": "primary_campaign",
    "region": "company__region",
    "owner": "owner__username",
    "team": "owner__profile__team__name",
}


def basis_deals(basis: str, period: Period) -> QuerySet[Deal]:
    start, end = period.bounds()
    if basis == "pipeline":
        return Deal.objects.filter(created_at__gte=start, created_at__lt=end)
    return Deal.objects.filter(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)


def sourced_rows(basis: str) -> Any:
    primary = DealContact.objects.filter(deal=OuterRef("pk"), is_primary=True)

    def rows(period: Period) -> QuerySet[Deal]:
        return basis_deals(basis, period).filter(
            Exists(primary.exclude(contact__original_campaign=""))
        ).annotate(primary_campaign=Subquery(
            primary.values("contact__original_campaign")[:1]))

    return rows


def sourced_stored(basis: str) -> Any:
    """The value from the deals' primary-contact rollup (analytics/dealsources.py)."""
    return lambda period: dealsources.sourced_amount(basis, *period.bounds())


for _basis in ("pipeline", "revenue"):
    register_measure(
        f"marketing_sourced_{_basis}", FAMILY, SECTION,
        Measure(sourced_rows(_basis), {**DEAL_COLUMNS, "campaign": "primary_campaign"},
                amount="amount", dimensions=SOURCED_DIMENSIONS,
                stored=sourced_stored(_basis)),
        unit=Unit.MONEY, label=f"Marketing-sourced {_basis}",
    )


@shared
def influenced_amount(basis: str, period: Period) -> Decimal:
    """From attribution's stored rows as they are: no request waits on their refresh
    (the worker's job, campaigns/rollup.py); `as_of` says how fresh they are."""
    start, end = period.bounds()
    result = attribution(start=start, end=end, model="first_touch", basis=basis,
                         refresh=False)
    untouched = sum((i.amount for i in result.items if i.key == NONE_KEY), ZERO)
    return money(result.total - untouched)


def influenced_records(basis: str) -> Any:
    def records(period: Period) -> Records:
        start, end = period.bounds()
        touched = [j.deal_id for j in load_journeys(start, end, basis) if j.touches]
        qs = basis_deals(basis, period).filter(pk__in=touched).order_by("pk")
        return Records(tuple(DEAL_COLUMNS), qs.values_list(*DEAL_COLUMNS.values()),
                       sum_of="amount")

    return records


@shared
def as_of() -> dt.datetime | None:
    return rollup_as_of()


def influenced(basis: str) -> Any:
    return lambda period: KpiResult(influenced_amount(basis, period), {"as_of": as_of()})


for _basis in ("pipeline", "revenue"):
    register(Kpi(
        name=f"marketing_influenced_{_basis}", family=FAMILY, unit=Unit.MONEY,
        section=SECTION, label=f"Marketing-influenced {_basis}",
        compute=influenced(_basis), records=influenced_records(_basis),
    ))

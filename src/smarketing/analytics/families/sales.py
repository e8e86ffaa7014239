"""Sales KPIs (KPI.md "Sales KPIs"): revenue (by product and region), deals won and
lost, conversion rates (period and cohort view), sales cycle, deal size, quota
attainment and pipeline value.

quota_attainment uses the forecast's own figures (pipeline/forecast.py
closed_won_by_owner and prorated_quotas: a quota counts by the share of its days
inside P), so the forecast page and this KPI never disagree.

pipeline_value "at the end of P": for a period that has ended, each deal's state
then is its last stage change before the end (DealStageChange keeps the stage and
the amount of every move, so a deal won or reopened later counts as it stood); for
a period still running it is the live state of the open deals.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from smarketing.analytics.families.leads import cohort_view
from smarketing.analytics.measures import (
    ZERO,
    DaysBetween,
    Dimension,
    Measure,
    Ratio,
    key_of,
    median_and_mean,
    money,
    ratio,
    register_measure,
)
from smarketing.analytics.models import DealSpan
from smarketing.analytics.registry import Kpi, KpiResult, Records, Unit, register, shared
from smarketing.analytics.stages import entered
from smarketing.core.periods import Period
from smarketing.pipeline import forecast
from smarketing.pipeline.models import Deal, DealStageChange, DealStatus, LineItem

FAMILY = SECTION = "sales"
NO_PRODUCT = "(no product)"
DEAL_COLUMNS = {
    "deal_id": "pk", "name": "name", "owner": "owner__username", "company": "company__name",
    "region": "company__region", "stage": "stage__name", "status": "status",
    "created_at": "created_at", "closed_at": "closed_at", "amount": "amount",
}


def by_product(deals: QuerySet[Deal], amount: Any) -> dict[str, Any]:
    """Line item amounts per product (deal counts when counting deals); deals without
    lines under "(no product)"."""
    lines = LineItem.objects.filter(deal__in=deals).order_by().values_list("product__name")
    total = Sum("amount") if amount else Count("deal_id", distinct=True)
    result: dict[str, Any] = {k: money(v) for k, v in lines.annotate(total=total)}
    bare = deals.filter(line_items__isnull=True).order_by()
    rest = bare.aggregate(total=Sum("amount"))["total"] if amount else bare.count()
    if rest:
        result[NO_PRODUCT] = money(rest)
    return dict(sorted(result.items(), key=lambda kv: (-kv[1], kv[0])))


DEAL_DIMENSIONS: dict[str, Dimension] = {
    "product": by_product,
    "region": "company__region",
    "owner": "owner__username",
    "team": "owner__profile__team__name",
    "campaign": "source_campaign",
}


def closed(status: str | tuple[str, ...]) -> Any:
    statuses = (status,) if isinstance(status, str) else status

    def rows(period: Period) -> QuerySet[Deal]:
        start, end = period.bounds()
        return Deal.objects.filter(status__in=statuses, closed_at__gte=start, closed_at__lt=end)

    return rows


WON, LOST, CLOSED = closed(DealStatus.WON), closed(DealStatus.LOST), closed(
    (DealStatus.WON, DealStatus.LOST))
REVENUE = Measure(WON, DEAL_COLUMNS, amount="amount", dimensions=DEAL_DIMENSIONS)
DEALS_WON = Measure(WON, DEAL_COLUMNS, dimensions=DEAL_DIMENSIONS)
DEALS_LOST = Measure(LOST, DEAL_COLUMNS, dimensions=DEAL_DIMENSIONS)
DEALS_CLOSED = Measure(CLOSED, DEAL_COLUMNS, dimensions=DEAL_DIMENSIONS)


def revenue_parts(period: Period) -> dict[str, Any]:
    return {"by_product": REVENUE.breakdown(period, "product"),
            "by_region": REVENUE.breakdown(period, "region")}


register_measure("sales_revenue", FAMILY, SECTION, REVENUE, unit=Unit.MONEY,
                 label="Sales revenue", parts=revenue_parts)
register_measure("deals_won", FAMILY, SECTION, DEALS_WON, unit=Unit.COUNT, label="Deals won")
register_measure("deals_lost", FAMILY, SECTION, DEALS_LOST, unit=Unit.COUNT, label="Deals lost")
register_measure("lead_to_opportunity_rate", FAMILY, SECTION,
                 Ratio(entered("opportunity"), entered("lead")), unit=Unit.RATE,
                 label="Lead-to-opportunity rate", cohort=cohort_view("lead", "opportunity"))
register_measure("opportunity_to_win_rate", FAMILY, SECTION, Ratio(DEALS_WON, DEALS_CLOSED),
                 unit=Unit.RATE, label="Win rate")
register_measure("sql_to_customer_rate", FAMILY, SECTION,
                 Ratio(entered("customer"), entered("sql")), unit=Unit.RATE,
                 label="SQL-to-customer rate", cohort=cohort_view("sql", "customer"))
register_measure("average_deal_size", FAMILY, SECTION, Ratio(REVENUE, DEALS_WON, Unit.MONEY),
                 unit=Unit.MONEY, label="Average deal size")


# ---- sales cycle ----------------------------------------------------------------

def cycle_rows(period: Period) -> Any:
    return WON(period).annotate(cycle_days=DaysBetween("created_at", "closed_at")).order_by("pk")


def sales_cycle(period: Period) -> KpiResult:
    days = list(cycle_rows(period).values_list("cycle_days", flat=True))
    median, mean = median_and_mean(days, Unit.DAYS)
    return KpiResult(median, {"mean": mean, "deals": len(days)})


def cycle_records(period: Period) -> Records:
    return Records((*DEAL_COLUMNS, "cycle_days"),
                   cycle_rows(period).values_list(*DEAL_COLUMNS.values(), "cycle_days"))


register(Kpi(name="sales_cycle_days", family=FAMILY, unit=Unit.DAYS, section=SECTION,
             label="Sales cycle (days)", compute=sales_cycle, records=cycle_records))


# ---- quota attainment -----------------------------------------------------------

@shared
def quota_rows(period: Period) -> list[dict[str, Any]]:
    """One row per owner with a quota or won revenue in P: revenue, quota, attainment."""
    from django.contrib.auth import get_user_model

    won = forecast.closed_won_by_owner(period, None)  # type: ignore[arg-type]
    quotas = forecast.prorated_quotas(period, None)  # type: ignore[arg-type]
    owners = sorted(set(won) | set(quotas))
    users = get_user_model().objects.select_related("profile__team").in_bulk(owners)
    return [{
        "owner_id": owner, "owner": users[owner].username,
        "team": key_of(_team(users[owner])), "revenue": money(won.get(owner, ZERO)),
        "quota": quotas.get(owner, ZERO),
        "attainment": ratio(won.get(owner, ZERO), quotas.get(owner)),
    } for owner in owners]


def _team(user: Any) -> str | None:
    profile = getattr(user, "profile", None)
    return profile.team.name if profile is not None and profile.team else None


def quota_attainment(period: Period) -> KpiResult:
    rows = quota_rows(period)
    revenue = sum((r["revenue"] for r in rows), ZERO)
    quota = sum((r["quota"] for r in rows), ZERO)
    with_quota = [r for r in rows if r["quota"]]
    at_quota = sum(1 for r in with_quota if r["revenue"] >= r["quota"])
    return KpiResult(ratio(revenue, quota), {
        "revenue": revenue, "quota": quota, "reps": rows,
        "reps_at_quota_share": ratio(at_quota, len(with_quota)),
    })


def quota_breakdown(period: Period, name: str) -> dict[str, Any]:
    key = "owner" if name == "owner" else "team"
    totals: dict[str, list[Decimal]] = {}
    for row in quota_rows(period):
        pair = totals.setdefault(row[key], [ZERO, ZERO])
        pair[0] += row["revenue"]
        pair[1] += row["quota"]
    return {k: ratio(v[0], v[1]) for k, v in sorted(totals.items())}


def quota_records(period: Period) -> Records:
    columns = ("owner_id", "owner", "team", "revenue", "quota", "attainment")
    return Records(columns, [tuple(r[c] for c in columns) for r in quota_rows(period)])


register(Kpi(name="quota_attainment", family=FAMILY, unit=Unit.RATE, section=SECTION,
             label="Quota attainment", compute=quota_attainment, records=quota_records,
             breakdown=quota_breakdown, breakdowns=("owner", "team")))


# ---- pipeline value -------------------------------------------------------------

def _state_at(end: dt.datetime) -> QuerySet[Deal]:
    """Deals created before `end` annotated with their stage and amount at `end`."""
    last = DealStageChange.objects.filter(deal=OuterRef("pk"), at__lt=end).order_by("-at", "-id")
    return Deal.objects.filter(created_at__lt=end).annotate(
        stage_then=Subquery(last.values("to_stage_id")[:1]),
        amount_then=Subquery(last.values("amount")[:1]),
    )


@cache
def _open_stage_ids() -> Any:
    from smarketing.pipeline.models import PipelineStage

    return PipelineStage.objects.filter(is_won=False, is_lost=False).values("pk")


def open_at_end(period: Period) -> QuerySet[Deal]:
    """Open deals at the end of P with `value` (amount then) and `probability`."""
    end = period.bounds()[1]
    if end > timezone.now():
        return Deal.objects.filter(status=DealStatus.OPEN).annotate(
            value=F("amount"), probability=F("stage__probability"), stage_name=F("stage__name"))
    from smarketing.pipeline.models import PipelineStage

    stage = PipelineStage.objects.filter(pk=OuterRef("stage_then"))
    return _state_at(end).filter(Q(stage_then__in=_open_stage_ids())).annotate(
        value=F("amount_then"),
        probability=Subquery(stage.values("probability")[:1]),
        stage_name=Subquery(stage.values("name")[:1]),
    )


WEIGHTED = ExpressionWrapper(F("value") * F("probability"),
                             output_field=DecimalField(max_digits=20, decimal_places=6))


def open_spans(period: Period) -> QuerySet[DealSpan]:
    """For a period that has ended: the deals open at its end E as the stage spans that
    held at E (analytics/dealspans.py: at < E <= until, deal created before E), in an
    open stage, with `value` (the amount then) and `probability`: the same deals and
    amounts as open_at_end, one index range instead of a pass over the stage history."""
    end = period.bounds()[1]
    return DealSpan.objects.filter(
        stage_id__in=_open_stage_ids(), until__gte=end, at__lt=end, created__lt=end,
    ).annotate(value=F("amount"), probability=F("stage__probability"))


def _open_rows(period: Period) -> tuple[QuerySet[Any], str]:
    """The open deals at the end of P, and the path from those rows to the deal."""
    if period.bounds()[1] > timezone.now():
        return open_at_end(period), ""
    return open_spans(period), "deal__"


def pipeline_value(period: Period) -> KpiResult:
    totals = _open_rows(period)[0].order_by().aggregate(
        value_sum=Sum("value"), weighted=Sum(WEIGHTED), deals=Count("pk"))
    return KpiResult(money(totals["value_sum"] or ZERO), {
        "weighted": Decimal(totals["weighted"] or 0).quantize(Decimal("0.01")),
        "deals": totals["deals"],
    })


def pipeline_records(period: Period) -> Records:
    columns = ("deal_id", "name", "owner", "stage", "probability", "amount")
    return Records(columns, sum_of="amount", rows=open_at_end(period).order_by("pk").values_list(
        "pk", "name", "owner__username", "stage_name", "probability", "value"))  # type: ignore[misc]


def pipeline_breakdown(period: Period, name: str) -> dict[str, Any]:
    path = DEAL_DIMENSIONS[name]
    assert isinstance(path, str)
    rows, to_deal = _open_rows(period)
    rows = rows.order_by().values_list(to_deal + path).annotate(total=Sum("value"))
    ordered = sorted(rows, key=lambda kv: (-(kv[1] or 0), key_of(kv[0])))
    return {key_of(k): money(v) for k, v in ordered}


register(Kpi(name="pipeline_value", family=FAMILY, unit=Unit.MONEY, section=SECTION,
             label="Pipeline value", compute=pipeline_value, records=pipeline_records,
             breakdown=pipeline_breakdown, breakdowns=("region", "owner", "team", "campaign")))

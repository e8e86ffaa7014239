"""Every KPI of KPI.md equals a deliberately naive recomputation (tests/naive.py, pandas
over raw rows) on a varied world (tests/world.py), in UTC and in a zone far from it,
and every drill-down adds up to the number shown."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from smarketing.analytics.funnel import funnel
from smarketing.analytics.measures import count_rows
from smarketing.analytics.registry import Unit, all_kpis, get, kpi_values, records_of
from smarketing.analytics.tests.naive import Naive
from smarketing.analytics.tests.world import World
from smarketing.campaigns.rollup import rollup_refresh
from smarketing.core.errors import ValidationFailed
from smarketing.core.periods import Period
from smarketing.people.models import Company

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
ZONES = ("UTC", "America/New_York", "Asia/Kolkata")


def expected(n: Naive) -> dict[str, Any]:
    web = n.web()
    leads, mqls, spend = len(n.entered("lead")), len(n.entered("mql")), n.spend()
    won, lost = n.closed("won"), n.closed("lost")
    revenue = sum(won.amount, Decimal(0))
    delivered = n.email("Email Delivered")
    median, _mean = n.cycle()
    team, _share = n.quota()
    pipeline, _weighted = n.pipeline()
    return {
        **web, "new_leads": leads, "mqls": mqls, "marketing_spend": spend,
        "cost_per_lead": money(spend, leads), "cost_per_mql": money(spend, mqls),
        "lead_to_mql_rate": rate(mqls, leads),
        "email_open_rate": rate(n.email("Email Opened"), delivered),
        "email_click_rate": rate(n.email("Email Link Clicked"), delivered),
        "social_engagement": n.social(), "clv": n.clv(),
        "sales_revenue": Decimal(revenue).quantize(Decimal("0.01")),
        "deals_won": len(won), "deals_lost": len(lost),
        "lead_to_opportunity_rate": rate(len(n.entered("opportunity")), leads),
        "opportunity_to_win_rate": rate(len(won), len(won) + len(lost)),
        "sql_to_customer_rate": rate(len(n.entered("customer")), len(n.entered("sql"))),
        "sales_cycle_days": median, "average_deal_size": money(Decimal(revenue), len(won)),
        "quota_attainment": team, "pipeline_value": pipeline,
        "marketing_sourced_pipeline": n.sourced("pipeline"),
        "marketing_sourced_revenue": n.sourced("revenue"),
        "marketing_influenced_pipeline": n.influenced("pipeline"),
        "marketing_influenced_revenue": n.influenced("revenue"),
        **n.alignment(),
    }


def rate(a: int, b: int) -> Decimal | None:
    return (Decimal(a) / Decimal(b)).quantize(Decimal("0.0001")) if b else None


def money(a: Decimal, b: int) -> Decimal | None:
    return (a / Decimal(b)).quantize(Decimal("0.01")) if b else None


@pytest.fixture(params=ZONES)
def world(request: Any, users: dict[str, Any], team: Any) -> Any:
    with override_settings(TIME_ZONE=request.param), time_machine.travel(NOW, tick=False):
        built = World(users, MARCH.start, MARCH.end).build()
        built.handoff(team)
        rollup_refresh()  # the worker's job: the dashboards read attribution as of it
        yield built


def test_every_kpi_equals_its_naive_computation_for_the_period_and_the_previous_one(
    world: World,
) -> None:
    values = kpi_values(MARCH)
    for period, key in ((MARCH, "value"), (MARCH.previous(), "previous")):
        naive = expected(Naive(period.start, period.end, NOW))
        assert set(naive) == {k.name for k in all_kpis()}
        for name, figure in naive.items():
            assert values[name][key] == figure, (name, key, values[name][key], figure)


def test_the_parts_match_the_naive_computation(world: World) -> None:
    values = kpi_values(MARCH)
    naive = Naive(MARCH.start, MARCH.end, NOW)
    assert values["sales_revenue"]["by_product"] == naive.by_product()
    assert values["sales_revenue"]["by_region"] == naive.by_region()
    assert values["sales_cycle_days"]["mean"] == naive.cycle()[1]
    assert values["quota_attainment"]["reps_at_quota_share"] == naive.quota()[1]
    assert values["pipeline_value"]["weighted"] == naive.pipeline()[1]
    for kpi, (first, later) in {"lead_to_mql_rate": ("lead", "mql"),
                                "lead_to_opportunity_rate": ("lead", "opportunity"),
                                "sql_to_customer_rate": ("sql", "customer")}.items():
        assert values[kpi]["cohort"] == naive.cohort(first, later), kpi


def test_a_running_period_counts_the_live_pipeline(world: World) -> None:
    june = Period(dt.date(2026, 6, 1), dt.date(2026, 7, 1))
    value = kpi_values(june, family="sales")["pipeline_value"]
    assert value["value"] == Naive(june.start, june.end, NOW).pipeline()[0]


def _added(records: Any, rows: list[tuple[Any, ...]], side: str | None) -> Any:
    """What a drill-down adds up to: the sum of its `sum_of` column, or its rows."""
    column = records.denominator_sum_of if side == "denominator" else records.sum_of
    chosen = [r for r in rows if side is None or r[0] == side]
    if not column:
        return len(chosen)
    index = records.columns.index(column)
    return sum((r[index] for r in chosen), Decimal(0))


AVERAGES = {"clv", "sales_cycle_days", "median_response_hours", "quota_attainment"}


def test_every_drill_down_adds_up_to_the_number_shown(world: World) -> None:
    values = kpi_values(MARCH)
    for kpi in all_kpis():
        records = get(kpi.name).records(MARCH)  # type: ignore[misc]
        rows = [tuple(r) for r in records.rows]
        value = values[kpi.name]["value"]
        assert count_rows(records.rows) == len(rows), kpi.name
        if records.columns[0] == "side":
            top, bottom = _added(records, rows, "numerator"), _added(records, rows, "denominator")
            places = "0.0001" if kpi.unit is Unit.RATE else "0.01"
            share = (Decimal(top) / Decimal(bottom)).quantize(Decimal(places)) if bottom else None
            assert value == share, kpi.name
        elif kpi.name == "clv":  # the customers with their won revenue: the mean
            mean = sum((r[-1] for r in rows), Decimal(0)) / len(rows) if rows else None
            assert value == (mean.quantize(Decimal("0.01")) if rows else None)
        elif kpi.unit in (Unit.COUNT, Unit.MONEY):
            assert _added(records, rows, None) == value, kpi.name
        else:
            assert kpi.name in AVERAGES | {"mql_target_attainment", "follow_up_compliance",
                                           "bounce_rate", "visitor_to_lead_rate"}, kpi.name


def test_the_cohort_view_drills_down_to_its_cohort_and_those_that_reached_the_later_stage(
    world: World,
) -> None:
    values = kpi_values(MARCH)
    cohorts = [k for k in all_kpis() if k.cohort_records is not None]
    assert {k.name for k in cohorts} == {"lead_to_mql_rate", "lead_to_opportunity_rate",
                                         "sql_to_customer_rate"}
    for kpi in cohorts:
        rows = [tuple(r) for r in records_of(kpi, MARCH, "cohort").rows]
        reached = sum(1 for r in rows if r[0] == "numerator")
        size = sum(1 for r in rows if r[0] == "denominator")
        shown = values[kpi.name]
        assert (reached, size) == (shown["cohort_reached"], shown["cohort_size"]), kpi.name
        assert rate(reached, size) == shown["cohort"], kpi.name
    with pytest.raises(ValidationFailed) as error:
        records_of(get("mqls"), MARCH, "cohort")
    assert error.value.field == "view"


def test_the_flagged_drill_downs_give_the_rates(world: World) -> None:
    values = kpi_values(MARCH)
    sessions = [tuple(r) for r in get("bounce_rate").records(MARCH).rows]  # type: ignore[misc]
    assert len(sessions) == values["sessions"]["value"]
    assert rate(sum(r[-1] for r in sessions), len(sessions)) == values["bounce_rate"]["value"]
    visitors = [tuple(r) for r in get("visitors").records(MARCH).rows]  # type: ignore[misc]
    assert len(visitors) == values["visitors"]["value"]
    assert rate(sum(r[-1] for r in visitors), len(visitors)) == \
        values["visitor_to_lead_rate"]["value"]
    quota = list(get("quota_attainment").records(MARCH).rows)  # type: ignore[misc]
    revenue = sum((r[3] for r in quota), Decimal(0))
    target = sum((r[4] for r in quota), Decimal(0))
    assert (revenue / target).quantize(Decimal("0.0001")) == values["quota_attainment"]["value"]


def test_breakdowns_add_up_to_the_total(world: World) -> None:
    for breakdown, names in {"region": ("new_leads", "sales_revenue", "deals_won"),
                             "channel": ("mqls", "marketing_spend"),
                             "campaign": ("new_leads", "marketing_spend"),
                             "owner": ("sales_revenue", "pipeline_value"),
                             "product": ("sales_revenue",),
                             "team": ("deals_lost",)}.items():
        values = kpi_values(MARCH, breakdown=breakdown)
        for name in names:
            parts = values[name]["breakdown"]
            assert sum(parts.values()) == values[name]["value"], (breakdown, name)


def naive_funnel(n: Naive, view: str, stages: tuple[str, ...], region: str | None) -> list[Any]:
    """Counts, conversions and median days per step, straight from the reached columns."""
    import statistics

    import pandas as pd

    regions = dict(Company.objects.values_list("id", "region"))
    c = n.contacts.copy()
    c["region"] = [(regions.get(int(x)) if pd.notna(x) else None) or "(none)"
                   for x in c.company_id]
    if region is not None:
        c = c[c.region == region]
    steps, previous = [], None
    for i, stage in enumerate(stages):
        col = c[f"became_{stage}_at"]
        rows = c[n.inside(col)] if view == "period" or i == 0 else \
            c[n.inside(c[f"became_{stages[0]}_at"]) & col.notna()]
        days = None
        if i:
            before = pd.to_datetime(rows[f"became_{stages[i - 1]}_at"], utc=True)
            after = pd.to_datetime(rows[f"became_{stage}_at"], utc=True)
            spans = [(b - a).total_seconds() / 86400 for a, b in zip(before, after, strict=True)
                     if pd.notna(a) and pd.notna(b)]
            days = Decimal(str(statistics.median(spans))).quantize(Decimal("0.1")) \
                if spans else None
        steps.append({"stage": stage, "count": len(rows),
                      "conversion": rate(len(rows), previous) if i else None,
                      "median_days": days})
        previous = len(rows)
    return steps


@pytest.mark.parametrize("view", ["period", "cohort"])
def test_the_funnel_equals_its_naive_computation(world: World, view: str) -> None:
    stages = ("lead", "mql", "sql", "opportunity", "customer")
    naive = Naive(MARCH.start, MARCH.end, NOW)
    result = funnel(MARCH, view=view, breakdown="region")
    assert result["steps"] == naive_funnel(naive, view, stages, None)
    for region, steps in result["breakdown"].items():
        assert steps == naive_funnel(naive, view, stages, region), region
    skipping = funnel(MARCH, view=view, stages=["subscriber", "mql", "customer"])
    assert skipping["steps"] == naive_funnel(naive, view, ("subscriber", "mql", "customer"), None)

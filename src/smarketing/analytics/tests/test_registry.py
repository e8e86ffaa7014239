"""The registry: every KPI computes for any period, empty periods give 0 or n/a."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smarketing.analytics.measures import count_rows
from smarketing.analytics.registry import all_kpis, get, kpi_values
from smarketing.core.errors import NotFound, ValidationFailed
from smarketing.core.periods import Period

pytestmark = pytest.mark.django_db
MAY = Period(dt.date(2026, 5, 1), dt.date(2026, 6, 1))


def test_an_empty_period_gives_zero_or_none_for_every_kpi_never_an_error() -> None:
    values = kpi_values(MAY)
    assert set(values) == {k.name for k in all_kpis()}
    for name, entry in values.items():
        assert entry["value"] in (0, None), name
        assert {"value", "previous", "change"} <= set(entry)


def test_every_kpi_has_a_drill_down_that_is_empty_in_an_empty_period() -> None:
    for kpi in all_kpis():
        assert kpi.records is not None, kpi.name
        assert count_rows(kpi.records(MAY).rows) == 0, kpi.name


def test_an_unknown_kpi_family_or_breakdown_is_refused_naming_the_field() -> None:
    with pytest.raises(NotFound) as missing:
        get("revenue")
    assert missing.value.field == "name"
    with pytest.raises(ValidationFailed) as family:
        kpi_values(MAY, family="nope")
    assert family.value.field == "family"
    with pytest.raises(ValidationFailed) as breakdown:
        kpi_values(MAY, breakdown="colour")
    assert breakdown.value.field == "breakdown"


def test_breakdowns_of_an_empty_period_are_empty(**_: Any) -> None:
    values = kpi_values(MAY, breakdown="region")
    assert values["sales_revenue"]["breakdown"] == {}
    assert values["new_leads"]["breakdown"] == {}


def test_the_web_kpis_read_the_counters_once_per_period() -> None:
    with CaptureQueriesContext(connection) as queries:
        kpi_values(MAY, family="web")
    counters = [q for q in queries.captured_queries if "analytics_webbucket" in q["sql"]]
    assert len(counters) == 2  # the period and the previous one, from the counters
    assert not [q for q in queries.captured_queries if "analytics_websession" in q["sql"]]
    assert not [q for q in queries.captured_queries if "DISTINCT" in q["sql"]
                and "analytics_webvisit" in q["sql"]]
    assert not [q for q in queries.captured_queries if "LEAD(ts) OVER visit" in q["sql"]]

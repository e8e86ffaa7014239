"""The dashboards render for every role, the period picker works, every tile drills down
to records that add up to it, tables download as CSV, and the query count is bounded."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smarketing.analytics import registry
from smarketing.core.periods import Period
from smarketing.people.models import Stage
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 18, 12, tzinfo=dt.UTC)
MARCH = "start=2026-03-01&end=2026-04-01"
SUMS = {"sales_revenue", "marketing_spend", "pipeline_value", "marketing_sourced_pipeline",
        "marketing_sourced_revenue", "marketing_influenced_pipeline",
        "marketing_influenced_revenue"}  # money KPIs that are sums of their records' amounts
PAGES = ("/dashboards/", "/dashboards/marketing/", "/dashboards/sales/", "/dashboards/journey/")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def client_as(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def leads(n: int, day: int = 5) -> None:
    for _ in range(n):
        make_contact(Stage.LEAD, at=dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC))


def test_the_home_page_is_the_shared_dashboard_for_everyone(users: dict[str, Any]) -> None:
    for user in users.values():
        assert client_as(user).get("/").url == "/dashboards/"


@pytest.mark.parametrize("path", PAGES)
def test_each_dashboard_renders_for_every_role(users: dict[str, Any], path: str) -> None:
    leads(2)
    for user in users.values():
        response = client_as(user).get(f"{path}?{MARCH}")
        assert response.status_code == 200, (user.username, path)


def test_a_signed_out_visitor_is_sent_to_log_in(client: Client) -> None:
    assert client.get("/dashboards/").url.startswith("/login/")


def test_the_shared_dashboard_shows_each_kpi_with_its_previous_period_and_change(
    users: dict[str, Any]
) -> None:
    leads(3)  # March
    for _ in range(2):
        make_contact(Stage.LEAD, at=dt.datetime(2026, 2, 10, tzinfo=dt.UTC))
    page = client_as(users["admin"]).get(f"/dashboards/?{MARCH}").content.decode()
    assert 'data-testid="kpi-mqls"' in page
    # new_leads is on the trends table and the KPI table of the marketing dashboard
    page = client_as(users["admin"]).get(f"/dashboards/marketing/?{MARCH}").content.decode()
    tile = page.split('data-kpi="new_leads"')[1].split('data-kpi=')[0]
    assert ">3<" in tile and "+50.0 %" in tile and "vs 2" in tile


def test_a_preset_picks_its_period_and_a_bad_date_falls_back_with_an_error(
    users: dict[str, Any]
) -> None:
    client = client_as(users["marketing"])
    page = client.get("/dashboards/?period=last-month").content.decode()
    assert "Feb 1, 2026 – Feb 28, 2026" in page
    page = client.get("/dashboards/?start=2026-13-01&end=2026-03-01").content.decode()
    assert "start: &#x27;2026-13-01&#x27; is not a date" in page
    assert "Mar 1, 2026 – Mar 31, 2026" in page
    page = client.get("/dashboards/?start=2026-03-10&end=2026-03-01").content.decode()
    assert "end: must be after start" in page


def test_a_tile_drills_down_to_records_whose_count_equals_it(users: dict[str, Any]) -> None:
    leads(4)
    leads(1, day=28)
    client = client_as(users["rep"])
    value = registry.get("new_leads").compute(Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1)))
    page = client.get(f"/dashboards/records/new_leads/?{MARCH}").content.decode()
    assert value.value == 5
    assert 'data-testid="records-count">5<' in page
    rows = list(csv.reader(io.StringIO(b"".join(
        client.get(f"/dashboards/records/new_leads/?{MARCH}&format=csv").streaming_content
    ).decode())))
    assert len(rows) == 1 + 5


def test_unknown_kpis_and_dashboards_are_404(users: dict[str, Any]) -> None:
    client = client_as(users["admin"])
    assert client.get("/dashboards/records/nonsense/").status_code == 404
    assert client.get("/dashboards/nonsense/").status_code == 404
    assert client.get("/dashboards/marketing/tables/nonsense.csv").status_code == 404


def test_every_table_downloads_as_csv_with_the_numbers_of_the_page(
    users: dict[str, Any]
) -> None:
    leads(3)
    client = client_as(users["admin"])
    body = b"".join(client.get(f"/dashboards/marketing/tables/kpis.csv?{MARCH}")
                    .streaming_content).decode()
    rows = {r[0]: r for r in csv.reader(io.StringIO(body))}
    assert rows["KPI"] == ["KPI", "This period", "Previous period", "Change"]
    assert rows["New leads"][1] == "3"


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(f"{path}?{MARCH}").status_code == 200
    return len(captured)


@pytest.mark.parametrize("path", PAGES)
def test_loading_a_dashboard_issues_a_bounded_number_of_queries(
    users: dict[str, Any], path: str
) -> None:
    client = client_as(users["admin"])
    leads(2)
    _queries(client, path)  # first load: rollups other apps keep (attribution) catch up
    few = _queries(client, path)
    leads(25)
    for _ in range(5):
        make_contact(Stage.MQL, at=dt.datetime(2026, 3, 9, tzinfo=dt.UTC))
    catching_up = _queries(client, path)  # rollups catch up: a few more (other apps'; on
    assert catching_up <= few + 20  # SQLite ~5 a folding rollup, analytics/folds.py)
    assert _queries(client, path) == few  # set-based: more rows, not more queries
    assert few <= 400


def test_every_registered_kpi_is_on_a_dashboard() -> None:
    from smarketing.analytics.dashboards import DASHBOARDS

    shown = {name for d in DASHBOARDS.values() for s in d.sections for name in s.kpis}
    assert {k.name for k in registry.all_kpis()} <= shown


def test_every_count_and_amount_drills_down_to_records_that_add_up_to_it(
    users: dict[str, Any]
) -> None:
    from smarketing.analytics.views.records import summarise
    from smarketing.pipeline.services import deal_win
    from smarketing.pipeline.tests.factories import make_deal

    leads(3)
    contact = make_contact(Stage.SQL, at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC))
    deal = make_deal(users["rep"], amount="1500.00", contacts=[contact],
                     at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    deal_win(deal=deal, actor=users["rep"], at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    make_deal(users["rep"], amount="700.00", contacts=[contact],
              at=dt.datetime(2026, 3, 4, tzinfo=dt.UTC))
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    checked, failed = 0, []
    for kpi in registry.all_kpis():
        summed = kpi.unit is registry.Unit.MONEY and kpi.name in SUMS
        if kpi.records is None or not (summed or kpi.unit is registry.Unit.COUNT):
            continue
        with registry.evaluation():
            value = kpi.compute(period).value
            records = kpi.records(period)
        summary = summarise(tuple(records.columns), records.rows, page=1)
        shown = summary["total"] if summed else summary["count"]
        if shown != (value or 0):
            failed.append((kpi.name, value, shown))
        checked += 1
    assert failed == []
    assert checked >= 10


def test_the_sales_dashboard_shows_the_forecast_against_quota(users: dict[str, Any]) -> None:
    page = client_as(users["manager"]).get(f"/dashboards/sales/?{MARCH}").content.decode()
    table = page.split('data-testid="table-forecast"')[1].split("</table>")[0]
    for label in ("Closed won", "Commit", "Quota", "Forecast P50"):
        assert label in table


def test_every_forecast_figure_drills_down_to_records_that_add_up_to_it(
    users: dict[str, Any]
) -> None:
    from smarketing.analytics.dashboards import FORECAST_ROWS
    from smarketing.analytics.forecast_records import PERCENTILES, forecast_records
    from smarketing.pipeline.forecast import forecast
    from smarketing.pipeline.models import Quota
    from smarketing.pipeline.services import deal_win
    from smarketing.pipeline.tests.factories import make_deal

    won = make_deal(users["rep"], amount="1500.00", at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    deal_win(deal=won, actor=users["rep"], at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC))
    for amount in ("700.00", "333.33"):
        make_deal(users["rep_b"], amount=amount, close=dt.date(2026, 3, 25),
                  at=dt.datetime(2026, 3, 4, tzinfo=dt.UTC))
    Quota.objects.create(owner=users["rep"], period="month", start=dt.date(2026, 3, 1),
                         amount="5000.00")
    period = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    figures = forecast(period)
    for key, _label in FORECAST_ROWS:
        records = forecast_records(period, key)
        amounts = [r[-1] for r in records.rows]
        if key in PERCENTILES:
            assert records.sum_of == "" and len(amounts) == 3
        else:
            assert sum(amounts, Decimal(0)).quantize(Decimal("0.01")) == figures[key], key
    assert figures["weighted"] > 0 and figures["gap"] == Decimal("3500.00")
    page = client_as(users["rep"]).get(f"/dashboards/sales/?{MARCH}").content.decode()
    assert "/dashboards/forecast/commit/?" in page
    drill = client_as(users["rep"]).get(f"/dashboards/forecast/gap/?{MARCH}")
    assert drill.status_code == 200 and "3,500.00" in drill.content.decode()
    assert client_as(users["rep"]).get(f"/dashboards/forecast/p50/?{MARCH}").content.decode() \
        .count('data-testid="records-note"') == 1
    assert client_as(users["rep"]).get("/dashboards/forecast/nonsense/").status_code == 404


def test_a_rate_with_a_cohort_view_links_to_the_cohort_records(users: dict[str, Any]) -> None:
    leads(3)
    make_contact(Stage.MQL, at=dt.datetime(2026, 3, 6, tzinfo=dt.UTC))
    page = client_as(users["admin"]).get(f"/dashboards/marketing/?{MARCH}").content.decode()
    assert 'data-testid="cohort-lead_to_mql_rate"' in page
    drill = client_as(users["admin"]).get(
        f"/dashboards/records/lead_to_mql_rate/?{MARCH}&view=cohort").content.decode()
    assert "cohort view" in drill and "view=cohort&amp;format=csv" in drill
    csv_rows = list(csv.reader(io.StringIO(b"".join(client_as(users["admin"]).get(
        f"/dashboards/records/lead_to_mql_rate/?{MARCH}&view=cohort&format=csv"
    ).streaming_content).decode())))
    sides = [row[0] for row in csv_rows[1:]]
    assert sides.count("numerator") == 1 and sides.count("denominator") == 4
    assert client_as(users["admin"]).get(
        f"/dashboards/records/mqls/?{MARCH}&view=cohort").status_code == 404

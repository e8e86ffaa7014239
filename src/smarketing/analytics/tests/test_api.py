"""GET /api/v1/kpis, /kpis/{name}/records, /funnel and the CSV exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from smarketing.analytics.registry import all_kpis
from smarketing.people.models import Stage
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
MARCH = {"start": "2026-03-01", "end": "2026-04-01"}
ROLES = ("admin", "marketing", "manager", "rep")


def at(day: int) -> dt.datetime:
    return dt.datetime(2026, 3, day, 12, tzinfo=dt.UTC)


@pytest.fixture
def leads(db: Any) -> list[Any]:
    made = [make_contact(Stage.LEAD, at=at(day)) for day in (2, 9, 30)]
    make_contact(Stage.LEAD, at=dt.datetime(2026, 2, 27, tzinfo=dt.UTC))  # previous period
    make_contact(Stage.SQL, at=at(5))  # skips ahead: counts as lead, mql and sql
    return made


@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_every_kpi_by_its_exact_name(api_as: Any, role: str, leads: Any) -> None:
    response = api_as(role).get("/api/v1/kpis", **MARCH)
    assert response.status_code == 200
    body = response.json()
    assert {k.name for k in all_kpis()} <= set(body)
    assert body["new_leads"] == {"value": 4, "previous": 1, "change": "300.0"}
    assert body["period"]["previous_start"] == "2026-01-29"


def test_a_family_and_a_breakdown_narrow_the_answer(api_as: Any, leads: Any) -> None:
    body = api_as("rep").get("/api/v1/kpis", family="leads", breakdown="channel", **MARCH).json()
    assert "sales_revenue" not in body
    assert body["new_leads"]["breakdown"] == {"(none)": 4}


def test_a_presets_period_is_accepted(api_as: Any) -> None:
    assert api_as("rep").get("/api/v1/kpis", period="last-month").status_code == 200


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-13-01", "end": "2026-04-01"}, "start"),
    ({"start": "2026-03-01"}, "end"),
    ({"start": "2026-03-01", "end": "2026-03-01"}, "end"),
    ({"period": "next-week"}, "period"),
    ({**MARCH, "family": "money"}, "family"),
    ({**MARCH, "breakdown": "colour"}, "breakdown"),
])
def test_bad_parameters_are_refused_naming_the_field(
    api_as: Any, params: dict[str, str], field: str,
) -> None:
    response = api_as("marketing").get("/api/v1/kpis", **params)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert response.json()["code"] == "invalid"


def test_the_records_behind_a_count_are_as_many_as_the_count(api_as: Any, leads: Any) -> None:
    client = api_as("rep")
    value = client.get("/api/v1/kpis", **MARCH).json()["new_leads"]["value"]
    page = client.get("/api/v1/kpis/new_leads/records", limit=2, **MARCH).json()
    assert page["count"] == value == 4
    assert len(page["items"]) == 2
    rest = client.get("/api/v1/kpis/new_leads/records", limit=2, offset=2, **MARCH).json()
    ids = {i["contact_id"] for i in page["items"] + rest["items"]}
    assert ids >= {c.pk for c in leads}
    assert page["sum_of"] == ""


def test_the_cohort_view_has_its_own_records_and_other_kpis_refuse_it(
    api_as: Any, leads: Any
) -> None:
    client = api_as("rep")
    shown = client.get("/api/v1/kpis", family="leads", **MARCH).json()["lead_to_mql_rate"]
    page = client.get("/api/v1/kpis/lead_to_mql_rate/records", view="cohort", **MARCH).json()
    sides = [item["side"] for item in page["items"]]
    assert sides.count("numerator") == shown["cohort_reached"] == 1
    assert sides.count("denominator") == shown["cohort_size"] == 4
    refused = client.get("/api/v1/kpis/mqls/records", view="cohort", **MARCH)
    assert refused.status_code == 422 and refused.json()["field"] == "view"
    assert client.get("/api/v1/kpis/mqls/records.csv", view="daily", **MARCH).json()[
        "field"] == "view"


def test_an_unknown_kpi_is_not_found_and_a_bad_window_is_refused(api_as: Any) -> None:
    client = api_as("rep")
    missing = client.get("/api/v1/kpis/revenue/records", **MARCH)
    assert missing.status_code == 404
    assert missing.json()["field"] == "name"
    assert client.get("/api/v1/kpis/mqls/records", limit=0, **MARCH).json()["field"] == "limit"
    assert client.get("/api/v1/kpis/mqls/records", offset=-1, **MARCH).json()["field"] == \
        "offset"


def _csv(response: Any) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(text)))


def test_every_kpi_and_every_drill_down_exports_as_csv(api_as: Any, leads: Any) -> None:
    client = api_as("manager")
    table = _csv(client.get("/api/v1/kpis.csv", **MARCH))
    assert table[0] == ["name", "family", "unit", "value", "previous", "change"]
    assert {row[0] for row in table[1:]} == {k.name for k in all_kpis()}
    assert ["new_leads", "leads", "count", "4", "1", "300.0"] in table
    records = _csv(client.get("/api/v1/kpis/new_leads/records.csv", **MARCH))
    assert records[0][0] == "contact_id"
    assert len(records) == 1 + 4


def test_the_funnel_has_steps_with_conversion_and_velocity(api_as: Any, leads: Any) -> None:
    client = api_as("marketing")
    body = client.get("/api/v1/funnel", view="cohort", stages="lead,mql,sql", **MARCH).json()
    assert [s["stage"] for s in body["steps"]] == ["lead", "mql", "sql"]
    assert [s["count"] for s in body["steps"]] == [4, 1, 1]
    assert body["steps"][1]["conversion"] == "0.2500"
    assert body["steps"][2]["median_days"] == "0.0"  # imported straight as SQL
    split = client.get("/api/v1/funnel", breakdown="region", **MARCH).json()
    assert split["breakdown"]["(none)"][0]["count"] == 4
    people = client.get("/api/v1/funnel/records", stage="sql", **MARCH).json()
    assert people["count"] == 1


@pytest.mark.parametrize(("params", "field"), [
    ({"view": "sideways"}, "view"),
    ({"stages": "mql,lead"}, "stages"),
    ({"stages": "lead"}, "stages"),
    ({"stages": "lead,unicorn"}, "stages"),
    ({"breakdown": "team"}, "breakdown"),
])
def test_bad_funnel_parameters_name_the_field(
    api_as: Any, params: dict[str, str], field: str,
) -> None:
    response = api_as("rep").get("/api/v1/funnel", **MARCH, **params)
    assert response.status_code == 422
    assert response.json()["field"] == field

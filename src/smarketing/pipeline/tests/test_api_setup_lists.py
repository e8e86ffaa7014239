"""The pipeline list and the lost-reason list answer like every other list (issue 9):
{items, count} pages (`limit`, `offset`), a checked `sort` and their filters."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.pipeline.models import LostReason
from smarketing.pipeline.pipelines import lost_reason_save, pipeline_create
from smarketing.pipeline.services import default_pipeline, quota_set

pytestmark = pytest.mark.django_db

DEFAULT_REASONS = ["Competitor", "No budget", "No decision", "Other", "Price", "Timing"]


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.fixture
def three_pipelines(users: dict[str, Any]) -> None:
    default_pipeline()
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
        pipeline_create(actor=users["admin"], name="Renewals")
    with time_machine.travel(dt.datetime(2030, 1, 2, tzinfo=dt.UTC)):
        pipeline_create(actor=users["admin"], name="Expansion")


def test_the_pipeline_list_pages_the_default_first_then_by_name(
    three_pipelines: None, api_as: Any
) -> None:
    api = api_as("rep")
    first = api.get("/api/v1/pipelines", limit=2).json()
    assert first["count"] == 3
    assert [p["name"] for p in first["items"]] == ["New business", "Expansion"]
    assert _names(api.get("/api/v1/pipelines", limit=2, offset=2)) == ["Renewals"]
    stages = [s["name"] for s in first["items"][1]["stages"]]
    assert stages[:2] == ["Discovery", "Demo"] and len(stages) == 6


def test_the_pipeline_list_sorts_by_name_or_creation_either_way(
    three_pipelines: None, api_as: Any
) -> None:
    api = api_as("manager")
    assert _names(api.get("/api/v1/pipelines", sort="name")) == [
        "Expansion", "New business", "Renewals"]
    assert _names(api.get("/api/v1/pipelines", sort="-name")) == [
        "Renewals", "New business", "Expansion"]
    assert _names(api.get("/api/v1/pipelines", sort="-created_at")) == [
        "Expansion", "Renewals", "New business"]
    assert _names(api.get("/api/v1/pipelines", sort="created_at")) == [
        "New business", "Renewals", "Expansion"]


def test_the_pipeline_list_filters_by_name_and_default(
    three_pipelines: None, api_as: Any
) -> None:
    api = api_as("marketing")
    assert _names(api.get("/api/v1/pipelines", q=" REN ")) == ["Renewals"]
    assert _names(api.get("/api/v1/pipelines", is_default="true")) == ["New business"]
    others = api.get("/api/v1/pipelines", is_default="false", sort="-name").json()
    assert (others["count"], [p["name"] for p in others["items"]]) == (
        2, ["Renewals", "Expansion"])


def test_the_lost_reason_list_pages_by_name(users: dict[str, Any], api_as: Any) -> None:
    default_pipeline()
    api = api_as("rep")
    body = api.get("/api/v1/lost-reasons", limit=2, offset=1).json()
    assert (body["count"], [r["name"] for r in body["items"]]) == (6, DEFAULT_REASONS[1:3])
    assert _names(api.get("/api/v1/lost-reasons")) == DEFAULT_REASONS
    assert _names(api.get("/api/v1/lost-reasons", sort="-name")) == DEFAULT_REASONS[::-1]


def test_the_lost_reason_list_sorts_by_creation_and_filters_by_name_and_active(
    users: dict[str, Any], api_as: Any
) -> None:
    default_pipeline()
    admin = users["admin"]
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
        dark = lost_reason_save(actor=admin, name="Went dark")
    lost_reason_save(actor=admin, reason=LostReason.objects.get(name="No budget"), active=False)
    api = api_as("manager")
    assert _names(api.get("/api/v1/lost-reasons", sort="-created_at"))[0] == dark.name
    assert _names(api.get("/api/v1/lost-reasons", sort="created_at"))[-1] == dark.name
    assert _names(api.get("/api/v1/lost-reasons", q="no ")) == ["No budget", "No decision"]
    assert _names(api.get("/api/v1/lost-reasons", q="no ", active="true")) == ["No decision"]
    retired = api.get("/api/v1/lost-reasons", active="false").json()
    assert (retired["count"], [r["name"] for r in retired["items"]]) == (1, ["No budget"])


@pytest.mark.parametrize(("path", "params", "field"), [
    ("pipelines", {"sort": "stages"}, "sort"), ("pipelines", {"limit": 0}, "limit"),
    ("pipelines", {"offset": -1}, "offset"), ("pipelines", {"is_default": "perhaps"}, "is_default"),
    ("lost-reasons", {"sort": "active"}, "sort"), ("lost-reasons", {"limit": 501}, "limit"),
    ("lost-reasons", {"active": "sometimes"}, "active"),
])
def test_a_bad_list_parameter_is_a_422_naming_it(
    api_as: Any, path: str, params: dict[str, Any], field: str
) -> None:
    response = api_as("rep").get(f"/api/v1/{path}", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content
    if field == "sort":
        assert "name, " in response.json()["detail"]


def test_the_quota_list_sorts_by_start_then_owner_or_by_amount(
    users: dict[str, Any], api_as: Any
) -> None:
    admin, rep, rep_b = users["admin"], users["rep"], users["rep_b"]
    april, may = dt.date(2026, 4, 1), dt.date(2026, 5, 1)
    for owner, start, amount in ((rep_b, april, "700"), (rep, may, "500"), (rep, april, "900")):
        quota_set(actor=admin, owner=owner, period="month", start=start, amount=amount)
    api = api_as("manager")
    names = {rep.pk: rep.username, rep_b.pk: rep_b.username}

    def rows(**params: Any) -> list[tuple[str, str, str]]:
        body = api.get("/api/v1/quotas", **params).json()
        assert body["count"] == 3
        return [(q["start"][5:7], names[q["owner_id"]], q["amount"]) for q in body["items"]]

    assert rows() == [
        ("04", "rep1", "900.00"), ("04", "rep2", "700.00"), ("05", "rep1", "500.00")]
    assert rows(sort="-start") == [
        ("05", "rep1", "500.00"), ("04", "rep1", "900.00"), ("04", "rep2", "700.00")]
    assert [r[2] for r in rows(sort="amount")] == ["500.00", "700.00", "900.00"]
    assert [r[2] for r in rows(sort="-amount")] == ["900.00", "700.00", "500.00"]
    bad = api.get("/api/v1/quotas", sort="owner")
    assert (bad.status_code, bad.json()["field"]) == (422, "sort")

"""GET /api/v1/imports: runs newest first, filtered by status, kind, dry run and file
name, sorted by a checked `sort`, in pages; each user sees their own, admins all; a bad
filter is named."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.imports.models import ImportRun

pytestmark = pytest.mark.django_db


def _run(actor: Any, name: str, **fields: Any) -> ImportRun:
    return ImportRun.objects.create(actor=actor, file_name=name, file_sha256="0" * 64,
                                    options_key="k", **{"kind": "contacts", **fields})


@pytest.fixture
def runs(users: dict[str, Any]) -> None:
    _run(users["marketing"], "a.csv", status="finished")
    _run(users["marketing"], "b.csv", status="failed", kind="companies")
    _run(users["marketing"], "c.csv", status="finished", dry_run=True)
    _run(users["manager"], "d.csv", status="queued")


def _files(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["file_name"] for item in response.json()["items"]]


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["c.csv", "b.csv", "a.csv"]),
    ({"status": "finished"}, ["c.csv", "a.csv"]),
    ({"kind": "companies"}, ["b.csv"]),
    ({"dry_run": "true"}, ["c.csv"]),
    ({"limit": 1, "offset": 1}, ["b.csv"]),
])
def test_your_imports_are_filtered_and_paged(
    api_as: Any, runs: None, params: dict[str, Any], expected: list[str]
) -> None:
    assert _files(api_as("marketing").get("/api/v1/imports", **params)) == expected


def test_admins_see_every_import(api_as: Any, runs: None) -> None:
    body = api_as("admin").get("/api/v1/imports", status="queued").json()
    assert ([r["file_name"] for r in body["items"]], body["count"]) == (["d.csv"], 1)


@pytest.mark.parametrize(("params", "field"), [
    ({"status": "done"}, "status"), ({"kind": "planets"}, "kind"), ({"limit": 0}, "limit"),
])
def test_a_bad_filter_is_named(api_as: Any, params: dict[str, Any], field: str) -> None:
    response = api_as("marketing").get("/api/v1/imports", **params)
    assert (response.status_code, response.json()["field"]) == (422, field)


@pytest.fixture
def finished_runs(users: dict[str, Any]) -> None:
    done = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    _run(users["marketing"], "hubspot-contacts.csv", status="finished", errors=7,
         finished_at=done + dt.timedelta(hours=2))
    _run(users["marketing"], "Salesforce-leads.csv", status="finished", errors=0,
         finished_at=done)
    _run(users["marketing"], "another-hubspot.csv", status="queued")


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["another-hubspot.csv", "Salesforce-leads.csv", "hubspot-contacts.csv"]),
    ({"sort": "created_at"}, ["hubspot-contacts.csv", "Salesforce-leads.csv",
                              "another-hubspot.csv"]),
    ({"sort": "-errors"}, ["hubspot-contacts.csv", "another-hubspot.csv",
                           "Salesforce-leads.csv"]),
    ({"sort": "finished_at"}, ["Salesforce-leads.csv", "hubspot-contacts.csv",
                               "another-hubspot.csv"]),
    ({"sort": "-finished_at"}, ["hubspot-contacts.csv", "Salesforce-leads.csv",
                                "another-hubspot.csv"]),
    ({"q": "HUBSPOT", "sort": "-file_name"}, ["hubspot-contacts.csv", "another-hubspot.csv"]),
    ({"q": "hubspot", "status": "finished"}, ["hubspot-contacts.csv"]),
])
def test_imports_sort_by_time_name_errors_or_finish_and_search_the_file_name(
    api_as: Any, finished_runs: None, params: dict[str, Any], expected: list[str]
) -> None:
    body = api_as("marketing").get("/api/v1/imports", **params)
    assert (_files(body), body.json()["count"]) == (expected, len(expected))


def test_an_unknown_import_sort_is_a_422_naming_sort(api_as: Any) -> None:
    response = api_as("marketing").get("/api/v1/imports", sort="rows")
    assert (response.status_code, response.json()["field"]) == (422, "sort")
    assert "finished_at" in response.json()["detail"]

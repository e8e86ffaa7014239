"""GET /api/v1/imports/{id}/issues answers like every other list (issue 9): {items,
count} pages, a checked `sort` (line or column, either way) and filters by column,
line range and reason; another user's import is a 404."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.imports.models import ImportIssue, ImportRun
from smarketing.testing.lists import list_column

pytestmark = pytest.mark.django_db

ISSUES = [  # line, column, reason
    (2, "email", "email: 'x' is not an email address"),
    (3, "close_date", "close_date: '31/31/2024' is not a date"),
    (5, "", "the row has 9 values, the header 8"),
    (7, "email", "email: 'a@b.c' appears twice in the file (line 2)"),
    (9, "stage", "stage: 'Engaging' is not a lifecycle stage"),
]


@pytest.fixture
def run(users: dict[str, Any]) -> ImportRun:
    run = ImportRun.objects.create(actor=users["marketing"], file_name="contacts.csv",
                                   file_sha256="0" * 64, options_key="k", kind="contacts",
                                   status="finished", errors=len(ISSUES))
    ImportIssue.objects.bulk_create(  # stored out of line order: the list sorts them
        ImportIssue(run=run, line=line, column=column, reason=reason)
        for line, column, reason in reversed(ISSUES)
    )
    return run


def _lines(api: Any, run: ImportRun, **params: Any) -> list[int]:
    return list_column(api, f"/api/v1/imports/{run.pk}/issues", "line", **params)


def test_the_issues_page_by_line_with_the_count_of_every_match(
    run: ImportRun, api_as: Any
) -> None:
    api = api_as("marketing")
    body = api.get(f"/api/v1/imports/{run.pk}/issues", limit=2, offset=1).json()
    assert body["count"] == 5
    assert body["items"] == [
        {"line": 3, "column": "close_date", "reason": ISSUES[1][2]},
        {"line": 5, "column": "", "reason": ISSUES[2][2]},
    ]
    assert _lines(api, run, offset=4) == [9]


@pytest.mark.parametrize(("sort", "expected"), [
    ("line", [2, 3, 5, 7, 9]), ("-line", [9, 7, 5, 3, 2]),
    ("column", [5, 3, 2, 7, 9]), ("-column", [9, 7, 2, 3, 5]),
])
def test_the_issues_sort_by_line_or_column_either_way(
    run: ImportRun, api_as: Any, sort: str, expected: list[int]
) -> None:
    assert _lines(api_as("marketing"), run, sort=sort) == expected


@pytest.mark.parametrize(("params", "expected"), [
    ({"column": "email"}, [2, 7]),
    ({"column": ""}, [5]),
    ({"line_from": 5}, [5, 7, 9]),
    ({"line_to": 5}, [2, 3, 5]),
    ({"line_from": 3, "line_to": 7}, [3, 5, 7]),
    ({"line_from": 3, "line_to": 3}, [3]),
    ({"q": "TWICE"}, [7]),
    ({"q": "not a", "column": "stage"}, [9]),
])
def test_the_issues_filter_by_column_line_range_and_reason(
    run: ImportRun, api_as: Any, params: dict[str, Any], expected: list[int]
) -> None:
    body = api_as("marketing").get(f"/api/v1/imports/{run.pk}/issues", **params).json()
    assert ([i["line"] for i in body["items"]], body["count"]) == (expected, len(expected))


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "reason"}, "sort"), ({"line_from": 7, "line_to": 3}, "line_to"),
    ({"line_from": "first"}, "line_from"), ({"limit": 501}, "limit"),
])
def test_a_bad_issue_list_parameter_is_a_422_naming_it(
    run: ImportRun, api_as: Any, params: dict[str, Any], field: str
) -> None:
    response = api_as("marketing").get(f"/api/v1/imports/{run.pk}/issues", **params)
    assert (response.status_code, response.json()["field"]) == (422, field), response.content


def test_the_issues_of_another_users_import_are_a_404(run: ImportRun, api_as: Any) -> None:
    response = api_as("manager").get(f"/api/v1/imports/{run.pk}/issues")
    assert (response.status_code, response.json()["field"]) == (404, "id")
    assert _lines(api_as("admin"), run, limit=1) == [2]

"""A source's hosted forms list takes a checked `sort` (issue 9): by name (as before),
creation or slug, both ways, an unknown value a 422 naming `sort`; filters `q` (name
contains), `enabled` and `form_type`."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.testing.lists import list_column
from smarketing.tracking.models import HostedForm, Source

pytestmark = pytest.mark.django_db
EMAIL = [{"name": "email", "label": "Email", "type": "email", "required": True}]


@pytest.fixture
def url(source: Source) -> str:
    for name, slug, form_type, enabled in (("Webinar", "a-webinar", "", True),
                                           ("Demo request", "c-demo", "", False),
                                           ("Newsletter", "b-news", "newsletter", True)):
        HostedForm.objects.create(name=name, slug=slug, source=source, fields=EMAIL,
                                  form_type=form_type, enabled=enabled)
    return f"/api/v1/sources/{source.pk}/forms"


def _slugs(api: Any, url: str, **params: Any) -> list[str]:
    return list_column(api, url, "slug", **params)


@pytest.mark.parametrize(("sort", "expected"), [
    (None, ["c-demo", "b-news", "a-webinar"]), ("-name", ["a-webinar", "b-news", "c-demo"]),
    ("slug", ["a-webinar", "b-news", "c-demo"]), ("-slug", ["c-demo", "b-news", "a-webinar"]),
    ("created_at", ["a-webinar", "c-demo", "b-news"]),
    ("-created_at", ["b-news", "c-demo", "a-webinar"]),
])
def test_forms_sort_both_ways(url: str, api_as: Any, sort: str | None,
                              expected: list[str]) -> None:
    params = {} if sort is None else {"sort": sort}
    assert _slugs(api_as("marketing"), url, **params) == expected


def test_forms_filter_and_refuse_an_unknown_sort(url: str, api_as: Any) -> None:
    api = api_as("marketing")
    assert _slugs(api, url, enabled="false") == ["c-demo"]
    assert _slugs(api, url, form_type="newsletter") == ["b-news"]
    assert _slugs(api, url, form_type="", sort="slug") == ["a-webinar", "c-demo"]
    assert _slugs(api, url, q="E", enabled="true") == ["b-news", "a-webinar"]
    refused = api.get(url, sort="size")
    assert refused.status_code == 422 and refused.json()["field"] == "sort"
    assert "name, -name, created_at, -created_at, slug, -slug" in refused.json()["detail"]

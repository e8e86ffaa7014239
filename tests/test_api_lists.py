"""REST completeness that can't rot (issue 9): in the OpenAPI schema every GET that
lists entities answers a {items, count} page and takes `limit`, `offset`, `sort` and
its filters; a bare JSON array is only left where the answer is no entity list
(event names, the KPI catalogue, score buckets)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# GETs that answer a bare array: names, catalogue entries and buckets, no entities
NOT_ENTITY_LISTS = {
    "/api/v1/webhooks/events", "/api/v1/kpis/catalog", "/api/v1/scoring/distribution",
}

# the lists brought to the common contract by issue 9, with their filters
LISTS = {
    "/api/v1/teams": {"region", "q"},
    "/api/v1/pipelines": {"q", "is_default"},
    "/api/v1/lost-reasons": {"q", "active"},
    "/api/v1/sla": {"is_active", "period", "segment_region", "segment_team_id", "calendar_id"},
    "/api/v1/routing/rules": {"team_id", "is_active", "fallback_owner_id", "q"},
    "/api/v1/rejection-reasons": {"include_retired", "is_active", "needs_note", "q"},
    "/api/v1/sla/calendars": {"q", "time_zone"},
    "/api/v1/imports": {"status", "kind", "dry_run", "q"},
    "/api/v1/imports/{run_id}/issues": {"column", "line_from", "line_to", "q"},
    "/api/v1/campaigns/{campaign_id}/metrics": {"start", "end", "metric"},
    "/api/v1/campaigns/metrics": {"start", "end", "metric", "campaign_id", "channel"},
    "/api/v1/campaigns/{campaign_id}/costs": {"kind", "start", "end"},
    "/api/v1/quotas": {"owner_id", "year", "period"},
    "/api/v1/contacts/{contact_id}/identities": {"kind", "q"},
    "/api/v1/contacts/{contact_id}/history": {"to_stage", "cause", "start", "end"},
    "/api/v1/deals/{deal_id}/history": {"to_stage_id", "start", "end"},
    "/api/v1/deals/{deal_id}/line-items": {"product_id"},
    "/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/attempts": {"status", "answered"},
    "/api/v1/customers": {"q", "industry"},
    "/api/v1/tokens": {"read_only", "revoked"},
    "/api/v1/webhooks": {"is_active", "event", "q"},
    "/api/v1/webhooks/{webhook_id}/deliveries": {"event", "state", "last_status", "start",
                                                 "end"},
    "/api/v1/users": {"role", "team_id", "region", "q"},
    "/api/v1/notifications": {"unread", "kind"},
    "/api/v1/sources/{source_id}/forms": {"q", "enabled", "form_type"},
    "/api/v1/properties": {"object_type", "type", "q"},
    "/api/v1/scoring/models": {"is_active"},
    "/api/v1/scoring/predictive": {"target"},
    "/api/v1/scoring/rescores": {"finished", "model_version"},
    "/api/v1/contacts/{contact_id}/score/history": {"since", "before"},
    "/api/v1/companies/{company_id}/score/history": {"since", "before"},
    "/api/v1/routing/availability": {"team_id", "user_id", "is_away"},
    "/api/v1/funnel/records": {"stage", "start", "end", "period", "view", "stages"},
}


@pytest.fixture(scope="module")
def schema(django_db_setup: Any, django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _answer(schema: dict[str, Any], path: str) -> dict[str, Any]:
    responses = schema["paths"][path]["get"]["responses"]
    answer = (responses.get("200") or responses[200])["content"]["application/json"]["schema"]
    if "$ref" in answer:
        answer = schema["components"]["schemas"][answer["$ref"].rsplit("/", 1)[-1]]
    return answer


def test_only_what_is_no_entity_list_answers_a_bare_array(schema: dict[str, Any]) -> None:
    arrays = {path for path, operations in schema["paths"].items()
              if "get" in operations and "content" in str(operations["get"]["responses"])
              and _answer(schema, path).get("type") == "array"}
    assert arrays == NOT_ENTITY_LISTS


@pytest.mark.parametrize(("path", "filters"), LISTS.items())
def test_a_list_answers_a_page_and_takes_paging_sort_and_its_filters(
    schema: dict[str, Any], path: str, filters: set[str]
) -> None:
    answer = _answer(schema, path)
    assert answer["properties"]["items"]["type"] == "array", answer
    assert answer["properties"]["count"]["type"] == "integer"
    assert set(answer["required"]) >= {"items", "count"}
    parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]
                  if p["in"] == "query"}
    assert set(parameters) == {"limit", "offset", "sort"} | filters
    assert parameters["sort"]["description"]  # says which values sort how

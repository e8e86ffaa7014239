"""The scoring API: models and rules CRUD as versions, preview, distribution, and
GET /contacts/{id}/score with an explanation that sums to the score."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.testing.factories import make_contact, set_score

FORM = {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 50}


def test_anybody_with_a_role_reads_the_active_model(api_as: Any) -> None:
    response = api_as("rep").get("/api/v1/scoring/models/active")
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["threshold"], body["is_active"]) == (1, 60, True)
    assert body["fit_rules"][0]["operator"] == "range"
    listed = api_as("manager").get("/api/v1/scoring/models").json()
    assert listed["count"] == 1 and listed["items"][0]["version"] == 1


def test_marketing_changes_settings_as_a_new_version(api_as: Any) -> None:
    api = api_as("marketing")
    response = api.patch("/api/v1/scoring/models/active", {"threshold": 75, "note": "Q3"})
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["threshold"], body["created_by"]) == (2, 75, "marketing")
    assert body["change_note"] == "Q3; threshold: 60 -> 75"
    assert api.get("/api/v1/scoring/models/1").json()["threshold"] == 60


def test_rules_are_added_changed_and_removed_as_versions(api_as: Any) -> None:
    api = api_as("admin")
    added = api.post("/api/v1/scoring/models/active/engagement-rules",
                     {"event_type": "track", "event_name": "Trial Started", "points": 30})
    assert added.status_code == 201
    rule = next(r for r in added.json()["engagement_rules"] if r["event_name"] == "Trial Started")
    changed = api.patch(f"/api/v1/scoring/models/active/engagement-rules/{rule['id']}",
                        {"points": 35, "daily_cap": 35})
    new_rule = changed.json()["engagement_rules"][-1]
    assert (new_rule["points"], new_rule["daily_cap"], changed.json()["version"]) == (35, 35, 3)
    fit_id = changed.json()["fit_rules"][0]["id"]
    removed = api.delete(f"/api/v1/scoring/models/active/fit-rules/{fit_id}")
    assert removed.status_code == 200 and removed.json()["version"] == 4
    assert len(removed.json()["fit_rules"]) == len(changed.json()["fit_rules"]) - 1


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_sales_may_not_change_scoring(api_as: Any, role: str) -> None:
    response = api_as(role).patch("/api/v1/scoring/models/active", {"threshold": 1})
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_a_bad_rule_is_a_422_naming_the_field(api_as: Any) -> None:
    response = api_as("marketing").post(
        "/api/v1/scoring/models/active/fit-rules",
        {"field": "salary", "operator": "equals", "value": 1, "points": 5},
    )
    assert response.status_code == 422
    assert response.json()["field"] == "field"
    assert api_as("marketing").get("/api/v1/scoring/models").json()["count"] == 1


def test_a_rule_of_another_version_is_not_found(api_as: Any) -> None:
    api = api_as("marketing")
    old_rule = api.get("/api/v1/scoring/models/active").json()["fit_rules"][0]["id"]
    api.patch("/api/v1/scoring/models/active", {"threshold": 61})
    response = api.delete(f"/api/v1/scoring/models/active/fit-rules/{old_rule}")
    assert response.status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_preview_counts_mqls_under_a_draft_without_changing_anything(
    users: Any, api_as: Any
) -> None:
    a_model(users["marketing"], threshold=60, engagement=[FORM])
    for _ in range(3):
        event(make_contact(), "track", "Form Submitted")
    make_contact()
    api = api_as("marketing")
    strict = api.post("/api/v1/scoring/preview", {}).json()
    lenient = api.post("/api/v1/scoring/preview", {"threshold": 40}).json()
    assert strict == {"contacts": 4, "qualifying": 0, "new_mqls": 0}
    assert lenient == {"contacts": 4, "qualifying": 3, "new_mqls": 3}
    draft = api.post("/api/v1/scoring/preview", {"engagement_rules": [{**FORM, "points": 60}]})
    assert draft.json()["new_mqls"] == 3
    assert api.get("/api/v1/scoring/models").json()["count"] == 2


@time_machine.travel(NOW, tick=False)
def test_a_contacts_score_is_explained_and_sums_up(users: Any, api_as: Any) -> None:
    a_model(users["marketing"], half_life_days=30, fit=[
        {"label": "VP", "field": "title", "operator": "contains", "value": "VP", "points": 10},
    ], engagement=[FORM, {"label": "Page", "event_type": "page", "points": 1}])
    lead = make_contact(title="VP Ops")
    event(lead, "track", "Form Submitted")
    event(lead, "page", at=NOW - dt.timedelta(days=30))
    response = api_as("rep").get(f"/api/v1/contacts/{lead.pk}/score")
    assert response.status_code == 200
    body = response.json()
    assert (body["fit"], body["engagement"], body["total"]) == (10, 51, 61)
    assert sum(item["points"] for item in body["explanation"]) == body["total"]
    page = next(i for i in body["explanation"] if i["label"] == "Page")
    assert (page["points_before_decay"], page["points_after_decay"]) == (1, "0.500000")
    assert body["predictive_probability"] is None


def test_the_score_of_an_unknown_contact_is_a_404(api_as: Any) -> None:
    assert api_as("rep").get("/api/v1/contacts/999999/score").status_code == 404


def test_the_distribution_counts_contacts_per_bucket(api_as: Any) -> None:
    for score in (5, 7, 31):
        contact = make_contact()
        set_score(contact, score)
    buckets = api_as("rep").get("/api/v1/scoring/distribution", width=10).json()
    assert [(b["low"], b["contacts"]) for b in buckets] == [(0, 2), (10, 0), (20, 0), (30, 1)]

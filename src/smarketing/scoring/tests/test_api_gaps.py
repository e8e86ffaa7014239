"""REST gaps filled for issue 9: a company's score and the score history of a contact
and a company; predictive models listed, read and trained over the API; full rescore
runs listed, read and started (the worker runs them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.core.jobs import run_burst
from smarketing.core.models import Job
from smarketing.scoring.models import PredictiveModel, RescoreRun
from smarketing.scoring.scoring import score_contacts
from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.scoring.tests.test_predictive import outcomes
from smarketing.testing.factories import make_company, make_contact

pytestmark = pytest.mark.django_db
FORM = {"event_type": "track", "event_name": "Form Submitted", "points": 40}
DEMO = {"event_type": "track", "event_name": "Demo Requested", "points": 25}
HOUR = dt.timedelta(hours=1)


def _scored_account(users: dict[str, Any]) -> tuple[Any, Any, Any]:
    """Acme with Ada (form at NOW-2h, then demo at NOW) and Bob (demo), scored twice."""
    with time_machine.travel(NOW - 3 * HOUR, tick=False) as clock:
        a_model(users["marketing"], threshold=1000, engagement=[FORM, DEMO],
                account_aggregate="sum")
        acme = make_company(name="Acme")
        ada = make_contact(company=acme, first_name="Ada", last_name="L")
        bob = make_contact(company=acme, first_name="Bob", last_name="M")
        event(ada, "track", "Form Submitted", at=NOW - 2 * HOUR)
        clock.move_to(NOW - HOUR)
        score_contacts(contact_ids=[ada.pk])
        event(ada, "track", "Demo Requested")
        event(bob, "track", "Demo Requested")
        clock.move_to(NOW)
        score_contacts(contact_ids=[ada.pk, bob.pk])
    return acme, ada, bob


def test_a_companys_score_is_its_contacts_aggregate_with_the_top_contacts(
    users: dict[str, Any], api_as: Any
) -> None:
    acme, ada, bob = _scored_account(users)
    response = api_as("rep").get(f"/api/v1/companies/{acme.pk}/score")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["account_aggregate"], body["total"], body["engagement"]) == ("sum", 90, 90)
    assert (body["contacts"], body["fit"], body["threshold"]) == (2, 0, 1000)
    assert body["scored_at"].startswith("2026-06-15T12:00:00")
    assert [(c["name"], c["total"]) for c in body["top_contacts"]] == [
        ("Ada L", 65), ("Bob M", 25)]


def test_a_company_never_scored_answers_zeros_and_an_unknown_one_is_404(
    users: dict[str, Any], api_as: Any
) -> None:
    empty = make_company(name="Empty")
    body = api_as("marketing").get(f"/api/v1/companies/{empty.pk}/score").json()
    assert (body["total"], body["contacts"], body["scored_at"], body["top_contacts"]) == (
        0, 0, None, [])
    missing = api_as("marketing").get("/api/v1/companies/999999/score")
    assert (missing.status_code, missing.json()["field"]) == (404, "id")


def test_a_contacts_score_history_is_newest_first_in_pages(
    users: dict[str, Any], api_as: Any
) -> None:
    _, ada, _ = _scored_account(users)
    api = api_as("manager")
    body = api.get(f"/api/v1/contacts/{ada.pk}/score/history").json()
    assert body["count"] == 2
    assert [(c["previous_total"], c["total"]) for c in body["items"]] == [(40, 65), (0, 40)]
    assert body["items"][0]["model_version"] == 2 and body["items"][0]["contact_id"] == ada.pk
    second = api.get(f"/api/v1/contacts/{ada.pk}/score/history", limit=1, offset=1).json()
    assert [c["total"] for c in second["items"]] == [40]
    older = api.get(f"/api/v1/contacts/{ada.pk}/score/history",
                    before="2026-06-15T11:30:00Z").json()
    assert [c["total"] for c in older["items"]] == [40]


def test_a_companys_score_history_holds_its_contacts_changes(
    users: dict[str, Any], api_as: Any
) -> None:
    acme, ada, bob = _scored_account(users)
    make_contact(company=make_company(name="Other"))
    body = api_as("rep").get(f"/api/v1/companies/{acme.pk}/score/history").json()
    assert body["count"] == 3
    assert {c["contact_id"] for c in body["items"]} == {ada.pk, bob.pk}
    recent = api_as("rep").get(f"/api/v1/companies/{acme.pk}/score/history",
                               since="2026-06-15T11:30:00Z").json()
    assert recent["count"] == 2


def test_bad_history_parameters_name_their_field(users: dict[str, Any], api_as: Any) -> None:
    _, ada, _ = _scored_account(users)
    api = api_as("rep")
    limit = api.get(f"/api/v1/contacts/{ada.pk}/score/history", limit=501)
    assert (limit.status_code, limit.json()["field"]) == (422, "limit")
    since = api.get(f"/api/v1/contacts/{ada.pk}/score/history", since="yesterday")
    assert (since.status_code, since.json()["field"]) == (422, "since")
    missing = api.get("/api/v1/contacts/999999/score/history")
    assert (missing.status_code, missing.json()["field"]) == (404, "id")


@time_machine.travel(NOW, tick=False)
def test_marketing_trains_the_predictive_model_and_reads_its_report(
    users: dict[str, Any], api_as: Any
) -> None:
    outcomes(120)
    api = api_as("marketing")
    trained = api.post("/api/v1/scoring/predictive/train", {"min_outcomes": 15})
    assert trained.status_code == 201, trained.content
    body = trained.json()
    assert (body["version"], body["target"], body["trained_by"]) == (1, "customer", "marketing")
    assert body["outcome"] == {"target": "customer", "stale_days": 180, "min_outcomes": 15}
    assert 0.5 < body["holdout_auc"] <= 1 and body["positives"] + body["negatives"] == 120
    assert [row["decile"] for row in body["calibration"]] == list(range(1, 11))
    assert body["top_factors"] and body["train_rows"] + body["holdout_rows"] == 120
    listed = api_as("rep").get("/api/v1/scoring/predictive").json()
    assert listed["count"] == 1 and listed["items"][0]["holdout_auc"] == body["holdout_auc"]
    one = api_as("rep").get("/api/v1/scoring/predictive/1").json()
    assert one["calibration"] == body["calibration"]
    missing = api_as("rep").get("/api/v1/scoring/predictive/7")
    assert (missing.status_code, missing.json()["field"]) == (404, "version")


@time_machine.travel(NOW, tick=False)
def test_training_with_too_few_outcomes_is_a_422_saying_how_many_are_needed(
    api_as: Any
) -> None:
    outcomes(30)
    response = api_as("admin").post("/api/v1/scoring/predictive/train", {})
    body = response.json()
    assert (response.status_code, body["field"]) == (422, "outcomes")
    assert "at least 50 of each are needed" in body["detail"]
    assert not PredictiveModel.objects.exists()


def test_training_input_is_checked_and_sales_may_not_train(api_as: Any) -> None:
    target = api_as("admin").post("/api/v1/scoring/predictive/train", {"target": "lead"})
    assert (target.status_code, target.json()["field"]) == (422, "target")
    floor = api_as("admin").post("/api/v1/scoring/predictive/train", {"min_outcomes": 1})
    assert (floor.status_code, floor.json()["field"]) == (422, "min_outcomes")
    for role in ("rep", "manager"):
        refused = api_as(role).post("/api/v1/scoring/predictive/train", {})
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), role
    assert not PredictiveModel.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_marketing_starts_a_full_rescore_that_the_worker_runs_and_it_is_polled(
    users: dict[str, Any], api_as: Any, django_capture_on_commit_callbacks: Any
) -> None:
    model = a_model(users["marketing"], threshold=1000, engagement=[FORM])
    RescoreRun.objects.all().delete()
    Job.objects.all().delete()
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    with django_capture_on_commit_callbacks(execute=True):
        started = api_as("marketing").post("/api/v1/scoring/rescores")
    assert started.status_code == 202, started.content
    run = started.json()
    assert (run["state"], run["model_version"], run["percent"]) == ("queued", model.version, 0)
    again = api_as("admin").post("/api/v1/scoring/rescores")
    assert (again.status_code, again.json()["id"]) == (202, run["id"])
    assert run_burst("test") >= 1
    done = api_as("rep").get(f"/api/v1/scoring/rescores/{run['id']}").json()
    assert (done["state"], done["percent"], done["contacts"], done["changed"]) == (
        "finished", 100, 1, 1)
    listed = api_as("rep").get("/api/v1/scoring/rescores").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == run["id"]


def test_sales_may_not_start_a_rescore_and_an_unknown_run_is_404(api_as: Any) -> None:
    before = RescoreRun.objects.count()
    for role in ("rep", "manager"):
        refused = api_as(role).post("/api/v1/scoring/rescores")
        assert refused.status_code == 403, role
    assert RescoreRun.objects.count() == before
    missing = api_as("rep").get("/api/v1/scoring/rescores/999999")
    assert (missing.status_code, missing.json()["field"]) == (404, "run_id")


def test_the_model_history_pages_and_names_a_bad_limit(users: dict[str, Any], api_as: Any) -> None:
    a_model(users["marketing"], threshold=70)
    a_model(users["marketing"], threshold=80)
    api = api_as("rep")
    second = api.get("/api/v1/scoring/models", limit=1, offset=1).json()
    assert ([m["threshold"] for m in second["items"]], second["count"]) == ([70], 3)
    bad = api.get("/api/v1/scoring/models", limit=0)
    assert (bad.status_code, bad.json()["field"]) == (422, "limit")

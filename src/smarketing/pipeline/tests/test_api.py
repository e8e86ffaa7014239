"""The deals, line items, activities and quotas API: shapes, effects and errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.people.models import Contact, Stage
from smarketing.pipeline.models import Deal, DealStatus
from smarketing.pipeline.tests.factories import make_deal, make_product, reason, stage
from smarketing.testing.factories import make_company, make_contact

pytestmark = pytest.mark.django_db


def test_a_rep_opens_a_deal_and_its_contacts_become_opportunities(
    users: dict[str, Any], api_as: Any
) -> None:
    ada = make_contact(Stage.SQL, original_campaign="Ebook")
    company = make_company(name="Engines")
    response = api_as("rep").post("/api/v1/deals", {
        "name": "Engines platform", "amount": "12000.50", "expected_close_date": "2026-06-30",
        "company_id": company.pk,
        "contacts": [{"contact_id": ada.pk, "role": "champion", "is_primary": True}],
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["amount"] == "12000.50"
    assert (body["owner_id"], body["stage"], body["status"]) == (users["rep"].pk, "Discovery",
                                                                 "open")
    assert (body["source_campaign"], body["forecast_category"]) == ("Ebook", "pipeline")
    assert body["contacts"] == [{"contact_id": ada.pk, "role": "champion", "is_primary": True}]
    assert Contact.objects.get(pk=ada.pk).lifecycle_stage == Stage.OPPORTUNITY


def test_a_rep_may_not_give_a_deal_to_another_team(users: dict[str, Any], api_as: Any) -> None:
    response = api_as("rep").post("/api/v1/deals", {
        "name": "X", "expected_close_date": "2026-06-30", "owner_id": users["rep_other"].pk})
    assert response.status_code == 403
    assert response.json()["field"] == "owner_id"
    assert not Deal.objects.exists()


def test_losing_by_moving_needs_a_reason_named_in_the_error(
    users: dict[str, Any], api_as: Any
) -> None:
    deal = make_deal(users["rep"])
    api = api_as("rep")
    refused = api.post(f"/api/v1/deals/{deal.pk}/move", {"stage_id": stage("Closed Lost").pk})
    assert refused.status_code == 422
    assert refused.json()["field"] == "lost_reason"
    lost = api.post(f"/api/v1/deals/{deal.pk}/move", {
        "stage_id": stage("Closed Lost").pk, "lost_reason_id": reason("Timing").pk,
        "lost_note": "Next year"})
    assert lost.status_code == 200
    assert (lost.json()["status"], lost.json()["lost_reason"]) == ("lost", "Timing")


def test_win_reopen_and_history(users: dict[str, Any], api_as: Any) -> None:
    deal = make_deal(users["rep"], stage_name="Proposal")
    api = api_as("rep")
    assert api.post(f"/api/v1/deals/{deal.pk}/win").json()["status"] == "won"
    reopened = api.post(f"/api/v1/deals/{deal.pk}/reopen", {}).json()
    assert (reopened["status"], reopened["stage"], reopened["closed_at"]) == ("open", "Proposal",
                                                                              None)
    history = api.get(f"/api/v1/deals/{deal.pk}/history").json()["items"]
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [
        ("", "Proposal"), ("Proposal", "Closed Won"), ("Closed Won", "Proposal")]


def test_line_items_set_the_amount_as_a_decimal_string(
    users: dict[str, Any], api_as: Any
) -> None:
    deal = make_deal(users["rep"], amount="999")
    seats = make_product(name="Seats", price="33.33")
    api = api_as("rep")
    added = api.post(f"/api/v1/deals/{deal.pk}/line-items", {
        "product_id": seats.pk, "quantity": 3, "discount_percent": "5"})
    assert added.status_code == 201
    assert added.json()["amount"] == "94.99"  # 99.99 * 0.95 = 94.9905
    assert api.get(f"/api/v1/deals/{deal.pk}").json()["amount"] == "94.99"
    refused = api.patch(f"/api/v1/deals/{deal.pk}", {"amount": "5"})
    assert (refused.status_code, refused.json()["field"]) == (422, "amount")


def test_an_unknown_field_is_refused_by_name(users: dict[str, Any], api_as: Any) -> None:
    response = api_as("rep").post("/api/v1/deals", {
        "name": "X", "expected_close_date": "2026-06-30", "probability": 1})
    assert response.status_code == 422
    assert not Deal.objects.exists()


def test_deals_filter_by_owner_status_and_close_period(
    users: dict[str, Any], api_as: Any
) -> None:
    make_deal(users["rep"], close=dt.date(2026, 4, 10), name="April")
    make_deal(users["rep"], close=dt.date(2026, 7, 10), name="July")
    make_deal(users["rep_other"], close=dt.date(2026, 4, 20), name="Other April")
    api = api_as("manager")
    april = api.get("/api/v1/deals", close_from="2026-04-01", close_to="2026-07-01").json()
    assert sorted(d["name"] for d in april["items"]) == ["April", "Other April"]
    mine = api.get("/api/v1/deals", owner_id=users["rep"].pk).json()
    assert mine["count"] == 2
    team = api.get("/api/v1/deals", team_id=users["manager"].profile.team_id).json()
    assert sorted(d["name"] for d in team["items"]) == ["April", "July"]
    assert api.get("/api/v1/deals", status=DealStatus.WON).json()["count"] == 0


def test_activities_are_logged_and_listed_by_contact(users: dict[str, Any], api_as: Any) -> None:
    ada = make_contact(Stage.MQL)
    api = api_as("rep")
    logged = api.post("/api/v1/activities", {
        "kind": "call", "subject": "First call", "outcome": "Left voicemail",
        "contact_id": ada.pk})
    assert logged.status_code == 201 and logged.json()["done_at"] is not None
    task = api.post("/api/v1/activities", {
        "kind": "task", "subject": "Call again", "contact_id": ada.pk,
        "due_at": "2026-05-01T09:00:00Z"}).json()
    assert task["done_at"] is None
    done = api.post(f"/api/v1/activities/{task['id']}/complete", {"outcome": "Reached"})
    assert done.json()["outcome"] == "Reached"
    listed = api.get("/api/v1/activities", contact_id=ada.pk).json()
    assert listed["count"] == 2


def test_a_manager_sets_a_team_members_quota_not_anothers(
    users: dict[str, Any], api_as: Any
) -> None:
    api = api_as("manager")
    ok = api.post("/api/v1/quotas", {"owner_id": users["rep"].pk, "period": "month",
                                     "start": "2026-05-01", "amount": "30000"})
    assert ok.status_code == 201 and ok.json()["amount"] == "30000.00"
    refused = api.post("/api/v1/quotas", {"owner_id": users["rep_other"].pk, "period": "month",
                                          "start": "2026-05-01", "amount": "30000"})
    assert refused.status_code == 403
    bad = api.post("/api/v1/quotas", {"owner_id": users["rep"].pk, "period": "month",
                                      "start": "2026-05-02", "amount": "1"})
    assert (bad.status_code, bad.json()["field"]) == (422, "start")


def test_pipelines_list_their_stages(users: dict[str, Any], api_as: Any) -> None:
    body = api_as("marketing").get("/api/v1/pipelines").json()
    assert [s["name"] for s in body["items"][0]["stages"]][:2] == ["Discovery", "Demo"]

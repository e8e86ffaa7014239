"""POST /api/v1/bulk/{contacts,companies,deals,activities}: up to 1,000 items, one
transaction, every refused item reported by index, upsert by a key."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smarketing.integrations.services import token_create
from smarketing.people.models import Company, Contact
from smarketing.pipeline.models import Activity, Deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def test_a_thousand_contacts_are_created_in_one_call(api_as: Any) -> None:
    items = [{"email": f"c{n}@example.com", "first_name": f"C{n}"} for n in range(1000)]
    response = api_as("marketing").post("/api/v1/bulk/contacts", {"items": items})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["count"], body["created"], body["updated"]) == (1000, 1000, 0)
    assert body["items"][999]["index"] == 999
    assert Contact.objects.count() == 1000


def test_one_bad_item_refuses_the_call_naming_each_bad_index(api_as: Any) -> None:
    items = [
        {"email": "ok@example.com"},
        {"email": "not-an-email"},
        {"email": "b@example.com", "lifecycle_stage": "unicorn"},
        {"emial": "typo@example.com"},
        "not an object",
    ]
    response = api_as("marketing").post("/api/v1/bulk/contacts", {"items": items})
    assert response.status_code == 422
    body = response.json()
    assert body["field"] == "items" and "4 of 5 items were refused" in body["detail"]
    assert [(e["index"], e["field"]) for e in body["errors"]] == [
        (1, "email"), (2, "lifecycle_stage"), (3, "emial"), (4, "item"),
    ]
    assert not Contact.objects.exists()  # all or nothing


def test_upsert_by_email_updates_matches_and_creates_the_rest(api_as: Any) -> None:
    known = make_contact(email="ada@example.com", first_name="Ada")
    items = [{"email": "ADA@example.com", "title": "CTO"}, {"email": "new@example.com"}]
    body = api_as("marketing").post(
        "/api/v1/bulk/contacts", {"items": items, "upsert_by": "email"}
    ).json()
    assert [(i["id"] == known.pk, i["action"]) for i in body["items"]] == [
        (True, "updated"), (False, "created"),
    ]
    known.refresh_from_db()
    assert (known.title, known.first_name) == ("CTO", "Ada")


def test_companies_upsert_by_domain_and_id(api_as: Any) -> None:
    api = api_as("admin")
    first = api.post("/api/v1/bulk/companies", {"items": [
        {"name": "Acme", "domain": "acme.com"}, {"name": "Globex", "domain": "globex.com"},
    ]}).json()
    acme_id = first["items"][0]["id"]
    second = api.post("/api/v1/bulk/companies", {"upsert_by": "domain", "items": [
        {"name": "Acme Inc", "domain": "acme.com"},
    ]}).json()
    assert second["updated"] == 1 and Company.objects.get(pk=acme_id).name == "Acme Inc"
    by_id = api.post("/api/v1/bulk/companies", {"upsert_by": "id", "items": [
        {"id": acme_id, "industry": "Anvils"}, {"id": 999999, "name": "Ghost"},
    ]})
    assert by_id.status_code == 422
    assert by_id.json()["errors"] == [{
        "index": 1, "field": "id", "detail": "id: no record 999999 to update", "code": "invalid",
    }]
    assert Company.objects.get(pk=acme_id).industry == ""


def test_deals_and_activities_in_bulk_with_their_permissions(
    api_as: Any, users: dict[str, Any]
) -> None:
    deals = api_as("rep").post("/api/v1/bulk/deals", {"items": [
        {"name": f"Deal {n}", "amount": "100.00", "expected_close_date": "2026-12-01"}
        for n in range(3)
    ]})
    assert deals.status_code == 200, deals.content
    assert set(Deal.objects.values_list("owner__username", flat=True)) == {"rep1"}
    deal_id = deals.json()["items"][0]["id"]
    refused = api_as("rep_other").post("/api/v1/bulk/deals", {"upsert_by": "id", "items": [
        {"id": deal_id, "name": "Mine now"},
    ]})
    assert refused.status_code == 422 and refused.json()["errors"][0]["code"] == "not_found"
    logged = api_as("rep").post("/api/v1/bulk/activities", {"items": [
        {"kind": "call", "subject": "Intro", "deal_id": deal_id},
        {"kind": "email", "subject": "Follow-up", "deal_id": deal_id},
    ]})
    assert logged.json()["created"] == 2 and Activity.objects.count() == 2
    no_upsert = api_as("rep").post("/api/v1/bulk/activities", {"upsert_by": "id", "items": [
        {"kind": "call", "subject": "x", "deal_id": deal_id}]})
    assert no_upsert.json()["field"] == "upsert_by"


def test_the_call_size_and_kind_are_checked(api_as: Any) -> None:
    api = api_as("admin")
    too_many = api.post("/api/v1/bulk/contacts", {"items": [{}] * 1001})
    assert too_many.status_code == 422 and too_many.json()["field"] == "items"
    assert api.post("/api/v1/bulk/contacts", {"items": []}).json()["field"] == "items"
    assert api.post("/api/v1/bulk/unicorns", {"items": [{}]}).status_code == 404


def test_a_read_only_token_cannot_bulk_write(users: dict[str, Any]) -> None:
    _, raw = token_create(user=users["admin"], read_only=True)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = client.post("/api/v1/bulk/contacts", {"items": [{"email": "a@example.com"}]},
                           content_type="application/json")
    assert response.status_code == 403 and not Contact.objects.exists()

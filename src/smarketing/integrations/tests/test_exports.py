"""CSV export of every list with its current filters, streamed (API and UI)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client

from smarketing.campaigns.tests.factories import make_campaign
from smarketing.core.export import CHUNK
from smarketing.people.models import Stage
from smarketing.pipeline.services import activity_log
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_company, make_contact

pytestmark = pytest.mark.django_db


def rows_of(response: Any) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse), "exports are streamed"
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def _browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_contacts_export_keeps_the_list_filters(api_as: Any) -> None:
    acme = make_company(name="Acme", domain="acme.com")
    make_contact(Stage.MQL, email="ada@acme.com", first_name="Ada", company=acme, title="CTO")
    make_contact(Stage.LEAD, email="bob@example.com", first_name="Bob")
    rows = rows_of(api_as("rep").get("/api/v1/contacts/export.csv", stage="mql"))
    assert [(r["email"], r["company"], r["lifecycle_stage"]) for r in rows] == [
        ("ada@acme.com", "Acme", "mql")
    ]
    assert rows[0]["became_mql_at"] and rows[0]["title"] == "CTO"
    assert rows[0]["properties"] == "{}"
    everyone = rows_of(api_as("rep").get("/api/v1/contacts/export.csv", sort="email"))
    assert [r["email"] for r in everyone] == ["ada@acme.com", "bob@example.com"]


def test_a_bad_filter_is_refused_naming_the_field(api_as: Any) -> None:
    response = api_as("rep").get("/api/v1/contacts/export.csv", stage="nope")
    assert response.status_code == 422 and response.json()["field"] == "stage"


def test_companies_deals_activities_and_campaigns_export(
    api_as: Any, users: dict[str, Any]
) -> None:
    make_company(name="Acme", region="NA")
    make_company(name="Globex", region="EMEA")
    won = make_deal(users["rep"], name="Big one", amount="1200.50")
    make_deal(users["rep_b"], name="Small one")
    activity_log(actor=users["rep"], kind="call", subject="Intro", deal=won)
    make_campaign("Spring webinar", channel="events_webinars")
    api = api_as("admin")
    companies = rows_of(api.get("/api/v1/companies/export.csv", region="EMEA"))
    assert [c["name"] for c in companies] == ["Globex"]
    deals = rows_of(api.get("/api/v1/deals/export.csv", owner_id=users["rep"].pk))
    assert [(d["name"], d["amount"], d["stage"], d["owner"]) for d in deals] == [
        ("Big one", "1200.50", "Discovery", "rep1")
    ]
    activities = rows_of(api.get("/api/v1/activities/export.csv", deal_id=won.pk))
    assert [(a["kind"], a["subject"]) for a in activities] == [("call", "Intro")]
    campaigns = rows_of(api.get("/api/v1/campaigns/export.csv", channel="events_webinars"))
    assert [c["name"] for c in campaigns] == ["Spring webinar"]


def test_the_ui_buttons_export_what_the_list_shows(users: dict[str, Any]) -> None:
    make_contact(Stage.MQL, email="ada@acme.com")
    make_contact(Stage.LEAD, email="bob@example.com")
    make_deal(users["rep"], name="Mine")
    make_deal(users["rep_b"], name="Theirs")
    client = _browser(users["manager"])
    page = client.get("/contacts/", {"stage": "lead"}).content.decode()
    assert 'data-testid="export-csv"' in page
    contacts = rows_of(client.get("/contacts/export.csv", {"stage": "lead"}))
    assert [c["email"] for c in contacts] == ["bob@example.com"]
    deals = rows_of(client.get("/deals/export.csv", {"owner": users["rep_b"].pk}))
    assert [d["name"] for d in deals] == ["Theirs"]
    assert client.get("/contacts/export.csv", {"stage": "nope"}).status_code == 400


def test_a_long_list_streams_in_chunks_with_every_row(api_as: Any) -> None:
    for n in range(CHUNK + 5):
        make_company(name=f"Company {n:05d}")
    rows = rows_of(api_as("admin").get("/api/v1/companies/export.csv"))
    assert len(rows) == CHUNK + 5 and rows[-1]["name"] == f"Company {CHUNK + 4:05d}"

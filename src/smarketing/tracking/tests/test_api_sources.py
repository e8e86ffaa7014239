"""/api/v1/sources: marketing and admins manage sources; the write key is shown once."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Source
from smarketing.tracking.services import source_for_key


def test_creating_a_source_returns_its_write_key_once(api_as: Any) -> None:
    api = api_as("marketing")
    response = api.post("/api/v1/sources", {"name": "Website", "kind": "website"})
    assert response.status_code == 201
    created = response.json()
    source = Source.objects.get()
    assert source_for_key(created["write_key"]) == source
    assert created["key_prefix"] == created["write_key"][:10]
    listed = api.get("/api/v1/sources").json()
    assert listed["count"] == 1
    assert "write_key" not in listed["items"][0]
    assert created["write_key"] not in str(listed)


def test_rotating_a_key_returns_the_new_one_and_kills_the_old(api_as: Any) -> None:
    api = api_as("admin")
    old = api.post("/api/v1/sources", {"name": "Backend", "kind": "server"}).json()
    new = api.post(f"/api/v1/sources/{old['id']}/rotate-key").json()
    assert source_for_key(old["write_key"]) is None
    assert source_for_key(new["write_key"]).pk == old["id"]


def test_an_unknown_kind_or_field_is_refused_naming_it(api_as: Any) -> None:
    api = api_as("admin")
    assert api.post("/api/v1/sources", {"name": "X", "kind": "fax"}).status_code == 422
    response = api.post("/api/v1/sources", {"name": "X", "secret": 1})
    assert response.status_code == 422 and "secret" in response.content.decode()


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_sales_roles_may_not_manage_sources(api_as: Any, role: str) -> None:
    api = api_as(role)
    assert api.get("/api/v1/sources").status_code == 403
    assert api.post("/api/v1/sources", {"name": "X"}).status_code == 403
    assert Source.objects.count() == 0


def test_a_write_key_cannot_read_the_api(api_as: Any, write_key: str) -> None:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {write_key}")
    assert client.get("/api/v1/sources").status_code == 401
    assert client.get("/api/v1/contacts").status_code == 401


def test_the_contact_timeline_interleaves_events_and_stage_changes(
    api_as: Any, tracker: Any
) -> None:
    contact = make_contact(email="tl@example.com", stage="subscriber", cause="import")
    tracker.post("batch", {"batch": [
        {"type": "identify", "userId": "u-1", "messageId": "1",
         "traits": {"email": "tl@example.com"}, "timestamp": "2030-01-01T00:00:00Z"},
        {"type": "page", "userId": "u-1", "messageId": "2",
         "properties": {"url": "https://acme.com/pricing"}},
        {"type": "track", "userId": "u-1", "messageId": "3", "event": "Demo Requested"},
    ]})
    body = api_as("admin").get(f"/api/v1/contacts/{contact.pk}/timeline").json()
    kinds = [(item["kind"], item["title"]) for item in body["items"]]
    assert ("event", "Demo Requested") in kinds
    assert ("event", "Viewed /pricing") in kinds
    assert [k for k, _ in kinds].count("stage_change") == 2  # imported, then lead by tracking


def test_marketing_reads_renames_and_disables_a_source(api_as: Any, source: Source) -> None:
    api = api_as("marketing")
    one = api.get(f"/api/v1/sources/{source.pk}").json()
    assert (one["name"], one["enabled"]) == ("Website", True) and "write_key" not in one
    changed = api.patch(f"/api/v1/sources/{source.pk}", {"name": " Shop ", "enabled": False})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["enabled"]) == ("Shop", False)
    assert Source.objects.values_list("name", "enabled").get() == ("Shop", False)


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_sales_roles_may_not_read_or_change_one_source(
    api_as: Any, source: Source, role: str
) -> None:
    api = api_as(role)
    assert api.get(f"/api/v1/sources/{source.pk}").status_code == 403
    refused = api.patch(f"/api/v1/sources/{source.pk}", {"enabled": False})
    assert (refused.status_code, refused.json()["field"]) == (403, "role")
    assert Source.objects.get().enabled


def test_a_blank_name_or_unknown_source_is_refused_naming_the_field(
    api_as: Any, source: Source
) -> None:
    api = api_as("admin")
    blank = api.patch(f"/api/v1/sources/{source.pk}", {"name": "   "})
    assert (blank.status_code, blank.json()["field"]) == (422, "name")
    missing = api.get(f"/api/v1/sources/{source.pk + 99}")
    assert (missing.status_code, missing.json()["field"]) == (404, "source_id")
    assert Source.objects.get().name == "Website"


def test_sources_are_filtered_sorted_and_paged(api_as: Any) -> None:
    api = api_as("marketing")
    for name, kind in (("Web", "website"), ("App", "server"), ("Mailer", "email_tool")):
        api.post("/api/v1/sources", {"name": name, "kind": kind})
    web = Source.objects.get(name="Web")
    api.patch(f"/api/v1/sources/{web.pk}", {"enabled": False})

    def names(**params: Any) -> list[str]:
        return [s["name"] for s in api.get("/api/v1/sources", **params).json()["items"]]

    assert names() == ["App", "Mailer", "Web"]
    assert names(kind="server") == ["App"]
    assert names(enabled="false") == ["Web"]
    assert names(sort="-created_at", limit=2) == ["Mailer", "App"]
    page = api.get("/api/v1/sources", limit=1, offset=2).json()
    assert ([s["name"] for s in page["items"]], page["count"]) == (["Web"], 3)


@pytest.mark.parametrize(("params", "field"), [
    ({"sort": "key_hash"}, "sort"), ({"kind": "fax"}, "kind"), ({"limit": 0}, "limit"),
])
def test_a_bad_source_list_parameter_is_named(
    api_as: Any, params: dict[str, Any], field: str
) -> None:
    response = api_as("admin").get("/api/v1/sources", **params)
    assert (response.status_code, response.json()["field"]) == (422, field)

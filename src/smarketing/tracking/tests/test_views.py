"""Sources pages: marketing and admins create sources, see the key once, rotate it, and
watch the debugger."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smarketing.tracking.models import Source
from smarketing.tracking.services import source_create, source_for_key


@pytest.fixture
def as_user(users: dict[str, Any]) -> Any:
    def client_for(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client
    return client_for


def test_creating_a_source_shows_its_key_once(as_user: Any) -> None:
    client = as_user("marketing")
    response = client.post("/sources/", {"name": "Blog", "kind": "website"}, follow=True)
    source = Source.objects.get()
    key = response.context["write_key"]
    assert source_for_key(key) == source
    assert key in response.content.decode()
    again = client.get(f"/sources/{source.pk}/").content.decode()
    assert key not in again and source.key_prefix in again


def test_a_source_without_name_is_refused_with_the_form(as_user: Any) -> None:
    response = as_user("admin").post("/sources/", {"name": "", "kind": "website"})
    assert response.status_code == 400
    assert Source.objects.count() == 0


def test_rotating_the_key_shows_the_new_one(as_user: Any) -> None:
    source, old = source_create(actor=None, name="Site", kind="website")
    response = as_user("admin").post(f"/sources/{source.pk}/rotate/", follow=True)
    new = response.context["write_key"]
    assert source_for_key(old) is None and source_for_key(new) == source


def test_the_debugger_lists_stored_duplicate_and_rejected_messages(
    as_user: Any, tracker: Any, source: Source
) -> None:
    tracker.post("batch", {"batch": [
        {"type": "track", "anonymousId": "a", "event": "Clicked", "messageId": "1"},
        {"type": "track", "anonymousId": "a", "event": "Clicked", "messageId": "1"},
        {"type": "track", "anonymousId": "a", "messageId": "2"},
    ]})
    response = as_user("marketing").get(f"/sources/{source.pk}/debugger/")
    statuses = sorted(row.status for row in response.context["rows"])
    assert statuses == ["duplicate", "rejected", "stored"]
    assert "a track message needs an event name" in response.content.decode()


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_sales_roles_may_not_open_sources(as_user: Any, role: str) -> None:
    assert as_user(role).get("/sources/").status_code == 403


def test_signed_out_visitors_are_sent_to_log_in(db: Any) -> None:
    response = Client().get("/sources/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_the_contact_activity_interleaves_events_and_stage_changes(
    as_user: Any, tracker: Any
) -> None:
    tracker.post("batch", {"batch": [
        {"type": "page", "anonymousId": "v", "messageId": "1",
         "properties": {"url": "https://acme.com/pricing"}},
        {"type": "identify", "anonymousId": "v", "messageId": "2",
         "traits": {"email": "act@example.com"}},
        {"type": "track", "anonymousId": "v", "messageId": "3", "event": "Demo Requested"},
    ]})
    from smarketing.people.models import Contact

    contact = Contact.objects.get()
    response = as_user("rep").get(f"/contacts/{contact.pk}/activity/")
    kinds = [item.kind for item in response.context["items"]]
    titles = [item.title for item in response.context["items"]]
    assert kinds.count("event") == 3 and kinds.count("stage_change") == 1  # created a lead
    assert "Viewed /pricing" in titles and "Demo Requested" in titles
    assert as_user("rep").get("/contacts/999999/activity/").status_code == 404
    assert Client().get(f"/contacts/{contact.pk}/activity/").status_code == 401

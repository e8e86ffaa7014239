"""Hosted lead-capture forms: served publicly, submissions stitched like the tracking path."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import Contact
from smarketing.tracking.forms_hosted import SUBMISSIONS_PER_MINUTE, form_create
from smarketing.tracking.models import DebugMessage, Event, HostedForm, Source

FIELDS = [
    {"name": "email", "label": "Work email", "type": "email", "required": True},
    {"name": "first_name", "label": "First name", "type": "text", "required": True},
    {"name": "company", "label": "Company", "type": "text"},
]


@pytest.fixture
def ebook(source: Source) -> HostedForm:
    cache.clear()
    return form_create(
        actor=None, name="Get the ebook", slug="ebook", source=source, fields=FIELDS,
        consent_text="I agree to be contacted.", asset_url="https://acme.example/ebook.pdf",
    )


def _submit(form: HostedForm, **data: str) -> Any:
    return Client().post(f"/f/{form.slug}/", data)


def test_the_form_is_served_publicly_and_embeddable(ebook: HostedForm) -> None:
    response = Client().get("/f/ebook/")
    assert response.status_code == 200
    assert "Work email" in response.content.decode()
    assert "X-Frame-Options" not in response


def test_a_submission_creates_a_lead_through_the_tracking_path(ebook: HostedForm) -> None:
    response = _submit(ebook, email="Lea@Acme.example", first_name="Lea", company="Acme",
                       consent="1")
    assert response.status_code == 200
    assert "ebook.pdf" in response.content.decode()
    contact = Contact.objects.select_related("company").get()
    assert (contact.email, contact.first_name, contact.lifecycle_stage) == (
        "lea@acme.example", "Lea", "lead"
    )
    assert contact.company.name == "Acme"
    form_event = Event.objects.get(name="Form Submitted")
    assert form_event.source == ebook.source and form_event.contact == contact
    assert form_event.properties["form_id"] == "ebook"
    assert Event.objects.filter(type="identify", contact=contact).exists()


def test_a_second_submission_updates_the_same_contact(ebook: HostedForm) -> None:
    _submit(ebook, email="lea@acme.example", first_name="Lea", consent="1")
    _submit(ebook, email="lea@acme.example", first_name="Leah", consent="1")
    assert Contact.objects.get().first_name == "Leah"


@pytest.mark.parametrize(("data", "field"), [
    ({"first_name": "Lea", "consent": "1"}, "email"),
    ({"email": "not-an-email", "first_name": "Lea", "consent": "1"}, "email"),
    ({"email": "lea@acme.example", "consent": "1"}, "first_name"),
    ({"email": "lea@acme.example", "first_name": "Lea"}, "consent"),
])
def test_a_bad_submission_is_shown_again_with_its_error(
    ebook: HostedForm, data: dict[str, str], field: str
) -> None:
    response = _submit(ebook, **data)
    assert response.status_code == 400
    assert field in response.context["errors"]
    assert Event.objects.count() == 0 and Contact.objects.count() == 0


def test_a_filled_honeypot_is_thanked_and_dropped(ebook: HostedForm) -> None:
    response = _submit(ebook, email="bot@spam.example", first_name="Bot", consent="1",
                       website_url="http://spam.example")
    assert response.status_code == 200
    assert Event.objects.count() == 0 and Contact.objects.count() == 0
    assert DebugMessage.objects.get().reason.startswith("spam")


def test_too_many_submissions_from_one_address_are_refused(ebook: HostedForm) -> None:
    # Within one minute, however slow the machine (the limit counts per clock minute).
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, 30, tzinfo=dt.UTC), tick=False):
        for n in range(SUBMISSIONS_PER_MINUTE):
            _submit(ebook, email=f"p{n}@acme.example", first_name="P", consent="1")
        response = _submit(ebook, email="late@acme.example", first_name="P", consent="1")
    assert response.status_code == 429
    assert Contact.objects.count() == SUBMISSIONS_PER_MINUTE


def test_a_newsletter_form_keeps_a_subscriber(source: Source) -> None:
    cache.clear()
    form = form_create(actor=None, name="News", slug="news", source=source,
                       fields=[{"name": "email", "type": "email"}], form_type="newsletter",
                       redirect_url="https://acme.example/thanks")
    response = _submit(form, email="news@acme.example")
    assert response.status_code == 302 and response["Location"] == "https://acme.example/thanks"
    assert Contact.objects.get().lifecycle_stage == "subscriber"


def test_a_form_needs_an_email_field_and_known_types(source: Source) -> None:
    with pytest.raises(ValidationFailed):
        form_create(actor=None, name="X", slug="x", source=source,
                    fields=[{"name": "first_name", "type": "text"}])
    with pytest.raises(ValidationFailed):
        form_create(actor=None, name="X", slug="x", source=source,
                    fields=[{"name": "email", "type": "file"}])


def test_a_disabled_form_is_not_found(ebook: HostedForm) -> None:
    ebook.enabled = False
    ebook.save()
    assert Client().get("/f/ebook/").status_code == 404


def test_the_source_page_shows_the_embed_snippet(ebook: HostedForm, users: Any) -> None:
    client = Client()
    client.force_login(users["marketing"])
    content = client.get(f"/sources/{ebook.source.pk}/").content.decode()
    assert "/f/ebook/" in content and "&lt;iframe" in content

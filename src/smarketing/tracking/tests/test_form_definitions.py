"""Marketing defines hosted forms on the source page and through the API; bad
definitions are refused naming the field (and the line of the fields list)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smarketing.core.errors import ValidationFailed
from smarketing.tracking.forms_hosted import parse_field_lines
from smarketing.tracking.models import HostedForm, Source

LINES = "email, Work email, email, required\nfirst_name, First name, text\n\nrole, Role, text"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _definition(**changes: str) -> dict[str, str]:
    return {"name": "Get the guide", "slug": "guide", "field_lines": LINES, "form_type": "",
            "consent_text": "I agree.", "thank_you_text": "Thanks!", "redirect_url": "",
            "asset_url": "https://acme.example/guide.pdf", **changes}


def test_field_lines_become_field_definitions() -> None:
    assert parse_field_lines(LINES) == [
        {"name": "email", "label": "Work email", "type": "email", "required": True},
        {"name": "first_name", "label": "First name", "type": "text", "required": False},
        {"name": "role", "label": "Role", "type": "text", "required": False},
    ]


def test_a_malformed_field_line_is_refused_naming_the_line() -> None:
    with pytest.raises(ValidationFailed, match="line 2"):
        parse_field_lines("email, Email, email\nfirst_name First name text")


def test_marketing_defines_a_form_on_the_source_page(source: Source, users: Any) -> None:
    response = _client(users["marketing"]).post(
        f"/sources/{source.pk}/forms/", _definition())
    assert response.status_code == 302
    form = HostedForm.objects.get(slug="guide")
    assert (form.source, form.consent_text, len(form.fields)) == (source, "I agree.", 3)
    assert Client().get("/f/guide/").status_code == 200


def test_a_bad_definition_shows_the_error_and_stores_nothing(
    source: Source, users: Any
) -> None:
    response = _client(users["marketing"]).post(
        f"/sources/{source.pk}/forms/",
        _definition(field_lines="first_name, First name, text"))
    assert response.status_code == 400
    assert "a form needs an email field" in response.content.decode()
    assert not HostedForm.objects.exists()


def test_a_rep_may_not_define_forms(source: Source, users: Any) -> None:
    response = _client(users["rep"]).post(f"/sources/{source.pk}/forms/", _definition())
    assert response.status_code == 403
    assert not HostedForm.objects.exists()


def test_marketing_disables_and_enables_a_form(source: Source, users: Any) -> None:
    client = _client(users["marketing"])
    client.post(f"/sources/{source.pk}/forms/", _definition())
    form = HostedForm.objects.get()
    client.post(f"/sources/forms/{form.pk}/enabled/", {"enabled": "0"})
    assert Client().get("/f/guide/").status_code == 404
    client.post(f"/sources/forms/{form.pk}/enabled/", {"enabled": "1"})
    assert Client().get("/f/guide/").status_code == 200


def test_the_api_defines_and_lists_forms(source: Source, api_as: Any) -> None:
    api = api_as("marketing")
    created = api.post(f"/api/v1/sources/{source.pk}/forms", {
        "name": "Newsletter", "slug": "news", "form_type": "newsletter",
        "fields": [{"name": "email", "label": "Email", "type": "email", "required": True}]})
    assert created.status_code == 201, created.content
    assert created.json()["url"] == "/f/news/"
    listed = api.get(f"/api/v1/sources/{source.pk}/forms").json()
    assert [f["slug"] for f in listed["items"]] == ["news"]


@pytest.mark.parametrize(("change", "field"), [
    ({"slug": "Not A Slug"}, "slug"),
    ({"form_type": "webinar"}, "form_type"),
    ({"asset_url": "ftp://x"}, "asset_url"),
    ({"fields": [{"name": "email", "type": "file"}]}, "fields"),
])
def test_the_api_names_the_bad_field(
    source: Source, api_as: Any, change: dict[str, Any], field: str
) -> None:
    body = {"name": "X", "slug": "x", "fields": [{"name": "email", "type": "email"}], **change}
    response = api_as("marketing").post(f"/api/v1/sources/{source.pk}/forms", body)
    assert response.status_code == 422
    assert response.json()["field"] == field


def test_sales_may_not_use_the_forms_api(source: Source, api_as: Any) -> None:
    assert api_as("rep").get(f"/api/v1/sources/{source.pk}/forms").status_code == 403

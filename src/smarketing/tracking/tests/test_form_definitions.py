"""Marketing defines hosted forms on the source page and through the API; bad
definitions are refused naming the field (and the line of the fields list)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from smarketing.core.errors import ValidationFailed
from smarketing.tracking.forms_hosted import parse_field_lines
from smarketing.tracking.models import Event, HostedForm, Source
from smarketing.tracking.services import source_create

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


@pytest.fixture
def guide(source: Source, api_as: Any) -> dict[str, Any]:
    created = api_as("marketing").post(f"/api/v1/sources/{source.pk}/forms", {
        "name": "Guide", "slug": "guide",
        "fields": [{"name": "email", "label": "Email", "type": "email", "required": True}]})
    assert created.status_code == 201, created.content
    return created.json()


def test_the_api_reads_one_form(source: Source, api_as: Any, guide: dict[str, Any]) -> None:
    got = api_as("admin").get(f"/api/v1/sources/{source.pk}/forms/{guide['id']}")
    assert got.json() == guide


def test_the_api_changes_a_form_but_not_its_slug(
    source: Source, api_as: Any, guide: dict[str, Any]
) -> None:
    api = api_as("marketing")
    path = f"/api/v1/sources/{source.pk}/forms/{guide['id']}"
    changed = api.patch(path, {"name": "The guide", "consent_text": "I agree.",
                               "enabled": False})
    assert changed.status_code == 200, changed.content
    assert (changed.json()["name"], changed.json()["consent_text"]) == ("The guide", "I agree.")
    assert Client().get("/f/guide/").status_code == 404
    refused = api.patch(path, {"slug": "other"})
    assert (refused.status_code, refused.json()["field"]) == (422, "slug")
    assert api.patch(path, {"slug": "guide", "enabled": True}).status_code == 200
    assert Client().get("/f/guide/").status_code == 200


@pytest.mark.parametrize(("change", "field"), [
    ({"fields": [{"name": "first_name", "type": "text"}]}, "fields"),
    ({"name": " "}, "name"),
    ({"redirect_url": "javascript:x"}, "redirect_url"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_change_names_the_field_and_changes_nothing(
    source: Source, api_as: Any, guide: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    response = api_as("marketing").patch(
        f"/api/v1/sources/{source.pk}/forms/{guide['id']}", change)
    assert (response.status_code, response.json()["field"]) == (422, field)
    assert HostedForm.objects.get().name == "Guide"


def test_deleting_a_form_keeps_its_recorded_submissions(
    source: Source, api_as: Any, guide: dict[str, Any]
) -> None:
    Client().post("/f/guide/", {"email": "ann@example.com"}, REMOTE_ADDR="10.0.0.9")
    submitted = Event.objects.filter(name="Form Submitted")
    assert submitted.count() == 1
    response = api_as("marketing").delete(f"/api/v1/sources/{source.pk}/forms/{guide['id']}")
    assert response.status_code == 204
    assert not HostedForm.objects.exists()
    assert Client().get("/f/guide/").status_code == 404
    assert submitted.get().properties["form_id"] == "guide"


def test_a_form_of_another_source_or_an_unknown_one_is_404(
    source: Source, api_as: Any, guide: dict[str, Any]
) -> None:
    other, _ = source_create(actor=None, name="Other", kind="website")
    api = api_as("marketing")
    for path in (f"/api/v1/sources/{other.pk}/forms/{guide['id']}",
                 f"/api/v1/sources/{source.pk}/forms/999"):
        response = api.get(path)
        assert (response.status_code, response.json()["field"]) == (404, "form_id")
        assert api.delete(path).status_code == 404
    assert HostedForm.objects.exists()


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_sales_may_not_read_change_or_delete_forms(
    source: Source, api_as: Any, guide: dict[str, Any], role: str
) -> None:
    api = api_as(role)
    path = f"/api/v1/sources/{source.pk}/forms/{guide['id']}"
    assert api.get(path).status_code == 403
    assert api.patch(path, {"name": "X"}).status_code == 403
    assert api.delete(path).status_code == 403
    assert HostedForm.objects.get().name == "Guide"


def test_forms_are_listed_in_pages(source: Source, api_as: Any) -> None:
    api = api_as("marketing")
    for slug in ("a", "b", "c"):
        api.post(f"/api/v1/sources/{source.pk}/forms", {
            "name": slug.upper(), "slug": slug, "fields": [{"name": "email", "type": "email"}]})
    body = api.get(f"/api/v1/sources/{source.pk}/forms", limit=2, offset=1).json()
    assert ([f["slug"] for f in body["items"]], body["count"]) == (["b", "c"], 3)
    assert api.get(f"/api/v1/sources/{source.pk}/forms", limit=0).json()["field"] == "limit"

"""The people pages: contacts list (search, filters, pagination), contact page, edit, lifecycle."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smarketing.people.lifecycle import contact_transition
from smarketing.people.models import Cause, Contact, LeadStatus, Stage, StageChange
from smarketing.people.services import property_define
from smarketing.testing.factories import make_company, make_contact, set_score

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests"


@pytest.fixture
def as_user(users: dict[str, Any]) -> Any:
    """as_user("rep") -> a test client logged in as that role's user."""

    def login(name: str) -> Client:
        client = Client()
        client.force_login(users[name])
        return client

    return login


def names(response: Any) -> list[str]:
    return [str(c) for c in response.context["rows"]]


# --- shell: login, home, navigation ---------------------------------------------------------


def test_it_sends_anonymous_visitors_to_the_login_page(client: Client) -> None:
    response = client.get("/contacts/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/contacts/")


def test_it_logs_in_with_the_login_form(client: Client, users: dict[str, Any]) -> None:
    assert client.get("/login/").status_code == 200
    response = client.post("/login/", {"username": "rep1", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").url == "/dashboards/"  # everyone's home: the shared dashboard


def test_it_logs_out_with_a_post(as_user: Any) -> None:
    client = as_user("rep")
    assert client.post("/logout/").status_code == 302
    assert client.get("/contacts/").status_code == 302


def test_it_shows_the_user_and_role_in_the_header(as_user: Any) -> None:
    content = as_user("manager").get("/contacts/").content.decode()
    assert "manager" in content
    assert "Sales manager" in content


def test_it_shows_the_admin_link_to_admins_only(as_user: Any) -> None:
    admin_nav = [item["label"] for item in as_user("admin").get("/contacts/").context["nav"]]
    rep_nav = [item["label"] for item in as_user("rep").get("/contacts/").context["nav"]]
    assert admin_nav[:3] == rep_nav[:3] == ["Dashboards", "Contacts", "Companies"]
    assert "Admin" in admin_nav and "Admin" not in rep_nav


# --- contacts list ----------------------------------------------------------------------------


def test_it_lists_contacts_newest_first(as_user: Any) -> None:
    make_contact(first_name="Ada", last_name="Lovelace")
    make_contact(first_name="Grace", last_name="Hopper")
    response = as_user("rep").get("/contacts/")
    assert response.status_code == 200
    assert names(response) == ["Grace Hopper", "Ada Lovelace"]
    assert b"Grace Hopper" in response.content


def test_it_searches_by_name_email_or_company_prefix(as_user: Any) -> None:
    acme = make_company(name="Acme Corp")
    make_contact(first_name="Ada", last_name="Lovelace", email="ada@analytical.org")
    make_contact(first_name="Grace", last_name="Hopper", email="grace@navy.mil", company=acme)
    client = as_user("rep")
    assert names(client.get("/contacts/", {"q": "love"})) == ["Ada Lovelace"]
    assert names(client.get("/contacts/", {"q": "grace@"})) == ["Grace Hopper"]
    assert names(client.get("/contacts/", {"q": "acme"})) == ["Grace Hopper"]
    assert names(client.get("/contacts/", {"q": "ada love"})) == ["Ada Lovelace"]


def test_it_filters_by_stage(as_user: Any) -> None:
    make_contact(Stage.LEAD, first_name="Lea", last_name="Lead")
    make_contact(Stage.MQL, first_name="Mia", last_name="Mql")
    assert names(as_user("rep").get("/contacts/", {"stage": "mql"})) == ["Mia Mql"]


def test_it_filters_by_owner_or_unowned(as_user: Any, users: dict[str, Any]) -> None:
    make_contact(first_name="Owned", last_name="ByRep", owner=users["rep"])
    make_contact(first_name="Nobody", last_name="Owns")
    client = as_user("manager")
    assert names(client.get("/contacts/", {"owner": users["rep"].pk})) == ["Owned ByRep"]
    assert names(client.get("/contacts/", {"owner": "unowned"})) == ["Nobody Owns"]


def test_it_offers_sales_users_as_owners(as_user: Any, users: dict[str, Any]) -> None:
    content = as_user("marketing").get("/contacts/").content.decode()
    assert f'value="{users["rep"].pk}"' in content
    assert f'value="{users["marketing"].pk}"' not in content


def test_it_filters_by_score_range(as_user: Any) -> None:
    for score, name in ((10, "Low"), (50, "Mid"), (90, "High")):
        contact = make_contact(first_name=name, last_name="Score")
        set_score(contact, score)
    response = as_user("rep").get("/contacts/", {"score_min": 20, "score_max": 60})
    assert names(response) == ["Mid Score"]


def test_it_filters_by_custom_property(as_user: Any, users: dict[str, Any]) -> None:
    property_define(actor=users["admin"], object_type="contact", name="seats", label="Seats",
                    type="number")
    property_define(actor=users["admin"], object_type="contact", name="plan", label="Plan",
                    type="text")
    make_contact(first_name="Small", last_name="Team", properties={"seats": 5, "plan": "Free"})
    make_contact(first_name="Big", last_name="Team", properties={"seats": 500, "plan": "Pro"})
    client = as_user("rep")
    assert names(client.get("/contacts/", {"prop": "seats:5"})) == ["Small Team"]
    assert names(client.get("/contacts/", {"prop": "seats:gte:100"})) == ["Big Team"]
    assert names(client.get("/contacts/", {"prop": "plan:Free"})) == ["Small Team"]
    assert names(client.get("/contacts/", {"prop": "plan:contains:pro"})) == ["Big Team"]


def test_it_sorts_by_a_chosen_column(as_user: Any) -> None:
    make_contact(first_name="Zed", last_name="Zulu")
    make_contact(first_name="Amy", last_name="Alpha")
    make_contact(first_name="Mo", last_name="Mike")
    response = as_user("rep").get("/contacts/", {"sort": "last_name"})
    assert names(response) == ["Amy Alpha", "Mo Mike", "Zed Zulu"]


def test_it_paginates_by_offset_without_counting(as_user: Any, settings: Any) -> None:
    settings.SMARKETING_PAGE_SIZE = 2
    for n in range(5):
        make_contact(first_name=f"P{n}", last_name="Page")
    client = as_user("rep")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/contacts/", {"sort": "created_at"})
    assert not any("COUNT(" in q["sql"].upper() for q in queries.captured_queries)
    assert names(first) == ["P0 Page", "P1 Page"]
    assert first.context["has_next"] and not first.context["has_prev"]
    assert "offset=2" in first.content.decode()
    last = client.get("/contacts/", {"sort": "created_at", "offset": 4})
    assert names(last) == ["P4 Page"]
    assert last.context["has_prev"] and not last.context["has_next"]
    assert "Showing 5–5" in last.content.decode()


@pytest.mark.parametrize(
    ("params", "field", "label"),
    [
        ({"sort": "shoe_size"}, "sort", "Sort"),
        ({"stage": "unicorn"}, "stage", "Stage"),
        ({"prop": "no_colon"}, "prop", "Property"),
        ({"prop": "missing:1"}, "prop", "Property"),
        ({"score_min": "lots"}, "score_min", "Score min"),
        ({"owner": "someone"}, "owner", "Owner"),
        ({"offset": "-5"}, "offset", "Offset"),
        ({"company": "999999"}, "company", "Company"),
    ],
)
def test_it_explains_bad_filter_input_naming_the_field(
    as_user: Any, params: dict[str, str], field: str, label: str
) -> None:
    response = as_user("rep").get("/contacts/", params)
    assert response.status_code == 400
    assert response.context["error"].field == field
    content = response.content.decode()
    assert f"Check the “{label}” filter." in content
    assert f"{field}:" in content


def test_it_answers_htmx_with_only_the_results(as_user: Any) -> None:
    make_contact(Stage.MQL, first_name="Mia", last_name="Mql")
    response = as_user("rep").get(
        "/contacts/", {"stage": "mql"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="contact-results"
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Mia Mql" in content
    assert "<html" not in content and 'class="filters"' not in content
    assert "HX-Request" in response["Vary"]


def test_it_filters_contacts_of_a_company(as_user: Any) -> None:
    acme = make_company(name="Acme Corp")
    make_contact(first_name="At", last_name="Acme", company=acme)
    make_contact(first_name="Else", last_name="Where")
    response = as_user("rep").get("/contacts/", {"company": acme.pk})
    assert names(response) == ["At Acme"]
    assert "Contacts at <strong>Acme Corp</strong>" in response.content.decode()


# --- contact page -----------------------------------------------------------------------------


def test_it_shows_a_contact_with_properties_identities_and_history(
    as_user: Any, users: dict[str, Any]
) -> None:
    property_define(actor=users["admin"], object_type="contact", name="plan", label="Plan tier",
                    type="choice", choices=["free", "pro"])
    acme = make_company(name="Acme Corp", domain="acme.example")
    contact = make_contact(Stage.LEAD, first_name="Ada", last_name="Lovelace",
                           email="ada@acme.example", company=acme, owner=users["rep"],
                           title="CTO", properties={"plan": "pro"})
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    response = as_user("rep_other").get(f"/contacts/{contact.pk}/")
    content = response.content.decode()
    assert response.status_code == 200
    for text in ("Ada Lovelace", "ada@acme.example", "Acme Corp", "CTO", "rep1",
                 "Plan tier", "pro", "Email", "Scoring", "Import"):
        assert text in content, text
    assert content.count('data-testid="timeline-entry"') == 2
    assert [c.to_stage for c in response.context["history"]] == [Stage.MQL, Stage.LEAD]


def test_it_names_the_person_who_moved_a_stage(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"])
    contact_transition(contact=contact, to_stage=Stage.SQL, cause=Cause.MANUAL,
                       actor=users["rep"], reason="Budget confirmed")
    content = as_user("rep").get(f"/contacts/{contact.pk}/").content.decode()
    assert "by rep1" in content
    assert "Budget confirmed" in content


def test_it_answers_404_for_a_missing_contact(as_user: Any) -> None:
    response = as_user("rep").get("/contacts/999999/")
    assert response.status_code == 404
    assert b"Page not found" in response.content


def test_it_hides_edit_and_lifecycle_actions_from_users_who_may_not_change(
    as_user: Any, users: dict[str, Any]
) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"])
    response = as_user("rep_other").get(f"/contacts/{contact.pk}/")
    content = response.content.decode()
    assert f"/contacts/{contact.pk}/edit/" not in content
    assert 'data-testid="lifecycle-actions"' not in content


# --- edit ------------------------------------------------------------------------------------


def test_it_forbids_editing_someone_elses_contact(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(first_name="Ada", owner=users["rep"])
    client = as_user("rep_other")
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 403
    response = client.post(f"/contacts/{contact.pk}/edit/", {"first_name": "Hacked"})
    assert response.status_code == 403
    assert b"You may not do that" in response.content
    contact.refresh_from_db()
    assert contact.first_name == "Ada"


def _edit_data(contact: Contact, **changes: Any) -> dict[str, Any]:
    data = {
        "first_name": contact.first_name, "last_name": contact.last_name,
        "email": contact.email, "title": contact.title, "phone": contact.phone,
        "company": contact.company.name if contact.company else "",
        "owner": contact.owner_id or "", "lead_status": contact.lead_status,
        "original_source": "", "original_campaign": "", "latest_source": "",
        "latest_campaign": "",
    }
    return {**data, **changes}


def test_it_lets_the_owner_edit_a_contact(as_user: Any, users: dict[str, Any]) -> None:
    acme = make_company(name="Acme Corp", domain="acme.example")
    contact = make_contact(first_name="Ada", owner=users["rep"])
    client = as_user("rep")
    form_page = client.get(f"/contacts/{contact.pk}/edit/")
    assert form_page.status_code == 200
    data = _edit_data(contact, title="VP Engineering", company="acme.example",
                      lead_status=LeadStatus.CONNECTED, email="ADA@new.example")
    response = client.post(f"/contacts/{contact.pk}/edit/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/contacts/{contact.pk}/"
    contact.refresh_from_db()
    assert (contact.title, contact.company, contact.lead_status, contact.email) == (
        "VP Engineering", acme, LeadStatus.CONNECTED, "ada@new.example"
    )
    assert contact.identities.filter(value="ada@new.example").exists()
    assert "Saved" in client.get(response["Location"]).content.decode()


def test_it_edits_custom_properties(as_user: Any, users: dict[str, Any]) -> None:
    property_define(actor=users["admin"], object_type="contact", name="seats", label="Seats",
                    type="number")
    contact = make_contact(owner=users["rep"], properties={"seats": 3})
    client = as_user("rep")
    response = client.post(f"/contacts/{contact.pk}/edit/", _edit_data(contact, prop_seats="12"))
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.properties == {"seats": 12}
    bad = client.post(f"/contacts/{contact.pk}/edit/", _edit_data(contact, prop_seats="many"))
    assert bad.status_code == 400
    assert "expected a number" in str(bad.context["form"].errors["prop_seats"])


def test_it_shows_service_errors_on_the_field(as_user: Any, users: dict[str, Any]) -> None:
    make_contact(email="taken@example.com")
    contact = make_contact(first_name="Ada", owner=users["rep"])
    response = as_user("rep").post(
        f"/contacts/{contact.pk}/edit/",
        _edit_data(contact, first_name="Changed", email="taken@example.com"),
    )
    assert response.status_code == 400
    assert "already taken" in str(response.context["form"].errors["email"])
    contact.refresh_from_db()
    assert contact.first_name == "Ada"


def test_it_refuses_an_unknown_company(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(owner=users["rep"])
    response = as_user("rep").post(
        f"/contacts/{contact.pk}/edit/", _edit_data(contact, company="Nowhere Ltd")
    )
    assert response.status_code == 400
    assert "No company named" in str(response.context["form"].errors["company"])


def test_it_offers_a_rep_only_owners_they_may_assign(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(owner=users["rep"])
    client = as_user("rep")
    choices = dict(client.get(f"/contacts/{contact.pk}/edit/").context["form"]
                   .fields["owner"].choices)
    assert str(users["rep"].pk) in choices and str(users["rep_b"].pk) not in choices
    response = client.post(
        f"/contacts/{contact.pk}/edit/", _edit_data(contact, owner=users["rep_b"].pk)
    )
    assert response.status_code == 400
    contact.refresh_from_db()
    assert contact.owner == users["rep"]


def test_it_lets_a_manager_reassign_within_the_team(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(owner=users["rep"])
    response = as_user("manager").post(
        f"/contacts/{contact.pk}/edit/", _edit_data(contact, owner=users["rep_b"].pk)
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.owner == users["rep_b"]


# --- lifecycle actions ------------------------------------------------------------------------


def test_it_moves_a_contact_forward_by_hand(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"])
    client = as_user("rep")
    page = client.get(f"/contacts/{contact.pk}/")
    targets = [value for value, _ in page.context["transition_form"].fields["to_stage"]
               .widget.choices]
    assert Stage.SQL in targets and Stage.LEAD not in targets and Stage.MQL not in targets
    response = client.post(f"/contacts/{contact.pk}/move/", {"to_stage": "sql", "reason": "BANT"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.SQL
    change = StageChange.objects.filter(contact=contact).last()
    assert change is not None
    assert (change.actor, change.cause, change.reason) == (users["rep"], Cause.MANUAL, "BANT")
    assert "Moved" in client.get(response["Location"]).content.decode()


def test_it_reports_a_refused_move_as_a_message(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(Stage.LEAD, owner=users["rep"])
    client = as_user("rep")
    response = client.post(f"/contacts/{contact.pk}/move/", {"to_stage": "mql"}, follow=True)
    content = response.content.decode()
    assert "Not moved: actor: the sales_rep role may not make this move" in content
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.LEAD


def test_it_asks_for_a_stage_when_none_is_chosen(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"])
    response = as_user("rep").post(f"/contacts/{contact.pk}/move/", {"to_stage": ""}, follow=True)
    assert "Not moved: to_stage: This field is required." in response.content.decode()


def test_it_forbids_moving_someone_elses_contact(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"])
    response = as_user("rep_other").post(f"/contacts/{contact.pk}/move/", {"to_stage": "sql"})
    assert response.status_code == 403
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.MQL


def test_it_recycles_an_mql_with_a_reason(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"])
    client = as_user("rep")
    assert client.get(f"/contacts/{contact.pk}/").context["recycle_form"] is not None
    response = client.post(f"/contacts/{contact.pk}/recycle/", {"reason": "No budget"})
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.lifecycle_stage, contact.lead_status) == (Stage.LEAD, LeadStatus.RECYCLED)
    assert "No budget" in client.get(f"/contacts/{contact.pk}/").content.decode()


def test_it_refuses_to_recycle_without_a_reason(as_user: Any, users: dict[str, Any]) -> None:
    contact = make_contact(Stage.SQL, owner=users["rep"])
    response = as_user("rep").post(
        f"/contacts/{contact.pk}/recycle/", {"reason": "  "}, follow=True
    )
    assert "Not recycled: reason: recycling needs a reason" in response.content.decode()
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.SQL


def test_it_offers_recycling_only_for_mqls_and_sqls(as_user: Any, users: dict[str, Any]) -> None:
    lead = make_contact(Stage.LEAD, owner=users["rep"])
    assert as_user("rep").get(f"/contacts/{lead.pk}/").context["recycle_form"] is None


# --- companies --------------------------------------------------------------------------------


def test_it_lists_and_searches_companies(as_user: Any) -> None:
    make_company(name="Acme Corp")
    make_company(name="Globex")
    client = as_user("marketing")
    assert names(client.get("/companies/")) == ["Acme Corp", "Globex"]
    assert names(client.get("/companies/", {"q": "glo"})) == ["Globex"]
    bad = client.get("/companies/", {"sort": "revenue"})
    assert bad.status_code == 400
    assert "Check the “Sort” filter." in bad.content.decode()


def test_it_suggests_companies_for_the_edit_form(as_user: Any) -> None:
    make_company(name="Acme Corp", domain="acme.example")
    make_company(name="Globex")
    response = as_user("rep").get("/companies/options/", {"company": "ac"})
    assert response.content.decode().strip() == '<option value="Acme Corp">acme.example</option>'


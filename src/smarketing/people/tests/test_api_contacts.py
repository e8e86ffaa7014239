"""/api/v1/contacts: CRUD, filters, pagination, lifecycle, identities, and bad input."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from smarketing.people.models import (
    Cause,
    Contact,
    Identity,
    LeadStatus,
    Stage,
    StageChange,
)
from smarketing.testing.factories import make_company, make_contact, set_score

T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)
pytestmark = pytest.mark.django_db



def assert_domain_error(response: Any, status: int, field: str, code: str = "invalid") -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert (body["field"], body["code"]) == (field, code), body
    assert body["detail"].startswith(f"{field}: ") or code == "not_found", body


def assert_pydantic_error(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    locations = [error["loc"] for error in body["errors"]]
    assert any(loc[-1] == field for loc in locations), locations
    assert body["code"] == "invalid" and body["field"], body


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


# --- auth ---------------------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer nope", "Token abc", "Bearer "])
def test_it_answers_401_without_a_valid_token(db: Any, header: str | None) -> None:
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    assert client.get("/api/v1/contacts").status_code == 401
    assert client.post("/api/v1/contacts", {}, content_type="application/json").status_code == 401


# --- create -------------------------------------------------------------------------------


def test_a_rep_creates_a_lead_they_own_with_history_and_an_email_identity(
    api_as: Any, users: Any
) -> None:
    company = make_company(name="Acme")
    with time_machine.travel(T0, tick=False):
        response = api_as("rep").post("/api/v1/contacts", {
            "email": " Pat.Lee@Acme.COM ", "first_name": "Pat", "last_name": "Lee",
            "company_id": company.pk, "title": "CFO",
        })
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["email"], body["full_name"], body["owner_id"]) == ("pat.lee@acme.com",
                                                                    "Pat Lee", users["rep"].pk)
    assert (body["lifecycle_stage"], body["lead_status"]) == ("lead", "new")
    assert body["became_lead_at"].startswith("2026-04-06T09:00:00")
    contact = Contact.objects.get(pk=body["id"])
    assert contact.company == company and contact.became_subscriber_at == T0
    change = StageChange.objects.get(contact=contact)
    assert (change.from_stage, change.to_stage, change.cause, change.actor) == (
        "", "lead", Cause.MANUAL, users["rep"]
    )
    assert list(contact.identities.values_list("kind", "value")) == [("email", "pat.lee@acme.com")]


def test_marketing_creates_an_unowned_mql(api_as: Any) -> None:
    response = api_as("marketing").post(
        "/api/v1/contacts", {"email": "m@acme.com", "lifecycle_stage": "mql"}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner_id"] is None and body["lifecycle_stage"] == "mql"
    assert body["became_lead_at"] == body["became_mql_at"] is not None


def test_an_admin_assigns_any_owner_and_a_manager_one_in_the_team(
    api_as: Any, users: Any
) -> None:
    by_admin = api_as("admin").post(
        "/api/v1/contacts", {"email": "a@x.com", "owner_id": users["rep_other"].pk}
    )
    by_manager = api_as("manager").post(
        "/api/v1/contacts", {"email": "b@x.com", "owner_id": users["rep_b"].pk}
    )
    assert by_admin.json()["owner_id"] == users["rep_other"].pk
    assert by_manager.json()["owner_id"] == users["rep_b"].pk


@pytest.mark.parametrize(("role", "owner"), [("rep", "rep_b"), ("manager", "rep_other"),
                                             ("marketing", "rep")])
def test_it_refuses_an_owner_the_user_may_not_assign(
    api_as: Any, users: Any, role: str, owner: str
) -> None:
    response = api_as(role).post(
        "/api/v1/contacts", {"email": "a@x.com", "owner_id": users[owner].pk}
    )
    assert_domain_error(response, 403, "owner_id", "forbidden")
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("payload", "status", "field", "code"),
    [
        ({"email": "not-an-email"}, 422, "email", "invalid"),
        ({"lead_status": "hot"}, 422, "lead_status", "invalid"),
        ({"original_source": "tv"}, 422, "original_source", "invalid"),
        ({"company_id": 999999}, 422, "company_id", "invalid"),
        ({"owner_id": 999999}, 422, "owner_id", "invalid"),
        ({"lifecycle_stage": "opportunity"}, 422, "cause", "transition_refused"),
        ({"lifecycle_stage": "customer"}, 422, "cause", "transition_refused"),
        ({"lifecycle_stage": "subscriber"}, 422, "cause", "transition_refused"),
        ({"lifecycle_stage": "mql"}, 422, "actor", "transition_refused"),
        ({"properties": {"nope": 1}}, 422, "properties.nope", "invalid"),
    ],
)
def test_it_refuses_bad_input_naming_the_field_and_creates_nothing(
    api_as: Any, payload: dict[str, Any], status: int, field: str, code: str
) -> None:
    response = api_as("rep").post("/api/v1/contacts", payload)
    assert_domain_error(response, status, field, code)
    assert not Contact.objects.exists() and not StageChange.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"first_name": "x" * 101}, "first_name"),
        ({"email": "a" * 250 + "@x.com"}, "email"),
        ({"lifecycle_stage": "champion"}, "lifecycle_stage"),
        ({"company_id": "acme"}, "company_id"),
        ({"properties": ["a"]}, "properties"),
        ({"shoe_size": 42}, "shoe_size"),
        ({"became_mql_at": "2020-01-01T00:00:00Z"}, "became_mql_at"),
    ],
)
def test_it_refuses_a_malformed_body_naming_the_field(
    api_as: Any, payload: dict[str, Any], field: str
) -> None:
    assert_pydantic_error(api_as("rep").post("/api/v1/contacts", payload), field)
    assert not Contact.objects.exists()


@pytest.mark.parametrize("email", ["taken@acme.com", "TAKEN@acme.com "])
def test_a_duplicate_email_is_refused_naming_email(api_as: Any, email: str) -> None:
    make_contact(email="taken@acme.com")
    response = api_as("rep").post("/api/v1/contacts", {"email": email})
    assert_domain_error(response, 422, "email")
    assert Contact.objects.count() == 1


def test_an_email_that_identifies_another_contact_is_refused_naming_email(
    api_as: Any, users: Any
) -> None:
    contact = make_contact(email="old@acme.com", owner=users["rep"])
    api_as("rep").patch(f"/api/v1/contacts/{contact.pk}", {"email": "new@acme.com"})
    response = api_as("rep").post("/api/v1/contacts", {"email": "old@acme.com"})
    assert_domain_error(response, 422, "email")
    assert Contact.objects.count() == 1


def test_contacts_without_email_do_not_clash(api_as: Any) -> None:
    for name in ("Ann", "Bob"):
        response = api_as("rep").post("/api/v1/contacts", {"first_name": name})
        assert response.status_code == 201
    assert Contact.objects.filter(email="").count() == 2
    assert not Identity.objects.exists()


# --- read, update, delete -----------------------------------------------------------------


def test_anyone_reads_a_contact_and_a_missing_one_is_404(api_as: Any, users: Any) -> None:
    contact = make_contact(owner=users["rep_other"], first_name="Zed")
    assert api_as("marketing").get(f"/api/v1/contacts/{contact.pk}").json()["first_name"] == "Zed"
    assert_domain_error(api_as("admin").get("/api/v1/contacts/999999"), 404, "id", "not_found")


def test_a_rep_updates_their_contact(api_as: Any, users: Any) -> None:
    contact = make_contact(owner=users["rep"], email="a@acme.com", title="CTO")
    response = api_as("rep").patch(f"/api/v1/contacts/{contact.pk}", {
        "email": "A2@acme.com", "title": None, "phone": "+1 555", "lead_status": "connected",
    })
    assert response.status_code == 200, response.json()
    contact.refresh_from_db()
    assert (contact.email, contact.title, contact.phone) == ("a2@acme.com", "", "+1 555")
    assert contact.lead_status == LeadStatus.CONNECTED
    emails = set(contact.identities.values_list("value", flat=True))
    assert emails == {"a@acme.com", "a2@acme.com"}


def test_an_update_to_a_taken_email_is_refused_and_changes_nothing(
    api_as: Any, users: Any
) -> None:
    make_contact(email="taken@acme.com")
    contact = make_contact(owner=users["rep"], email="mine@acme.com", title="CTO")
    response = api_as("rep").patch(
        f"/api/v1/contacts/{contact.pk}", {"email": "taken@acme.com", "title": "CEO"}
    )
    assert_domain_error(response, 422, "email")
    contact.refresh_from_db()
    assert (contact.email, contact.title) == ("mine@acme.com", "CTO")


def test_the_stage_cannot_be_patched_only_transitioned(api_as: Any, users: Any) -> None:
    contact = make_contact(Stage.LEAD, owner=users["rep"])
    response = api_as("rep").patch(f"/api/v1/contacts/{contact.pk}", {"lifecycle_stage": "sql"})
    assert_pydantic_error(response, "lifecycle_stage")
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.LEAD


def test_patching_company_id_to_null_unlinks_the_company(api_as: Any, users: Any) -> None:
    contact = make_contact(owner=users["rep"], company=make_company())
    response = api_as("rep").patch(f"/api/v1/contacts/{contact.pk}", {"company_id": None})
    assert response.json()["company_id"] is None


def test_an_admin_deletes_a_contact_with_its_history_and_identities(api_as: Any) -> None:
    contact = make_contact(email="gone@acme.com")
    response = api_as("admin").delete(f"/api/v1/contacts/{contact.pk}")
    assert response.status_code == 204
    assert not Contact.objects.exists()
    assert not StageChange.objects.exists() and not Identity.objects.exists()


# --- list: pagination, sorting, filters ---------------------------------------------------


@pytest.fixture
def five(users: Any) -> list[Contact]:
    """Five contacts created an hour apart (oldest first)."""
    made = []
    for n in range(5):
        with time_machine.travel(T0 + n * HOUR, tick=False):
            made.append(make_contact(first_name=f"P{n}", email=f"p{n}@x.com"))
    return made


def test_the_list_returns_items_and_count_newest_first(api_as: Any, five: list[Contact]) -> None:
    body = api_as("rep").get("/api/v1/contacts").json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 5
    assert [item["id"] for item in body["items"]] == [c.pk for c in reversed(five)]


def test_the_list_pages_with_limit_and_offset(api_as: Any, five: list[Contact]) -> None:
    api = api_as("rep")
    first = api.get("/api/v1/contacts", limit=2).json()
    second = api.get("/api/v1/contacts", limit=2, offset=2).json()
    last = api.get("/api/v1/contacts", limit=2, offset=4).json()
    beyond = api.get("/api/v1/contacts", limit=2, offset=10).json()
    assert [len(p["items"]) for p in (first, second, last, beyond)] == [2, 2, 1, 0]
    assert {p["count"] for p in (first, second, last, beyond)} == {5}
    seen = [i["id"] for p in (first, second, last) for i in p["items"]]
    assert seen == [c.pk for c in reversed(five)]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"offset": -1}, "offset"),
     ({"sort": "password"}, "sort"), ({"stage": "champion"}, "stage")],
)
def test_bad_list_parameters_are_refused_naming_them(
    api_as: Any, five: list[Contact], params: dict[str, Any], field: str
) -> None:
    assert_domain_error(api_as("rep").get("/api/v1/contacts", **params), 422, field)


@pytest.mark.parametrize("params", [{"limit": "many"}, {"score_min": "high"},
                                    {"owner_id": "me"}])
def test_malformed_list_parameters_are_refused_naming_them(
    api_as: Any, params: dict[str, Any]
) -> None:
    assert_pydantic_error(api_as("rep").get("/api/v1/contacts", **params), next(iter(params)))


def test_the_list_sorts(api_as: Any, five: list[Contact]) -> None:
    scores = [30, 10, 50, 20, 40]
    names = ["Diaz", "adams", "Cole", "Bell", "evans"]
    for contact, score, name in zip(five, scores, names, strict=True):
        Contact.objects.filter(pk=contact.pk).update(last_name=name)
        set_score(contact, score)
    api = api_as("rep")
    by = {sort: ids(api.get("/api/v1/contacts", sort=sort)) for sort in
          ("created_at", "-score", "score", "last_name", "email")}
    pk = [c.pk for c in five]
    assert by["created_at"] == pk
    assert by["-score"] == [pk[2], pk[4], pk[0], pk[3], pk[1]]
    assert by["score"] == [pk[1], pk[3], pk[0], pk[4], pk[2]]
    assert by["last_name"] == [pk[1], pk[3], pk[2], pk[0], pk[4]]
    assert by["email"] == pk


@pytest.fixture
def people_to_find(users: Any) -> dict[str, Contact]:
    acme, globex = make_company(name="Acme Corp"), make_company(name="Globex")
    return {
        "ann": make_contact(first_name="Ann", last_name="Smith", email="ann@acme.com",
                            company=acme, owner=users["rep"]),
        "anna": make_contact(first_name="Anna", last_name="Jones", email="aj@globex.com",
                             company=globex, owner=users["rep_b"]),
        "bob": make_contact(first_name="Bob", last_name="Annerley", email="bob@mail.com"),
        "obrien": make_contact(first_name="Liam", last_name="O'Brien",
                               email="liam.obrien@mail.com"),
        "marie": make_contact(first_name="Anne-Marie", last_name="Duval",
                              email="am@mail.com"),
        "lea": make_contact(first_name="Léa", last_name="Roux", email="lea@mail.com"),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("ann", {"ann", "anna", "bob", "marie"}),
        ("ANNA", {"anna"}),
        ("smi", {"ann"}),
        ("ann smith", {"ann"}),
        ("ann sm", {"ann"}),
        ("ann@", {"ann"}),
        ("liam.", {"obrien"}),
        ("liam.obrien@mail.com", {"obrien"}),
        ("o'b", {"obrien"}),
        ("anne-", {"marie"}),
        ("lé", {"lea"}),
        ("léa r", {"lea"}),
        ("acme", {"ann"}),
        ("glob", {"anna"}),
        ("mith", set()),
        ("", {"ann", "anna", "bob", "obrien", "marie", "lea"}),
    ],
)
def test_q_searches_by_prefix_of_name_email_or_company(
    api_as: Any, people_to_find: dict[str, Contact], q: str, expected: set[str]
) -> None:
    found = set(ids(api_as("marketing").get("/api/v1/contacts", q=q)))
    assert found == {people_to_find[name].pk for name in expected}


def test_the_list_filters_by_stage_owner_company_and_score(
    api_as: Any, users: Any, people_to_find: dict[str, Contact]
) -> None:
    found = people_to_find
    Contact.objects.filter(pk=found["ann"].pk).update(lifecycle_stage=Stage.MQL)
    set_score(found["ann"], 80)
    set_score(found["anna"], 40)
    api = api_as("manager")

    def listed(**params: Any) -> set[int]:
        return set(ids(api.get("/api/v1/contacts", **params)))

    assert listed(stage="mql") == {found["ann"].pk}
    assert listed(owner_id=users["rep"].pk) == {found["ann"].pk}
    unowned = {found[n].pk for n in ("bob", "obrien", "marie", "lea")}
    assert listed(unowned="true") == unowned
    assert listed(company_id=found["anna"].company_id) == {found["anna"].pk}
    assert listed(score_min=40) == {found["ann"].pk, found["anna"].pk}
    assert listed(score_min=41, score_max=100) == {found["ann"].pk}
    assert listed(score_max=39) == unowned
    assert listed(q="ann", owner_id=users["rep_b"].pk) == {found["anna"].pk}
    assert api.get("/api/v1/contacts", q="ann").json()["count"] == 4


# --- lifecycle endpoints ------------------------------------------------------------------


def test_the_transition_endpoint_moves_a_contact_forward_and_records_who(
    api_as: Any, users: Any
) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"], at=T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        response = api_as("rep").post(
            f"/api/v1/contacts/{contact.pk}/transition", {"to_stage": "sql", "reason": "BANT ok"}
        )
    assert response.status_code == 200, response.json()
    assert response.json()["lifecycle_stage"] == "sql"
    assert response.json()["became_sql_at"].startswith("2026-04-06T10:00:00")
    change = contact.stage_changes.order_by("id").last()
    assert change is not None
    assert (change.actor, change.cause, change.reason) == (users["rep"], Cause.MANUAL, "BANT ok")


@pytest.mark.parametrize(
    ("start", "role", "to_stage", "field"),
    [
        (Stage.SQL, "rep", "lead", "to_stage"),
        (Stage.LEAD, "rep", "mql", "actor"),
        (Stage.SQL, "admin", "opportunity", "cause"),
        (Stage.OPPORTUNITY, "admin", "customer", "cause"),
    ],
)
def test_the_transition_endpoint_refuses_illegal_moves_and_writes_nothing(
    api_as: Any, users: Any, start: str, role: str, to_stage: str, field: str
) -> None:
    contact = make_contact(start, owner=users["rep"], at=T0)
    response = api_as(role).post(
        f"/api/v1/contacts/{contact.pk}/transition", {"to_stage": to_stage}
    )
    assert_domain_error(response, 422, field, "transition_refused")
    contact.refresh_from_db()
    assert contact.lifecycle_stage == start and contact.stage_changes.count() == 1


def test_the_transition_endpoint_refuses_an_unknown_stage(api_as: Any, users: Any) -> None:
    contact = make_contact(owner=users["rep"])
    response = api_as("rep").post(
        f"/api/v1/contacts/{contact.pk}/transition", {"to_stage": "champion"}
    )
    assert_pydantic_error(response, "to_stage")


def test_the_transition_endpoint_is_idempotent(api_as: Any, users: Any) -> None:
    contact = make_contact(Stage.SQL, owner=users["rep"], at=T0)
    response = api_as("rep").post(f"/api/v1/contacts/{contact.pk}/transition",
                                  {"to_stage": "sql"})
    assert response.status_code == 200
    assert contact.stage_changes.count() == 1


def test_the_recycle_endpoint_sends_an_mql_back_to_lead_with_the_reason(
    api_as: Any, users: Any
) -> None:
    contact = make_contact(Stage.MQL, owner=users["rep"], at=T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        response = api_as("rep").post(
            f"/api/v1/contacts/{contact.pk}/recycle", {"reason": "No budget this year"}
        )
    body = response.json()
    assert (body["lifecycle_stage"], body["lead_status"]) == ("lead", "recycled")
    assert body["lead_status_reason"] == "No budget this year"
    assert body["became_mql_at"].startswith("2026-04-06T09:00:00")


def test_the_recycle_endpoint_needs_a_reason_and_an_mql_or_sql(
    api_as: Any, users: Any
) -> None:
    mql = make_contact(Stage.MQL, owner=users["rep"])
    lead = make_contact(Stage.LEAD, owner=users["rep"])
    assert_pydantic_error(api_as("rep").post(f"/api/v1/contacts/{mql.pk}/recycle", {}), "reason")
    assert_pydantic_error(
        api_as("rep").post(f"/api/v1/contacts/{mql.pk}/recycle", {"reason": ""}), "reason"
    )
    response = api_as("rep").post(f"/api/v1/contacts/{lead.pk}/recycle", {"reason": "x"})
    assert_domain_error(response, 422, "lifecycle_stage", "transition_refused")
    assert StageChange.objects.filter(cause=Cause.RECYCLE).count() == 0


def test_the_history_endpoint_lists_moves_oldest_first(api_as: Any, users: Any) -> None:
    contact = make_contact(Stage.LEAD, owner=users["rep"], at=T0)
    with time_machine.travel(T0 + HOUR, tick=False):
        api_as("admin").post(f"/api/v1/contacts/{contact.pk}/transition", {"to_stage": "mql"})
    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        api_as("rep").post(f"/api/v1/contacts/{contact.pk}/recycle", {"reason": "Too small"})
    body = api_as("marketing").get(f"/api/v1/contacts/{contact.pk}/history").json()
    rows = body["items"]
    assert body["count"] == 3
    moves = [(r["from_stage"], r["to_stage"], r["cause"], r["actor_id"]) for r in rows]
    assert moves == [
        ("", "lead", "import", None),
        ("lead", "mql", "manual", users["admin"].pk),
        ("mql", "lead", "recycle", users["rep"].pk),
    ]
    assert rows[2]["reason"] == "Too small"
    assert rows[1]["at"].startswith("2026-04-06T10:00:00")
    assert api_as("rep").get("/api/v1/contacts/999999/history").status_code == 404


# --- identities ---------------------------------------------------------------------------


def test_identities_are_listed_and_added(api_as: Any, users: Any) -> None:
    contact = make_contact(owner=users["rep"], email="pat@acme.com")
    added = api_as("rep").post(
        f"/api/v1/contacts/{contact.pk}/identities", {"kind": "anonymous_id", "value": " a-1 "}
    )
    again = api_as("rep").post(
        f"/api/v1/contacts/{contact.pk}/identities", {"kind": "email", "value": "PAT2@acme.com"}
    )
    assert added.status_code == again.status_code == 201
    listed = api_as("marketing").get(f"/api/v1/contacts/{contact.pk}/identities").json()
    assert [(i["kind"], i["value"]) for i in listed["items"]] == [
        ("email", "pat@acme.com"), ("anonymous_id", "a-1"), ("email", "pat2@acme.com"),
    ]


def test_adding_an_identity_it_already_has_is_idempotent(api_as: Any, users: Any) -> None:
    contact = make_contact(owner=users["rep"], email="pat@acme.com")
    response = api_as("rep").post(
        f"/api/v1/contacts/{contact.pk}/identities", {"kind": "email", "value": "Pat@Acme.com"}
    )
    assert response.status_code == 201
    assert contact.identities.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "anonymous_id", "value": "shared"}, "value"),
        ({"kind": "email", "value": "other@acme.com"}, "value"),
        ({"kind": "email", "value": "not an email"}, "value"),
        ({"kind": "cookie", "value": "x"}, "kind"),
        ({"kind": "user_id", "value": "   "}, "value"),
    ],
)
def test_a_bad_or_taken_identity_is_refused_naming_the_field(
    api_as: Any, users: Any, payload: dict[str, str], field: str
) -> None:
    other = make_contact(email="other@acme.com")
    from smarketing.people.services import identity_add

    identity_add(contact=other, kind="anonymous_id", value="shared")
    contact = make_contact(owner=users["rep"], email="pat@acme.com")
    response = api_as("rep").post(f"/api/v1/contacts/{contact.pk}/identities", payload)
    assert_domain_error(response, 422, field)
    assert contact.identities.count() == 1 and other.identities.count() == 2


def test_an_empty_identity_value_is_a_malformed_body(api_as: Any, users: Any) -> None:
    contact = make_contact(owner=users["rep"])
    response = api_as("rep").post(
        f"/api/v1/contacts/{contact.pk}/identities", {"kind": "user_id", "value": ""}
    )
    assert_pydantic_error(response, "value")


# --- OpenAPI ------------------------------------------------------------------------------


def test_the_openapi_schema_lists_every_path(db: Any) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = set(response.json()["paths"])
    assert paths >= {
        "/api/v1/contacts", "/api/v1/contacts/{contact_id}",
        "/api/v1/contacts/{contact_id}/transition", "/api/v1/contacts/{contact_id}/recycle",
        "/api/v1/contacts/{contact_id}/history", "/api/v1/contacts/{contact_id}/identities",
        "/api/v1/contacts/{contact_id}/merge", "/api/v1/companies",
        "/api/v1/companies/{company_id}", "/api/v1/properties", "/api/v1/tokens",
        "/api/v1/tokens/{token_id}", "/api/v1/users/me",
    }
    schemes = response.json()["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_interactive_docs_are_served(db: Any) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content

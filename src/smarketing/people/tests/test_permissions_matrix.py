"""Every write endpoint for every role: the expected status, and that a refused
request changed nothing while an allowed one did.

The rules (people/permissions.py): admins change everything; a sales manager the
records of their team's members and unowned ones; a rep their own and unowned
ones; marketing unowned companies and unowned contacts in marketing's stages.
Deleting is for admins and the owner's manager; defining properties for admins.
A record the user may not change is a 404. Which lifecycle moves a role may make
by hand is the lifecycle's rule (a refused role is a 422 naming `actor`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.forms.models import model_to_dict

from conftest import ApiClient
from smarketing.core.models import Profile, Role
from smarketing.integrations.models import ApiToken
from smarketing.integrations.services import token_create
from smarketing.people.models import (
    Company,
    Contact,
    PropertyDefinition,
    Stage,
)
from smarketing.people.services import identity_add, property_define
from smarketing.testing.factories import make_company, make_contact, make_team, make_user
from smarketing.testing.matrix import assert_write_case

pytestmark = pytest.mark.django_db

ROLES = ["admin", "marketing", "manager", "manager_other", "rep", "rep_b", "rep_other"]
# Who may change a record owned by `rep` (manager and rep_b share rep's team).
OWNER_SIDE = {"admin", "manager", "rep"}



@dataclass
class World:
    users: dict[str, Any]
    contact: Contact  # owned by rep, an MQL
    duplicate: Contact  # owned by rep, a lead
    company: Company  # owned by rep
    lead: Contact  # unowned lead
    sql: Contact  # unowned SQL
    free_company: Company  # unowned
    others_token_id: int
    identity_id: int = 0  # an anonymous id of `contact`
    property_id: int = 0  # a text property of contacts


@pytest.fixture
def world(users: dict[str, Any]) -> World:
    users = {**users, "manager_other": make_user(
        Role.SALES_MANAGER, username="manager2", team=make_team("West", "EMEA")
    )}
    rep = users["rep"]
    token, _ = token_create(user=make_user(Role.ADMIN, username="outsider"), name="theirs")
    contact = make_contact(Stage.MQL, owner=rep)
    return World(
        users=users,
        contact=contact,
        duplicate=make_contact(Stage.LEAD, owner=rep),
        company=make_company(owner=rep),
        lead=make_contact(Stage.LEAD),
        sql=make_contact(Stage.SQL),
        free_company=make_company(),
        others_token_id=token.pk,
        identity_id=identity_add(contact=contact, kind="anonymous_id", value="anon-0").pk,
        property_id=property_define(actor=None, object_type="contact", name="tier",
                                    label="Tier", type="text").pk,
    )


def contact_state(contact: Contact) -> Any:
    row = Contact.objects.filter(pk=contact.pk).first()
    if row is None:
        return None
    return (model_to_dict(row), row.stage_changes.count(), row.identities.count())


def company_state(company: Company) -> Any:
    row = Company.objects.filter(pk=company.pk).first()
    return model_to_dict(row) if row else None


def statuses(allowed: set[str], ok: int, refused: int = 404, **special: int) -> dict[str, int]:
    table = {role: ok if role in allowed else refused for role in ROLES}
    return {**table, **special}


ALL = set(ROLES)


@dataclass
class Case:
    act: Callable[[RoleClient, World], Any]
    observe: Callable[[World], Any]
    expected: dict[str, int]


CASES: dict[str, Case] = {
    # contacts owned by rep
    "create contact": Case(
        lambda api, w: api.post("/api/v1/contacts", {"email": "new@acme.com"}),
        lambda w: Contact.objects.count(), statuses(ALL, 201),
    ),
    "patch owned contact": Case(
        lambda api, w: api.patch(f"/api/v1/contacts/{w.contact.pk}", {"title": "CEO"}),
        lambda w: contact_state(w.contact), statuses(OWNER_SIDE, 200),
    ),
    "delete owned contact": Case(
        lambda api, w: api.delete(f"/api/v1/contacts/{w.contact.pk}"),
        lambda w: contact_state(w.contact), statuses({"admin", "manager"}, 204),
    ),
    "transition owned contact to sql": Case(
        lambda api, w: api.post(f"/api/v1/contacts/{w.contact.pk}/transition",
                                {"to_stage": "sql"}),
        lambda w: contact_state(w.contact), statuses(OWNER_SIDE, 200),
    ),
    "recycle owned contact": Case(
        lambda api, w: api.post(f"/api/v1/contacts/{w.contact.pk}/recycle",
                                {"reason": "No budget"}),
        lambda w: contact_state(w.contact), statuses(OWNER_SIDE, 200),
    ),
    "add identity to owned contact": Case(
        lambda api, w: api.post(f"/api/v1/contacts/{w.contact.pk}/identities",
                                {"kind": "anonymous_id", "value": "anon-1"}),
        lambda w: contact_state(w.contact), statuses(OWNER_SIDE, 201),
    ),
    "remove identity of owned contact": Case(
        lambda api, w: api.delete(f"/api/v1/contacts/{w.contact.pk}/identities/{w.identity_id}"),
        lambda w: contact_state(w.contact), statuses(OWNER_SIDE, 204),
    ),
    "merge owned contacts": Case(
        lambda api, w: api.post(f"/api/v1/contacts/{w.contact.pk}/merge",
                                {"duplicate_id": w.duplicate.pk}),
        lambda w: (contact_state(w.contact), contact_state(w.duplicate)),
        statuses(OWNER_SIDE, 200),
    ),
    # unowned contacts
    "patch unowned lead": Case(
        lambda api, w: api.patch(f"/api/v1/contacts/{w.lead.pk}", {"title": "CEO"}),
        lambda w: contact_state(w.lead), statuses(ALL, 200),
    ),
    "patch unowned sql": Case(
        lambda api, w: api.patch(f"/api/v1/contacts/{w.sql.pk}", {"title": "CEO"}),
        lambda w: contact_state(w.sql), statuses(ALL - {"marketing"}, 200),
    ),
    "claim unowned lead": Case(
        lambda api, w: api.patch(f"/api/v1/contacts/{w.lead.pk}",
                                 {"owner_id": api_user(api).pk}),
        lambda w: contact_state(w.lead), statuses(ALL - {"marketing"}, 200, 403),
    ),
    "transition unowned lead to mql": Case(
        lambda api, w: api.post(f"/api/v1/contacts/{w.lead.pk}/transition",
                                {"to_stage": "mql"}),
        lambda w: contact_state(w.lead), statuses({"admin", "marketing"}, 200, 422),
    ),
    "recycle unowned sql": Case(
        lambda api, w: api.post(f"/api/v1/contacts/{w.sql.pk}/recycle", {"reason": "Spam"}),
        lambda w: contact_state(w.sql), statuses(ALL - {"marketing"}, 200),
    ),
    "delete unowned lead": Case(
        lambda api, w: api.delete(f"/api/v1/contacts/{w.lead.pk}"),
        lambda w: contact_state(w.lead), statuses({"admin"}, 204),
    ),
    "merge unowned leads": Case(
        lambda api, w: api.post(f"/api/v1/contacts/{w.lead.pk}/merge",
                                {"duplicate_id": w.duplicate.pk}),
        lambda w: (contact_state(w.lead), contact_state(w.duplicate)),
        statuses(OWNER_SIDE, 200, 422, marketing=422),
    ),
    # companies
    "create company": Case(
        lambda api, w: api.post("/api/v1/companies", {"name": "New Co"}),
        lambda w: Company.objects.count(), statuses(ALL, 201),
    ),
    "patch owned company": Case(
        lambda api, w: api.patch(f"/api/v1/companies/{w.company.pk}", {"industry": "SaaS"}),
        lambda w: company_state(w.company), statuses(OWNER_SIDE, 200),
    ),
    "delete owned company": Case(
        lambda api, w: api.delete(f"/api/v1/companies/{w.company.pk}"),
        lambda w: company_state(w.company), statuses({"admin", "manager"}, 204),
    ),
    "patch unowned company": Case(
        lambda api, w: api.patch(f"/api/v1/companies/{w.free_company.pk}", {"industry": "x"}),
        lambda w: company_state(w.free_company), statuses(ALL, 200),
    ),
    "delete unowned company": Case(
        lambda api, w: api.delete(f"/api/v1/companies/{w.free_company.pk}"),
        lambda w: company_state(w.free_company), statuses({"admin"}, 204),
    ),
    # definitions and tokens
    "define a property": Case(
        lambda api, w: api.post("/api/v1/properties", {
            "object_type": "contact", "name": "plan", "label": "Plan", "type": "text"}),
        lambda w: PropertyDefinition.objects.count(), statuses({"admin"}, 201, 403),
    ),
    "change a property": Case(
        lambda api, w: api.patch(f"/api/v1/properties/{w.property_id}", {"label": "Level"}),
        lambda w: list(PropertyDefinition.objects.values_list("label", flat=True)),
        statuses({"admin"}, 200, 403),
    ),
    "delete a property": Case(
        lambda api, w: api.delete(f"/api/v1/properties/{w.property_id}"),
        lambda w: PropertyDefinition.objects.count(), statuses({"admin"}, 204, 403),
    ),
    "create a user": Case(
        lambda api, w: api.post("/api/v1/users", {"username": "nia", "role": "sales_rep"}),
        lambda w: w.users["rep"].__class__.objects.count(), statuses({"admin"}, 201, 403),
    ),
    "change a user": Case(
        lambda api, w: api.patch(f"/api/v1/users/{w.users['rep'].pk}", {"capacity": 7}),
        lambda w: Profile.objects.get(user=w.users["rep"]).capacity,
        statuses({"admin"}, 200, 403),
    ),
    "create a token": Case(
        lambda api, w: api.post("/api/v1/tokens", {"name": "laptop"}),
        lambda w: ApiToken.objects.count(), statuses(ALL, 201),
    ),
    "revoke own token": Case(
        lambda api, w: api.delete(f"/api/v1/tokens/{api.spare_token_id}"),
        lambda w: ApiToken.objects.filter(revoked_at__isnull=False).count(), statuses(ALL, 204),
    ),
    "revoke another user's token": Case(
        lambda api, w: api.delete(f"/api/v1/tokens/{w.others_token_id}"),
        lambda w: ApiToken.objects.filter(revoked_at__isnull=False).count(),
        statuses(set(), 204),
    ),
}


def api_user(api: RoleClient) -> Any:
    return api.user


class RoleClient(ApiClient):
    """An API client that knows its user and holds a spare token to revoke."""

    def __init__(self, user: Any) -> None:
        super().__init__(user)
        self.user = user
        self.spare_token_id = token_create(user=user, name="spare")[0].pk


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_write_matrix(world: World, case: str, role: str) -> None:
    assert_write_case(CASES[case], RoleClient(world.users[role]), world, role, case)


READS = [
    "/api/v1/contacts", "/api/v1/contacts/{contact}", "/api/v1/contacts/{contact}/history",
    "/api/v1/contacts/{contact}/identities", "/api/v1/companies",
    "/api/v1/companies/{company}", "/api/v1/properties", "/api/v1/tokens", "/api/v1/users/me",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READS)
def test_everyone_reads_every_record(world: World, path: str, role: str) -> None:
    url = path.format(contact=world.contact.pk, company=world.company.pk)
    response = RoleClient(world.users[role]).get(url)
    assert response.status_code == 200, (url, role, response.content)


MATRIX_PREFIXES = tuple(
    f"/api/v1/{name}" for name in ("contacts", "companies", "properties", "tokens", "users")
)


def test_the_matrix_covers_every_write_endpoint() -> None:
    from smarketing.api import api

    writes = {
        (method, path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
        if method in {"post", "patch", "put", "delete"}
        and path.startswith(MATRIX_PREFIXES)  # other apps keep their own matrix
    }
    covered = {
        ("post", "/api/v1/contacts"), ("patch", "/api/v1/contacts/{contact_id}"),
        ("delete", "/api/v1/contacts/{contact_id}"),
        ("post", "/api/v1/contacts/{contact_id}/transition"),
        ("post", "/api/v1/contacts/{contact_id}/recycle"),
        ("post", "/api/v1/contacts/{contact_id}/identities"),
        ("delete", "/api/v1/contacts/{contact_id}/identities/{identity_id}"),
        ("post", "/api/v1/contacts/{contact_id}/merge"),
        ("post", "/api/v1/companies"), ("patch", "/api/v1/companies/{company_id}"),
        ("delete", "/api/v1/companies/{company_id}"), ("post", "/api/v1/properties"),
        ("patch", "/api/v1/properties/{property_id}"),
        ("delete", "/api/v1/properties/{property_id}"),
        ("post", "/api/v1/tokens"), ("delete", "/api/v1/tokens/{token_id}"),
        ("post", "/api/v1/users"), ("patch", "/api/v1/users/{user_id}"),
    }
    assert writes == covered, "a write endpoint was added: add it to CASES"

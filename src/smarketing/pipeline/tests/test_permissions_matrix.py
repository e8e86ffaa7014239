"""Every pipeline write endpoint for every role: the expected status, and that a
refused request changed nothing while an allowed one did.

The rules (pipeline/permissions.py): admins change every deal; a sales manager the
deals of their team's members; a rep their own; marketing none (and opens none).
Deleting is changing, except that only admins and managers delete a won deal.
Anyone logs activities; a task is completed by its owner, their manager or an
admin. Quotas are set by admins and the rep's manager; products by admins and
sales managers.
A deal or activity the user may not change is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.forms.models import model_to_dict

from smarketing.core.models import Role
from smarketing.people.models import Contact, Stage
from smarketing.people.tests.test_permissions_matrix import RoleClient
from smarketing.pipeline.models import (
    Activity,
    Deal,
    LineItem,
    LostReason,
    Pipeline,
    Product,
    Quota,
)
from smarketing.pipeline.pipelines import pipeline_create
from smarketing.pipeline.services import activity_log, deal_win, line_item_add, quota_set
from smarketing.pipeline.tests.factories import make_deal, make_product, stage
from smarketing.testing.factories import make_company, make_contact, make_team, make_user
from smarketing.testing.matrix import assert_write_case

pytestmark = pytest.mark.django_db

ROLES = ["admin", "marketing", "manager", "manager_other", "rep", "rep_b", "rep_other"]
OWNER_SIDE = {"admin", "manager", "rep"}
ALL = set(ROLES)
MANAGERS = {"admin", "manager", "manager_other"}  # products: every sales manager, any team


@dataclass
class World:
    users: dict[str, Any]
    deal: Deal  # rep's, open, with a line
    won: Deal  # rep's, won
    line: LineItem
    product: Product
    task: Activity  # rep's open task
    contact: Contact  # an SQL, on no deal
    reason: LostReason
    quota: Quota  # rep's, September 2026
    spare: Pipeline  # no deal in it


@pytest.fixture
def world(users: dict[str, Any]) -> World:
    users = {**users, "manager_other": make_user(
        Role.SALES_MANAGER, username="manager2", team=make_team("West", "EMEA")
    )}
    rep = users["rep"]
    deal = make_deal(rep, contacts=[make_contact(Stage.SQL)])
    product = make_product(price="100")
    won = make_deal(rep, stage_name="Negotiation")
    deal_win(deal=won, actor=rep)
    task = activity_log(actor=rep, kind="task", subject="Call back", deal=deal,
                        due_at=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
    return World(
        users=users, deal=deal, won=won,
        line=line_item_add(deal=deal, actor=rep, product=product), product=product,
        task=task, contact=make_contact(Stage.SQL), reason=LostReason.objects.first(),
        quota=quota_set(actor=rep, owner=rep, period="month", start=dt.date(2026, 9, 1),
                        amount="30000"),
        spare=pipeline_create(actor=None, name="Spare"),
    )


def deal_state(deal: Deal) -> Any:
    row = Deal.objects.get(pk=deal.pk)
    lines = list(row.line_items.values_list("quantity", "amount"))
    return (model_to_dict(row), row.stage_changes.count(), row.deal_contacts.count(), lines)


def statuses(allowed: set[str], ok: int, refused: int = 404) -> dict[str, int]:
    return {role: ok if role in allowed else refused for role in ROLES}


@dataclass
class Case:
    act: Callable[[RoleClient, World], Any]
    observe: Callable[[World], Any]
    expected: dict[str, int]


def _deal(w: World, tail: str = "") -> str:
    return f"/api/v1/deals/{w.deal.pk}{tail}"


CASES: dict[str, Case] = {
    "open a deal": Case(
        lambda api, w: api.post("/api/v1/deals", {
            "name": "New", "amount": "10.00", "expected_close_date": "2026-12-01"}),
        lambda w: Deal.objects.count(), statuses(ALL - {"marketing"}, 201, 403),
    ),
    "patch rep's deal": Case(
        lambda api, w: api.patch(_deal(w), {"name": "Renamed"}),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 200),
    ),
    "move rep's deal": Case(
        lambda api, w: api.post(_deal(w, "/move"), {"stage_id": stage("Demo").pk}),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 200),
    ),
    "win rep's deal": Case(
        lambda api, w: api.post(_deal(w, "/win")),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 200),
    ),
    "lose rep's deal": Case(
        lambda api, w: api.post(_deal(w, "/lose"), {"lost_reason_id": w.reason.pk}),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 200),
    ),
    "reopen rep's won deal": Case(
        lambda api, w: api.post(f"/api/v1/deals/{w.won.pk}/reopen", {}),
        lambda w: deal_state(w.won), statuses(OWNER_SIDE, 200),
    ),
    "add a contact to rep's deal": Case(
        lambda api, w: api.post(_deal(w, "/contacts"), {"contact_id": w.contact.pk}),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 201),
    ),
    "take a contact off rep's deal": Case(
        lambda api, w: api.delete(_deal(
            w, f"/contacts/{w.deal.deal_contacts.get().contact_id}")),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 204),
    ),
    "add a line to rep's deal": Case(
        lambda api, w: api.post(_deal(w, "/line-items"), {"product_id": w.product.pk}),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 201),
    ),
    "change a line of rep's deal": Case(
        lambda api, w: api.patch(_deal(w, f"/line-items/{w.line.pk}"), {"quantity": 4}),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 200),
    ),
    "remove a line of rep's deal": Case(
        lambda api, w: api.delete(_deal(w, f"/line-items/{w.line.pk}")),
        lambda w: deal_state(w.deal), statuses(OWNER_SIDE, 204),
    ),
    "delete rep's open deal": Case(
        lambda api, w: api.delete(_deal(w)),
        lambda w: Deal.objects.filter(pk=w.deal.pk).exists(), statuses(OWNER_SIDE, 204),
    ),
    "delete rep's won deal": Case(
        lambda api, w: api.delete(f"/api/v1/deals/{w.won.pk}"),
        lambda w: Deal.objects.filter(pk=w.won.pk).exists(),
        {**statuses({"admin", "manager"}, 204), "rep": 403},
    ),
    "open a suggested deal for a customer": Case(
        lambda api, w: api.post(
            f"/api/v1/customers/{make_company().pk}/suggestions/{w.product.pk}/deal",
            {"type": "upsell"}),
        lambda w: Deal.objects.count(), statuses(ALL - {"marketing"}, 201, 403),
    ),
    "add a product": Case(
        lambda api, w: api.post("/api/v1/products", {"name": "Seats", "list_price": "9.50"}),
        lambda w: Product.objects.count(), statuses(MANAGERS, 201, 403),
    ),
    "change a product": Case(
        lambda api, w: api.patch(f"/api/v1/products/{w.product.pk}", {"list_price": "1"}),
        lambda w: model_to_dict(Product.objects.get(pk=w.product.pk)),
        statuses(MANAGERS, 200, 403),
    ),
    "delete the product on rep's line": Case(
        lambda api, w: api.delete(f"/api/v1/products/{w.product.pk}"),
        lambda w: Product.objects.filter(pk=w.product.pk).exists(),
        statuses(MANAGERS, 409, 403),
    ),
    "log an activity": Case(
        lambda api, w: api.post("/api/v1/activities", {
            "kind": "call", "subject": "Intro", "contact_id": w.contact.pk}),
        lambda w: Activity.objects.count(), statuses(ALL, 201),
    ),
    "complete rep's task": Case(
        lambda api, w: api.post(f"/api/v1/activities/{w.task.pk}/complete", {}),
        lambda w: model_to_dict(Activity.objects.get(pk=w.task.pk)),
        statuses(OWNER_SIDE, 200),
    ),
    "patch rep's task": Case(
        lambda api, w: api.patch(f"/api/v1/activities/{w.task.pk}", {"subject": "Renamed"}),
        lambda w: model_to_dict(Activity.objects.get(pk=w.task.pk)),
        statuses(OWNER_SIDE, 200),
    ),
    "delete rep's task": Case(
        lambda api, w: api.delete(f"/api/v1/activities/{w.task.pk}"),
        lambda w: Activity.objects.filter(pk=w.task.pk).exists(), statuses(OWNER_SIDE, 204),
    ),
    "set rep's quota": Case(
        lambda api, w: api.post("/api/v1/quotas", {
            "owner_id": w.users["rep"].pk, "period": "quarter", "start": "2026-04-01",
            "amount": "90000"}),
        lambda w: list(Quota.objects.values_list("amount", flat=True)),
        statuses({"admin", "manager"}, 201, 403),
    ),
}


CASES.update({
    "change rep's quota": Case(
        lambda api, w: api.patch(f"/api/v1/quotas/{w.quota.pk}", {"amount": "1"}),
        lambda w: list(Quota.objects.values_list("amount", flat=True)),
        statuses({"admin", "manager"}, 200, 403),
    ),
    "remove rep's quota": Case(
        lambda api, w: api.delete(f"/api/v1/quotas/{w.quota.pk}"),
        lambda w: Quota.objects.count(), statuses({"admin", "manager"}, 204, 403),
    ),
    "add a lost reason": Case(
        lambda api, w: api.post("/api/v1/lost-reasons", {"name": "Went dark"}),
        lambda w: LostReason.objects.count(), statuses({"admin"}, 201, 403),
    ),
    "retire a lost reason": Case(
        lambda api, w: api.patch(f"/api/v1/lost-reasons/{w.reason.pk}", {"active": False}),
        lambda w: LostReason.objects.get(pk=w.reason.pk).active, statuses({"admin"}, 200, 403),
    ),
    "delete an empty pipeline": Case(
        lambda api, w: api.delete(f"/api/v1/pipelines/{w.spare.pk}"),
        lambda w: Pipeline.objects.filter(pk=w.spare.pk).exists(),
        statuses(MANAGERS, 204, 403),
    ),
})


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_pipeline_write_matrix(world: World, case: str, role: str) -> None:
    assert_write_case(CASES[case], RoleClient(world.users[role]), world, role, case)


READS = [
    "/api/v1/deals", "/api/v1/deals/{deal}", "/api/v1/deals/{deal}/history",
    "/api/v1/deals/{deal}/line-items", "/api/v1/pipelines", "/api/v1/lost-reasons",
    "/api/v1/products", "/api/v1/activities", "/api/v1/quotas", "/api/v1/customers",
    "/api/v1/products/{product}", "/api/v1/quotas/{quota}", "/api/v1/activities/{task}",
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READS)
def test_everyone_reads_the_pipeline(world: World, path: str, role: str) -> None:
    url = path.format(deal=world.deal.pk, product=world.product.pk, quota=world.quota.pk,
                      task=world.task.pk)
    response = RoleClient(world.users[role]).get(url)
    assert response.status_code == 200, (url, role, response.content)


PREFIXES = tuple(f"/api/v1/{name}" for name in (
    "deals", "products", "activities", "quotas", "customers", "lost-reasons"))


def test_the_matrix_covers_every_pipeline_write_endpoint() -> None:
    from smarketing.api import api

    writes = {
        (method, path)
        for path, methods in api.get_openapi_schema()["paths"].items()
        for method in methods
        if method in {"post", "patch", "put", "delete"} and path.startswith(PREFIXES)
    }
    d = "/api/v1/deals/{deal_id}"
    covered = {
        ("post", "/api/v1/deals"), ("patch", d), ("delete", d), ("post", f"{d}/move"),
        ("post", f"{d}/win"), ("post", f"{d}/lose"), ("post", f"{d}/reopen"),
        ("post", f"{d}/contacts"), ("delete", f"{d}/contacts/{{contact_id}}"),
        ("post", f"{d}/line-items"), ("patch", f"{d}/line-items/{{line_id}}"),
        ("delete", f"{d}/line-items/{{line_id}}"), ("post", "/api/v1/products"),
        ("patch", "/api/v1/products/{product_id}"), ("post", "/api/v1/activities"),
        ("post", "/api/v1/activities/{activity_id}/complete"), ("post", "/api/v1/quotas"),
        ("delete", "/api/v1/activities/{activity_id}"),
        ("patch", "/api/v1/activities/{activity_id}"),
        ("delete", "/api/v1/products/{product_id}"),
        ("patch", "/api/v1/quotas/{quota_id}"), ("delete", "/api/v1/quotas/{quota_id}"),
        ("post", "/api/v1/customers/{company_id}/suggestions/{product_id}/deal"),
        ("post", "/api/v1/lost-reasons"), ("patch", "/api/v1/lost-reasons/{reason_id}"),
    }
    assert writes == covered, "a pipeline write endpoint was added: add it to CASES"


def test_the_boards_changeable_owners_agree_with_the_per_deal_rule(
    users: dict[str, Any]
) -> None:
    from smarketing.pipeline.permissions import changeable_owner_ids, deal_can_change

    for user in users.values():
        owners = changeable_owner_ids(user)
        for owner in users.values():
            in_set = owners is None or owner.pk in owners
            assert in_set == deal_can_change(user, Deal(owner_id=owner.pk)), (user, owner)

"""The REST gaps filled for issue 9: activity PATCH, product GET/DELETE, quota GET/PATCH/DELETE."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.people.models import Stage
from smarketing.pipeline.models import Activity, Product, Quota
from smarketing.pipeline.services import activity_log, line_item_add, quota_set
from smarketing.pipeline.tests.factories import make_deal, make_product
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def _task(owner: Any) -> Activity:
    return activity_log(actor=owner, kind="task", subject="Call back",
                        due_at=dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC),
                        contact=make_contact(Stage.MQL))


def test_an_owner_changes_their_activitys_subject_outcome_and_due_date(
    users: dict[str, Any], api_as: Any
) -> None:
    task = _task(users["rep"])
    response = api_as("rep").patch(f"/api/v1/activities/{task.pk}", {
        "subject": " Call back Ada ", "outcome": "Busy", "due_at": "2026-05-02T10:00:00Z"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["subject"], body["outcome"]) == ("Call back Ada", "Busy")
    assert body["due_at"].startswith("2026-05-02T10:00:00")
    assert Activity.objects.get(pk=task.pk).body == ""


def test_a_rep_of_another_team_cannot_change_an_activity_but_the_manager_can(
    users: dict[str, Any], api_as: Any
) -> None:
    task = _task(users["rep"])
    refused = api_as("rep_other").patch(f"/api/v1/activities/{task.pk}", {"subject": "Mine"})
    assert (refused.status_code, refused.json()["field"]) == (404, "id")
    allowed = api_as("manager").patch(f"/api/v1/activities/{task.pk}", {"body": "Notes"})
    assert allowed.status_code == 200 and allowed.json()["body"] == "Notes"


def test_a_task_cannot_lose_its_due_date_nor_an_activity_its_subject(
    users: dict[str, Any], api_as: Any
) -> None:
    task = _task(users["rep"])
    api = api_as("rep")
    no_due = api.patch(f"/api/v1/activities/{task.pk}", {"due_at": None})
    assert (no_due.status_code, no_due.json()["field"]) == (422, "due_at")
    blank = api.patch(f"/api/v1/activities/{task.pk}", {"subject": "  "})
    assert (blank.status_code, blank.json()["field"]) == (422, "subject")
    assert Activity.objects.get(pk=task.pk).subject == "Call back"


def test_anyone_reads_one_product_and_an_unknown_one_is_404(api_as: Any) -> None:
    seats = make_product(name="Seats", price="33.33")
    api = api_as("marketing")
    assert api.get(f"/api/v1/products/{seats.pk}").json()["list_price"] == "33.33"
    missing = api.get(f"/api/v1/products/{seats.pk + 99}")
    assert (missing.status_code, missing.json()["field"]) == (404, "id")


def test_an_admin_deletes_an_unused_product_a_rep_may_not(api_as: Any) -> None:
    seats = make_product(name="Seats")
    refused = api_as("rep").delete(f"/api/v1/products/{seats.pk}")
    assert refused.status_code == 403
    assert api_as("admin").delete(f"/api/v1/products/{seats.pk}").status_code == 204
    assert not Product.objects.exists()


def test_a_product_on_a_line_item_is_refused_naming_line_items(
    users: dict[str, Any], api_as: Any
) -> None:
    seats = make_product(name="Seats")
    line_item_add(deal=make_deal(users["rep"]), actor=users["rep"], product=seats)
    refused = api_as("admin").delete(f"/api/v1/products/{seats.pk}")
    assert (refused.status_code, refused.json()["field"]) == (409, "line_items")
    assert Product.objects.filter(pk=seats.pk).exists()


def _quota(owner: Any) -> Quota:
    return quota_set(actor=None, owner=owner, period="month", start=dt.date(2026, 5, 1),
                     amount="30000")


def test_a_manager_reads_changes_and_removes_a_team_members_quota(
    users: dict[str, Any], api_as: Any
) -> None:
    quota = _quota(users["rep"])
    api = api_as("manager")
    assert api.get(f"/api/v1/quotas/{quota.pk}").json()["amount"] == "30000.00"
    changed = api.patch(f"/api/v1/quotas/{quota.pk}", {"amount": "45000"})
    assert changed.status_code == 200 and changed.json()["amount"] == "45000.00"
    assert api.delete(f"/api/v1/quotas/{quota.pk}").status_code == 204
    assert not Quota.objects.exists()


def test_a_manager_may_not_change_another_teams_quota(
    users: dict[str, Any], api_as: Any
) -> None:
    quota = _quota(users["rep_other"])
    api = api_as("manager")
    refused = api.patch(f"/api/v1/quotas/{quota.pk}", {"amount": "1"})
    assert (refused.status_code, refused.json()["field"]) == (403, "owner_id")
    assert api.delete(f"/api/v1/quotas/{quota.pk}").status_code == 403
    assert Quota.objects.get(pk=quota.pk).amount == 30000


def test_a_negative_quota_amount_is_refused_naming_amount(
    users: dict[str, Any], api_as: Any
) -> None:
    quota = _quota(users["rep"])
    bad = api_as("admin").patch(f"/api/v1/quotas/{quota.pk}", {"amount": "-5"})
    assert bad.status_code == 422
    assert bad.json()["field"] == "amount"

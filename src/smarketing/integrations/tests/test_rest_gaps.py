"""Endpoints added for REST completeness: users list, one activity, deleting one."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.pipeline.models import Activity
from smarketing.pipeline.services import activity_log
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def test_the_users_list_filters_by_role_and_team(api_as: Any, users: dict[str, Any]) -> None:
    api = api_as("rep")
    everyone = api.get("/api/v1/users").json()
    assert everyone["count"] == 6
    reps = api.get("/api/v1/users", role="sales_rep").json()["items"]
    assert [u["username"] for u in reps] == ["rep1", "rep2", "rep3"]
    team = users["rep"].profile.team_id
    assert {u["username"] for u in api.get("/api/v1/users", team_id=team).json()["items"]} == {
        "manager", "rep1", "rep2",
    }
    assert api.get("/api/v1/users", role="boss").json()["field"] == "role"


@pytest.mark.parametrize(
    ("role", "expected"),
    [("rep", 204), ("manager", 204), ("admin", 204), ("rep_b", 404), ("rep_other", 404),
     ("marketing", 404)],
)
def test_who_may_delete_an_activity(
    api_as: Any, users: dict[str, Any], role: str, expected: int
) -> None:
    call = activity_log(actor=users["rep"], kind="call", subject="Intro",
                        contact=make_contact(email="a@example.com"))
    api = api_as(role)
    assert api.get(f"/api/v1/activities/{call.pk}").json()["subject"] == "Intro"
    assert api.delete(f"/api/v1/activities/{call.pk}").status_code == expected
    assert Activity.objects.filter(pk=call.pk).exists() == (expected != 204)


def test_admins_create_rename_and_delete_teams_and_others_get_403(api_as: Any) -> None:
    admin = api_as("admin")
    created = admin.post("/api/v1/teams", {"name": "Benelux", "region": "EMEA"})
    assert created.status_code == 201
    team = created.json()
    assert (team["name"], team["region"], team["members"]) == ("Benelux", "EMEA", 0)
    assert admin.get(f"/api/v1/teams/{team['id']}").json()["name"] == "Benelux"
    renamed = admin.patch(f"/api/v1/teams/{team['id']}", {"name": "Nordics"})
    assert renamed.json()["name"] == "Nordics"
    assert api_as("manager").patch(f"/api/v1/teams/{team['id']}", {"name": "X"}).status_code == 403
    assert api_as("marketing").post("/api/v1/teams", {"name": "Y"}).json()["field"] == "name"
    assert admin.post("/api/v1/teams", {"name": "Nordics"}).json()["field"] == "name"
    assert admin.post("/api/v1/teams", {"name": "Z", "region": "MARS"}).json()["field"] == "region"
    assert admin.delete(f"/api/v1/teams/{team['id']}").status_code == 204
    assert admin.get(f"/api/v1/teams/{team['id']}").json()["field"] == "id"


def test_a_team_with_active_members_is_not_deleted(api_as: Any, users: dict[str, Any]) -> None:
    team_id = users["rep"].profile.team_id
    answer = api_as("admin").delete(f"/api/v1/teams/{team_id}")
    assert (answer.status_code, answer.json()["field"]) == (409, "members")
    assert "3 active users" in answer.json()["detail"]


def test_an_identity_is_removed_but_not_the_contacts_own_email(
    api_as: Any, users: dict[str, Any]
) -> None:
    contact = make_contact(email="ann@example.com", owner=users["rep"])
    api = api_as("rep")
    added = api.post(f"/api/v1/contacts/{contact.pk}/identities",
                     {"kind": "email", "value": "ann@home.example"}).json()
    own = next(i for i in api.get(f"/api/v1/contacts/{contact.pk}/identities").json()["items"]
               if i["value"] == "ann@example.com")
    refused = api.delete(f"/api/v1/contacts/{contact.pk}/identities/{own['id']}")
    assert (refused.status_code, refused.json()["field"]) == (409, "identity_id")
    assert api_as("rep_other").delete(
        f"/api/v1/contacts/{contact.pk}/identities/{added['id']}").status_code == 404
    assert api.delete(f"/api/v1/contacts/{contact.pk}/identities/{added['id']}").status_code == 204
    listed = api.get(f"/api/v1/contacts/{contact.pk}/identities").json()
    values = [i["value"] for i in listed["items"]]
    assert values == ["ann@example.com"]
    missing = api.delete(f"/api/v1/contacts/{contact.pk}/identities/{added['id']}")
    assert (missing.status_code, missing.json()["field"]) == (404, "identity_id")


def _plan_property(api: Any) -> dict[str, Any]:
    answer = api.post("/api/v1/properties", {"object_type": "contact", "name": "plan",
                                              "type": "choice", "choices": ["free", "pro"]})
    assert answer.status_code == 201
    return answer.json()  # type: ignore[no-any-return]


def test_admins_change_a_property_but_a_choice_in_use_stays(api_as: Any) -> None:
    admin = api_as("admin")
    plan = _plan_property(admin)
    make_contact(email="pro@example.com", properties={"plan": "pro"})
    changed = admin.patch(f"/api/v1/properties/{plan['id']}",
                          {"label": "Plan", "choices": ["free", "pro", "team"]}).json()
    assert (changed["label"], changed["choices"]) == ("Plan", ["free", "pro", "team"])
    dropped = admin.patch(f"/api/v1/properties/{plan['id']}", {"choices": ["free"]})
    assert (dropped.status_code, dropped.json()["field"]) == (409, "choices")
    assert "1 records hold 'pro'" in dropped.json()["detail"]
    retype = admin.patch(f"/api/v1/properties/{plan['id']}", {"type": "text"})
    assert retype.status_code == 422
    assert api_as("marketing").patch(f"/api/v1/properties/{plan['id']}",
                                     {"label": "x"}).json()["field"] == "id"
    assert api_as("rep").get(f"/api/v1/properties/{plan['id']}").json()["label"] == "Plan"


def test_deleting_a_property_removes_its_values_from_every_record(api_as: Any) -> None:
    admin = api_as("admin")
    plan = _plan_property(admin)
    holder = make_contact(email="pro@example.com", properties={"plan": "pro"})
    assert api_as("manager").delete(f"/api/v1/properties/{plan['id']}").status_code == 403
    assert admin.delete(f"/api/v1/properties/{plan['id']}").status_code == 204
    holder.refresh_from_db()
    assert holder.properties == {}
    assert admin.get(f"/api/v1/properties/{plan['id']}").status_code == 404


def test_each_user_lists_and_marks_read_only_their_own_notifications(
    api_as: Any, users: dict[str, Any]
) -> None:
    import datetime as dt

    from smarketing.core.models import Notification

    def note(user: Any, title: str, minutes: int) -> Notification:
        return Notification.objects.create(
            user=user, kind="mql.assigned", title=title,
            created_at=dt.datetime(2026, 3, 4, 12, minutes, tzinfo=dt.UTC))

    first, second = note(users["rep"], "First", 0), note(users["rep"], "Second", 5)
    theirs = note(users["rep_b"], "Not yours", 9)
    api = api_as("rep")
    listed = api.get("/api/v1/notifications").json()
    assert ([n["title"] for n in listed["items"]], listed["unread"]) == (["Second", "First"], 2)
    assert api.post(f"/api/v1/notifications/{first.pk}/read").json()["read_at"] is not None
    assert [n["title"] for n in api.get("/api/v1/notifications", unread=True).json()["items"]] == [
        "Second"]
    assert api.post(f"/api/v1/notifications/{theirs.pk}/read").json()["field"] == "id"
    assert api.post("/api/v1/notifications/read-all").json() == {"marked": 1}
    second.refresh_from_db()
    theirs.refresh_from_db()
    assert second.read_at is not None and theirs.read_at is None


def test_a_contact_taken_off_a_deal_keeps_its_history(api_as: Any, users: dict[str, Any]) -> None:
    from smarketing.pipeline.tests.factories import make_deal

    buyer = make_contact(email="buyer@example.com")
    deal = make_deal(users["rep"], contacts=[buyer])
    buyer.refresh_from_db()
    stage_before = buyer.lifecycle_stage
    api = api_as("rep")
    assert api.delete(f"/api/v1/deals/{deal.pk}/contacts/{buyer.pk}").status_code == 204
    assert api.get(f"/api/v1/deals/{deal.pk}").json()["contacts"] == []
    buyer.refresh_from_db()
    assert buyer.lifecycle_stage == stage_before
    again = api.delete(f"/api/v1/deals/{deal.pk}/contacts/{buyer.pk}")
    assert (again.status_code, again.json()["field"]) == (404, "contact_id")


def test_admins_create_change_and_deactivate_users(api_as: Any, users: dict[str, Any]) -> None:
    admin = api_as("admin")
    team_id = users["rep"].profile.team_id
    created = admin.post("/api/v1/users", {"username": "newrep", "role": "sales_rep",
                                           "first_name": "Nia", "team_id": team_id})
    assert created.status_code == 201
    new = created.json()
    assert (new["role"], new["team_id"], new["capacity"]) == ("sales_rep", team_id, 50)
    changed = admin.patch(f"/api/v1/users/{new['id']}", {"role": "sales_manager",
                                                         "capacity": 10}).json()
    assert (changed["role"], changed["capacity"]) == ("sales_manager", 10)
    assert admin.patch(f"/api/v1/users/{new['id']}", {"is_active": False}).status_code == 200
    assert admin.get(f"/api/v1/users/{new['id']}").status_code == 404  # not an owner now
    assert admin.patch(f"/api/v1/users/{new['id']}", {"is_active": True}).json()["id"] == new["id"]


@pytest.mark.parametrize(("payload", "field"), [
    ({"username": "rep1", "role": "sales_rep"}, "username"),
    ({"username": "x", "role": "boss"}, "role"),
    ({"username": "x", "role": "sales_rep", "team_id": 999999}, "team_id"),
    ({"username": "x", "role": "sales_rep", "password": "123"}, "password"),
    ({"username": "x", "role": "sales_rep", "nickname": "y"}, "nickname"),
])
def test_a_bad_user_names_the_field_and_writes_nothing(
    api_as: Any, users: dict[str, Any], payload: dict[str, Any], field: str
) -> None:
    from django.contrib.auth.models import User

    before = User.objects.count()
    answer = api_as("admin").post("/api/v1/users", payload)
    assert (answer.status_code, answer.json()["field"]) == (422, field)
    assert User.objects.count() == before


def test_only_admins_manage_users_and_nobody_deactivates_themselves(
    api_as: Any, users: dict[str, Any]
) -> None:
    assert api_as("manager").post("/api/v1/users", {"username": "x", "role": "sales_rep"}
                                  ).status_code == 403
    rep = users["rep"].pk
    assert api_as("manager").patch(f"/api/v1/users/{rep}", {"capacity": 1}).status_code == 403
    own = api_as("admin").patch(f"/api/v1/users/{users['admin'].pk}", {"is_active": False})
    assert (own.status_code, own.json()["field"]) == (422, "is_active")

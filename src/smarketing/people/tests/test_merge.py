"""contact_merge: a duplicate folds into a primary contact and nothing is lost."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Role
from smarketing.people.lifecycle import contact_recycle
from smarketing.people.merge import contact_merge
from smarketing.people.models import (
    ORDERED_STAGES,
    Cause,
    Contact,
    ContactMerge,
    Identity,
    IdentityKind,
    LeadStatus,
    PropertyObject,
    Stage,
    StageChange,
    stage_rank,
)
from smarketing.people.services import identity_add, property_define
from smarketing.testing.factories import make_company, make_contact, make_user, set_score

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
pytestmark = pytest.mark.django_db



@pytest.fixture
def admin(db: Any) -> Any:
    return make_user(Role.ADMIN)


def merge_now(primary: Contact, duplicate: Contact, actor: Any, at: dt.datetime) -> Contact:
    with time_machine.travel(at, tick=False):
        return contact_merge(primary=primary, duplicate=duplicate, actor=actor)


def test_it_moves_identities_and_stage_history_to_the_primary(admin: Any) -> None:
    primary = make_contact(Stage.LEAD, at=T0, email="pat@acme.com")
    duplicate = make_contact(Stage.LEAD, at=T0 + DAY, email="pat.home@mail.com")
    identity_add(contact=duplicate, kind=IdentityKind.ANONYMOUS_ID, value="anon-42")
    duplicate_history = list(duplicate.stage_changes.values_list("id", flat=True))

    merged = merge_now(primary, duplicate, admin, T0 + 2 * DAY)

    assert not Contact.objects.filter(pk=duplicate.pk).exists()
    values = set(merged.identities.values_list("kind", "value"))
    assert values == {
        ("email", "pat@acme.com"), ("email", "pat.home@mail.com"), ("anonymous_id", "anon-42"),
    }
    moved = StageChange.objects.filter(id__in=duplicate_history)
    assert {row.contact_id for row in moved} == {primary.pk}
    assert merged.stage_changes.count() == 2


def test_it_repoints_earlier_merge_records_of_the_duplicate(admin: Any) -> None:
    primary, middle, oldest = (make_contact(Stage.LEAD, at=T0) for _ in range(3))
    merge_now(middle, oldest, admin, T0 + DAY)
    merge_now(primary, middle, admin, T0 + 2 * DAY)
    records = ContactMerge.objects.order_by("at")
    assert [r.merged_contact_id for r in records] == [oldest.pk, middle.pk]
    assert {r.primary_id for r in records} == {primary.pk}
    assert Identity.objects.filter(contact=primary).count() == 3


def test_it_fills_the_primarys_empty_fields_from_the_duplicate(admin: Any) -> None:
    company, other_company = make_company(), make_company()
    primary = make_contact(
        Stage.LEAD, at=T0, email="", first_name="Pat", last_name="", company=company,
        title="", phone="",
    )
    duplicate = make_contact(
        Stage.LEAD, at=T0, email="p.lee@acme.com", first_name="Patricia", last_name="Lee",
        company=other_company, title="CFO", phone="+1 555 0100", owner=admin,
        original_source="paid_search", original_campaign="Q1 search",
    )
    merged = merge_now(primary, duplicate, admin, T0 + DAY)
    merged.refresh_from_db()
    assert (merged.first_name, merged.company) == ("Pat", company)  # primary's values win
    assert (merged.email, merged.last_name, merged.title) == ("p.lee@acme.com", "Lee", "CFO")
    assert (merged.phone, merged.owner) == ("+1 555 0100", admin)
    assert (merged.original_source, merged.original_campaign) == ("paid_search", "Q1 search")
    assert Identity.objects.get(kind="email", value="p.lee@acme.com").contact_id == primary.pk


def test_it_unions_properties_with_the_primarys_values_winning(admin: Any) -> None:
    for name in ("plan", "seats", "region_code"):
        property_define(actor=admin, object_type=PropertyObject.CONTACT, name=name,
                        label=name, type="text")
    primary = make_contact(Stage.LEAD, at=T0, properties={"plan": "pro", "seats": "5"})
    duplicate = make_contact(
        Stage.LEAD, at=T0, properties={"plan": "free", "region_code": "EU"}
    )
    merged = merge_now(primary, duplicate, admin, T0 + DAY)
    assert merged.properties == {"plan": "pro", "seats": "5", "region_code": "EU"}


def test_it_keeps_the_higher_scores(admin: Any) -> None:
    primary = make_contact(Stage.LEAD, at=T0)
    duplicate = make_contact(Stage.LEAD, at=T0)
    set_score(primary, 40, fit=5, engagement=35)
    set_score(duplicate, 30, fit=20, engagement=10)
    merged = merge_now(primary, duplicate, admin, T0 + DAY)
    assert (merged.score, merged.fit_score, merged.engagement_score) == (40, 20, 35)


def test_the_first_reached_times_are_the_earliest_of_both(admin: Any) -> None:
    primary = make_contact(Stage.SUBSCRIBER, at=T0 + 3 * DAY)
    duplicate = make_contact(Stage.LEAD, at=T0)
    from smarketing.people.lifecycle import contact_transition

    contact_transition(contact=primary, to_stage=Stage.MQL, cause=Cause.SCORING,
                       at=T0 + 4 * DAY)
    merged = merge_now(primary, duplicate, admin, T0 + 5 * DAY)
    merged.refresh_from_db()
    assert merged.became_subscriber_at == merged.became_lead_at == T0
    assert merged.became_mql_at == T0 + 4 * DAY
    assert merged.lifecycle_stage == Stage.MQL
    assert_first_times_match_history(merged)


def assert_first_times_match_history(contact: Contact) -> None:
    rows = list(contact.stage_changes.values_list("to_stage", "at"))
    for stage in ORDERED_STAGES:
        times = [at for to, at in rows if stage_rank(to) >= stage_rank(stage)]
        assert contact.reached_at(stage) == (min(times) if times else None), stage


def test_it_takes_the_duplicates_further_stage_and_records_the_move(admin: Any) -> None:
    primary = make_contact(Stage.LEAD, at=T0)
    duplicate = make_contact(Stage.SQL, at=T0 + DAY)
    rep = make_user(Role.SALES_REP)
    contact_recycle(contact=duplicate, actor=rep, reason="No budget", at=T0 + 2 * DAY)
    from smarketing.people.lifecycle import contact_transition

    contact_transition(contact=duplicate, to_stage=Stage.CUSTOMER, cause=Cause.PIPELINE,
                       at=T0 + 3 * DAY)
    merged = merge_now(primary, duplicate, admin, T0 + 4 * DAY)
    merged.refresh_from_db()
    assert merged.lifecycle_stage == Stage.CUSTOMER
    last = merged.stage_changes.order_by("at", "id").last()
    assert last is not None
    assert (last.from_stage, last.to_stage, last.cause) == (Stage.LEAD, Stage.CUSTOMER,
                                                            Cause.MERGE)
    assert (last.at, last.actor) == (T0 + 4 * DAY, admin)
    assert merged.became_lead_at == T0 and merged.became_sql_at == T0 + DAY
    assert_first_times_match_history(merged)


def test_it_keeps_the_primarys_stage_when_it_is_further(admin: Any) -> None:
    primary = make_contact(Stage.SQL, at=T0, lead_status=LeadStatus.CONNECTED)
    duplicate = make_contact(Stage.MQL, at=T0 + DAY, lead_status=LeadStatus.BAD_TIMING)
    merged = merge_now(primary, duplicate, admin, T0 + 2 * DAY)
    assert merged.lifecycle_stage == Stage.SQL
    assert not merged.stage_changes.filter(cause=Cause.MERGE).exists()
    assert merged.lead_status == LeadStatus.CONNECTED


def test_it_keeps_a_record_with_a_snapshot_of_the_duplicate(admin: Any) -> None:
    primary = make_contact(Stage.LEAD, at=T0)
    duplicate = make_contact(
        Stage.MQL, at=T0, email="dup@acme.com", first_name="Dee", title="VP",
    )
    identity_add(contact=duplicate, kind=IdentityKind.USER_ID, value="u-7")
    merge_now(primary, duplicate, admin, T0 + DAY)
    record = ContactMerge.objects.get()
    assert (record.primary_id, record.merged_contact_id) == (primary.pk, duplicate.pk)
    assert (record.merged_email, record.actor, record.at) == ("dup@acme.com", admin, T0 + DAY)
    snap = record.snapshot
    assert (snap["id"], snap["email"], snap["first_name"], snap["title"]) == (
        duplicate.pk, "dup@acme.com", "Dee", "VP"
    )
    assert snap["lifecycle_stage"] == Stage.MQL
    assert dt.datetime.fromisoformat(snap["became_mql_at"]) == T0
    assert sorted(snap["identities"]) == ["email:dup@acme.com", "user_id:u-7"]


def test_it_refuses_to_merge_a_contact_into_itself(admin: Any) -> None:
    contact = make_contact(Stage.LEAD, at=T0)
    with pytest.raises(ValidationFailed) as err:
        contact_merge(primary=contact, duplicate=contact, actor=admin)
    assert err.value.field == "duplicate"
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not ContactMerge.objects.exists()


def test_a_merge_by_the_system_records_no_actor() -> None:
    primary, duplicate = make_contact(Stage.LEAD, at=T0), make_contact(Stage.SQL, at=T0)
    merge_now(primary, duplicate, None, T0 + DAY)
    assert ContactMerge.objects.get().actor is None
    assert primary.stage_changes.get(cause=Cause.MERGE).actor is None


# --- API -------------------------------------------------------------------------------


def test_the_api_merges_a_duplicate_and_returns_the_primary(api_as: Any, users: Any) -> None:
    primary = make_contact(Stage.LEAD, at=T0, owner=users["rep"], email="")
    duplicate = make_contact(Stage.MQL, at=T0 + DAY, owner=users["rep"], email="d@acme.com")
    with time_machine.travel(T0 + 2 * DAY, tick=False):
        response = api_as("rep").post(
            f"/api/v1/contacts/{primary.pk}/merge", {"duplicate_id": duplicate.pk}
        )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["id"], body["email"], body["lifecycle_stage"]) == (primary.pk, "d@acme.com",
                                                                    "mql")
    assert api_as("rep").get(f"/api/v1/contacts/{duplicate.pk}").status_code == 404
    record = ContactMerge.objects.get()
    assert (record.actor, record.at) == (users["rep"], T0 + 2 * DAY)


def test_the_api_refuses_a_merge_into_itself_naming_duplicate_id(
    api_as: Any, users: Any
) -> None:
    contact = make_contact(Stage.LEAD, owner=users["rep"])
    response = api_as("rep").post(
        f"/api/v1/contacts/{contact.pk}/merge", {"duplicate_id": contact.pk}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "duplicate_id"
    assert Contact.objects.filter(pk=contact.pk).exists()


@pytest.mark.parametrize("whose", ["missing", "someone_else"])
def test_the_api_refuses_a_duplicate_you_may_not_change(
    api_as: Any, users: Any, whose: str
) -> None:
    primary = make_contact(Stage.LEAD, owner=users["rep"])
    other = make_contact(Stage.LEAD, owner=users["rep_other"])
    duplicate_id = other.pk if whose == "someone_else" else other.pk + 1000
    response = api_as("rep").post(
        f"/api/v1/contacts/{primary.pk}/merge", {"duplicate_id": duplicate_id}
    )
    assert response.status_code == 422
    assert response.json()["field"] == "duplicate_id"
    assert Contact.objects.filter(pk=other.pk).exists()
    assert not ContactMerge.objects.exists()

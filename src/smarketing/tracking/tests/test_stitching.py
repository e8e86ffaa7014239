"""Identity stitching: identify, alias and group through the API change contacts as documented."""

from __future__ import annotations

import itertools
from typing import Any

from smarketing.people.models import Cause, Company, Contact, Identity, StageChange
from smarketing.people.services import property_define
from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event, GroupLink

_ids = itertools.count(1)
CAMPAIGN_URL = "https://acme.com/blog?utm_source=google&utm_medium=cpc&utm_campaign=spring"


def _batch(tracker: Any, *messages: dict[str, Any]) -> dict[str, Any]:
    numbered = [{"messageId": f"m{next(_ids)}", **m} for m in messages]
    response = tracker.post("batch", {"batch": numbered})
    assert response.status_code == 200, response.content
    assert response.json()["errors"] == []
    return response.json()


def _page(anon: str, url: str = "https://acme.com/", **fields: Any) -> dict[str, Any]:
    return {"type": "page", "anonymousId": anon, "properties": {"url": url}, **fields}


def _identify(anon: str = "", **fields: Any) -> dict[str, Any]:
    return {"type": "identify", "anonymousId": anon or None, **fields}


def test_identify_creates_a_subscriber_and_stitches_the_anonymous_history(tracker: Any) -> None:
    _batch(tracker, _page("v1", CAMPAIGN_URL), _page("v1", "https://acme.com/pricing"))
    assert Event.objects.filter(contact__isnull=True).count() == 2
    _batch(tracker, _identify("v1", traits={"email": "Ann@Example.com", "firstName": "Ann"}))
    contact = Contact.objects.get()
    assert (contact.email, contact.first_name, contact.lifecycle_stage) == (
        "ann@example.com", "Ann", "subscriber"
    )
    assert Event.objects.filter(contact=contact).count() == 3
    assert set(contact.identities.values_list("kind", "value")) == {
        ("email", "ann@example.com"), ("anonymous_id", "v1"),
    }
    assert (contact.original_source, contact.original_campaign) == ("paid_search", "spring")
    change = StageChange.objects.get(contact=contact)
    assert (change.to_stage, change.cause) == ("subscriber", Cause.TRACKING)


def test_a_visitor_who_converted_before_identifying_becomes_a_lead(tracker: Any) -> None:
    _batch(
        tracker,
        {"type": "track", "anonymousId": "v1", "event": "Asset Downloaded"},
        _identify("v1", traits={"email": "bo@example.com"}),
    )
    assert Contact.objects.get().lifecycle_stage == "lead"


def test_a_conversion_event_makes_an_identified_subscriber_a_lead(tracker: Any) -> None:
    _batch(tracker, _identify("v1", traits={"email": "bo@example.com"}))
    _batch(tracker, {"type": "track", "anonymousId": "v1", "event": "Demo Requested"})
    contact = Contact.objects.get()
    assert contact.lifecycle_stage == "lead" and contact.lead_status == "new"
    last = contact.stage_changes.last()
    assert (last.cause, last.reason) == (Cause.TRACKING, '"Demo Requested" event')


def test_a_newsletter_form_keeps_a_subscriber_a_subscriber(tracker: Any) -> None:
    _batch(
        tracker,
        _identify("v1", traits={"email": "cy@example.com"}),
        {"type": "track", "anonymousId": "v1", "event": "Form Submitted",
         "properties": {"form_type": "newsletter"}},
        {"type": "track", "anonymousId": "v1", "event": "Newsletter Subscribed"},
    )
    assert Contact.objects.get().lifecycle_stage == "subscriber"


def test_a_user_id_alone_creates_a_contact_and_later_events_carry_it(tracker: Any) -> None:
    _batch(tracker, {"type": "identify", "userId": "u-7", "traits": {"name": "Dee Dee Ramone"}})
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name, contact.email) == ("Dee", "Dee Ramone", "")
    _batch(tracker, {"type": "track", "userId": "u-7", "event": "Clicked"})
    assert Event.objects.get(name="Clicked").contact == contact


def test_an_anonymous_identify_without_email_creates_no_contact(tracker: Any) -> None:
    _batch(tracker, _identify("v1", traits={"plan": "free"}))
    assert Contact.objects.count() == 0
    assert Event.objects.get().properties == {"plan": "free"}


def test_identify_finds_an_existing_contact_by_email_and_keeps_its_email(tracker: Any) -> None:
    existing = make_contact(email="eve@example.com", first_name="Eve", title="")
    _batch(tracker, _page("v9"))
    _batch(tracker, _identify("v9", userId="u-9",
                              traits={"email": "EVE@example.com", "jobTitle": "CTO"}))
    _batch(tracker, {"type": "identify", "userId": "u-9",
                     "traits": {"email": "eve@work.example.com"}})
    existing.refresh_from_db()
    assert Contact.objects.count() == 1
    assert (existing.email, existing.title) == ("eve@example.com", "CTO")
    assert Identity.objects.filter(contact=existing, value="eve@work.example.com").exists()
    assert Event.objects.filter(contact=existing).count() == 3


def test_another_email_on_a_known_browser_is_another_person(tracker: Any) -> None:
    _batch(tracker, _identify("v1", traits={"email": "one@example.com"}))
    _batch(tracker, _identify("v1", traits={"email": "two@example.com"}))
    assert sorted(Contact.objects.values_list("email", flat=True)) == [
        "one@example.com", "two@example.com"
    ]


def test_an_anonymous_id_held_by_another_contact_is_not_taken(tracker: Any) -> None:
    _batch(tracker, _identify("shared", traits={"email": "one@example.com"}))
    _batch(tracker, _identify("shared", userId="u-2", traits={"email": "two@example.com"}))
    one, two = Contact.objects.order_by("id")
    assert Identity.objects.get(kind="anonymous_id", value="shared").contact == one
    assert Identity.objects.get(kind="user_id", value="u-2").contact == two


def test_traits_map_to_contact_fields_company_and_custom_properties(
    tracker: Any, users: dict[str, Any]
) -> None:
    property_define(actor=users["admin"], object_type="contact", name="plan", label="Plan",
                    type="choice", choices=["free", "pro"])
    property_define(actor=users["admin"], object_type="contact", name="seats", label="Seats",
                    type="number")
    _batch(tracker, _identify("v1", traits={
        "email": "fay@acme.com", "first_name": "Fay", "lastName": "Lee", "phone": "+1 555",
        "title": "VP", "company": {"name": "Acme", "website": "https://www.acme.com/x"},
        "plan": "pro", "seats": "many", "unknown_trait": 1,
    }))
    contact = Contact.objects.select_related("company").get()
    assert (contact.first_name, contact.last_name, contact.phone, contact.title) == (
        "Fay", "Lee", "+1 555", "VP"
    )
    assert (contact.company.name, contact.company.domain) == ("Acme", "acme.com")
    assert contact.properties == {"plan": "pro"}  # "many" is not a number: left out


def test_a_company_trait_as_text_links_an_existing_company_by_name(tracker: Any) -> None:
    company = Company.objects.create(name="Globex")
    _batch(tracker, _identify("v1", traits={"email": "g@x.com", "company": "globex"}))
    assert Contact.objects.get().company == company


def test_alias_merges_the_previous_contact_into_the_user_contact(tracker: Any) -> None:
    _batch(tracker, _identify("v1", traits={"email": "old@example.com"}),
           {"type": "track", "anonymousId": "v1", "event": "Clicked"})
    _batch(tracker, {"type": "identify", "userId": "u-1", "traits": {"email": "new@example.com"}})
    _batch(tracker, {"type": "alias", "previousId": "v1", "userId": "u-1"})
    contact = Contact.objects.get()
    assert contact.email == "new@example.com"
    assert Event.objects.exclude(contact=contact).count() == 0
    assert contact.merges.count() == 1


def test_alias_attaches_the_user_id_when_only_the_previous_id_is_known(tracker: Any) -> None:
    _batch(tracker, _identify("v1", traits={"email": "h@example.com"}))
    _batch(tracker, {"type": "alias", "previousId": "v1", "userId": "u-5"},
           {"type": "track", "userId": "u-5", "event": "Later"})
    contact = Contact.objects.get()
    assert Identity.objects.get(kind="user_id", value="u-5").contact == contact
    assert Event.objects.get(name="Later").contact == contact


def test_group_links_the_contact_to_a_company_and_updates_its_traits(tracker: Any) -> None:
    _batch(tracker, {"type": "identify", "userId": "u-1", "traits": {"email": "i@initech.com"}})
    _batch(tracker, {"type": "group", "userId": "u-1", "groupId": "org-1",
                     "traits": {"name": "Initech", "industry": "Software", "employees": 120}})
    _batch(tracker, {"type": "group", "userId": "u-1", "groupId": "org-1",
                     "traits": {"employees": "150", "website": "initech.com"}})
    company = Company.objects.get()
    assert (company.name, company.industry, company.employee_count, company.domain) == (
        "Initech", "Software", 150, "initech.com"
    )
    assert GroupLink.objects.get().company == company
    assert Contact.objects.get().company == company


def test_a_contact_without_web_touch_gets_its_channel_from_the_source_kind(
    tracker: Any, source: Any
) -> None:
    source.kind = "server"
    source.save()
    _batch(tracker, {"type": "identify", "userId": "u-1", "traits": {"email": "j@example.com"}})
    assert Contact.objects.get().original_source == "offline"


def test_the_first_touch_is_the_earliest_by_timestamp(tracker: Any) -> None:
    _batch(
        tracker,
        _page("v1", timestamp="2026-01-02T00:00:00Z",
              context={"page": {"referrer": "https://news.ycombinator.com/"}}),
        _page("v1", timestamp="2026-01-01T00:00:00Z",
              context={"page": {"referrer": "https://www.linkedin.com/feed"}}),
        _identify("v1", traits={"email": "k@example.com"}),
    )
    assert Contact.objects.get().original_source == "organic_social"

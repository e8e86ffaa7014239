"""Activities and deal stage moves in the contact timeline, next to stage changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.core.timeline import contact_timeline
from smarketing.people.models import Stage
from smarketing.pipeline.services import activity_log, deal_win
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_a_won_deal_and_a_call_show_in_the_contact_timeline(
    users: dict[str, Any], api_as: Any
) -> None:
    rep = users["rep"]
    ada = make_contact(Stage.SQL, at=T0)
    deal = make_deal(rep, contacts=[ada], name="Engines", at=T0 + dt.timedelta(days=1))
    activity_log(actor=rep, kind="call", subject="Pricing call", outcome="Agreed",
                 contact=ada, deal=deal, at=T0 + dt.timedelta(days=2))
    deal_win(deal=deal, actor=rep, at=T0 + dt.timedelta(days=3))
    kinds = [(i.kind, i.title) for i in contact_timeline(ada.pk).items]
    assert kinds == [
        ("stage_change", "Opportunity → Customer"),
        ("deal", "Deal Engines: Discovery → Closed Won"),
        ("activity", "Call: Pricing call"),
        ("stage_change", "SQL → Opportunity"),
        ("deal", "Deal Engines: opened in Discovery"),
        ("stage_change", "(new) → SQL"),
    ]
    body = api_as("marketing").get(f"/api/v1/contacts/{ada.pk}/timeline", limit=3).json()
    assert [i["kind"] for i in body["items"]] == ["stage_change", "deal", "activity"]
    assert body["items"][1]["url"] == f"/deals/{deal.pk}/"


def _page_view(contact: Any, at: dt.datetime, path: str) -> None:
    from smarketing.tracking.models import Event
    from smarketing.tracking.services import source_create

    source, _ = source_create(actor=None, name=f"Site {path}", kind="website")
    Event.objects.create(source=source, message_id=f"m-{path}", type="page", contact=contact,
                         anonymous_id=f"anon-{path}", timestamp=at, received_at=at,
                         page_path=path)


def test_the_deal_timeline_shows_its_moves_and_calls_next_to_its_contacts_events(
    users: dict[str, Any], api_as: Any
) -> None:
    from smarketing.pipeline.timelines import deal_timeline

    rep = users["rep"]
    ada = make_contact(Stage.SQL, at=T0, first_name="Ada", last_name="Lovelace")
    _page_view(ada, T0 + dt.timedelta(hours=1), "/pricing")
    deal = make_deal(rep, contacts=[ada], name="Engines", at=T0 + dt.timedelta(days=1))
    activity_log(actor=rep, kind="call", subject="Pricing call", deal=deal,
                 at=T0 + dt.timedelta(days=2))
    _page_view(make_contact(Stage.SQL, at=T0), T0 + dt.timedelta(days=2), "/other")  # not on it
    titles = [(i.kind, i.title, i.data.get("contact", "")) for i in deal_timeline(deal).items]
    assert titles == [
        ("activity", "Call: Pricing call", ""),
        ("deal", "Deal Engines: opened in Discovery", ""),
        ("stage_change", "SQL → Opportunity", "Ada Lovelace"),
        ("event", "Viewed /pricing", "Ada Lovelace"),
        ("stage_change", "(new) → SQL", "Ada Lovelace"),
    ]
    body = api_as("marketing").get(f"/api/v1/deals/{deal.pk}/timeline", limit=3).json()
    assert [i["kind"] for i in body["items"]] == ["activity", "deal", "stage_change"]
    older = api_as("marketing").get(f"/api/v1/deals/{deal.pk}/timeline",
                                    before=body["next_before"]).json()
    assert [i["title"] for i in older["items"]] == ["Viewed /pricing", "(new) → SQL"]


def test_the_company_timeline_gathers_its_deals_activities_and_contacts(
    users: dict[str, Any], api_as: Any
) -> None:
    from smarketing.testing.factories import make_company

    rep = users["rep"]
    acme = make_company(name="Acme")
    ada = make_contact(Stage.SQL, at=T0, first_name="Ada", company=acme)
    bob = make_contact(Stage.SQL, at=T0, first_name="Bob", company=acme)
    _page_view(bob, T0 + dt.timedelta(hours=3), "/docs")
    deal = make_deal(rep, contacts=[ada], name="Acme platform", company=acme,
                     at=T0 + dt.timedelta(days=1))
    activity_log(actor=rep, kind="meeting", subject="Board meeting", company=acme,
                 at=T0 + dt.timedelta(days=2))
    deal_win(deal=deal, actor=rep, at=T0 + dt.timedelta(days=3))
    body = api_as("rep_other").get(f"/api/v1/companies/{acme.pk}/timeline").json()
    titles = [i["title"] for i in body["items"]]
    assert titles[:3] == ["Deal Acme platform: Discovery → Closed Won",
                          "Opportunity → Customer", "Meeting: Board meeting"]
    assert "Viewed /docs" in titles and titles.count("(new) → SQL") == 2
    assert api_as("rep").get("/api/v1/companies/999999/timeline").status_code == 404
    assert api_as("rep").get(f"/api/v1/companies/{acme.pk}/timeline",
                             limit=0).json()["field"] == "limit"

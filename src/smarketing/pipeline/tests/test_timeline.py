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

"""Every event of the issue reaches a real receiver exactly once, signed, when the
domain does the thing (contacts, handoff, deals), with two workers running."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from smarketing.core import jobs
from smarketing.core.events import EVENTS
from smarketing.handoff.models import Assignment
from smarketing.handoff.services import assignment_accept, assignment_reject
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.integrations.models import WebhookSubscription
from smarketing.integrations.tests.test_webhooks import verify
from smarketing.people.lifecycle import contact_transition
from smarketing.people.models import Cause, Stage
from smarketing.pipeline.services import deal_lose, deal_move_stage, deal_win
from smarketing.pipeline.tests.factories import make_deal, reason, stage
from smarketing.testing.factories import make_contact
from smarketing.testing.webhooks import Receiver, webhook_receiver
from smarketing.testing.workers import two_workers

pytestmark = pytest.mark.django_db(transaction=True)
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def _events(receiver: Receiver) -> list[dict[str, Any]]:
    assert all(verify("s", headers, body) for headers, body in receiver.requests)
    return [json.loads(body) for _, body in receiver.requests]


def test_each_domain_event_reaches_the_receiver_exactly_once(
    users: dict[str, Any], team: Any, receiver: Receiver
) -> None:
    WebhookSubscription.objects.create(
        name="all", url=receiver.url, secret="s", events=list(EVENTS)
    )
    make_rule(team)
    make_sla(follow_up_hours=1, warning_share="0.5")
    with time_machine.travel(NOON, tick=False):
        accepted = make_mql(first_name="Ada")  # created, lead -> mql, assigned
        rejected = make_mql(first_name="Bob")
        breached = make_mql(first_name="Cy")
        first = Assignment.objects.get(contact=accepted)
        assignment_accept(assignment=first, actor=first.rep)
    two_workers(NOON)
    with time_machine.travel(NOON + dt.timedelta(minutes=1), tick=False):
        mine = Assignment.objects.get(contact=rejected)
        assignment_reject(assignment=mine, actor=mine.rep, reason="not_a_fit")
        buyer = make_contact(Stage.LEAD, first_name="Buyer")
        won = make_deal(users["rep"], contacts=[buyer])
        deal_move_stage(deal=won, actor=users["rep"], stage=stage("Proposal"))
        deal_win(deal=won, actor=users["rep"])
        lost = make_deal(users["rep"])
        deal_lose(deal=lost, actor=users["rep"], reason=reason())
    for minutes in (1, 30, 61, 120):
        two_workers(NOON + dt.timedelta(minutes=minutes))

    events = _events(receiver)
    counts = Counter(e["event"] for e in events)
    assert len({e["id"] for e in events}) == len(events)  # nothing twice
    assert counts["contact.created"] == 4
    assert counts["mql.assigned"] == 3
    assert (counts["mql.accepted"], counts["mql.rejected"]) == (1, 1)
    assert counts["sla.breached"] == 1 and counts["sla.warning"] == 1
    assert (counts["deal.created"], counts["deal.won"], counts["deal.lost"]) == (2, 1, 1)
    assert counts["deal.stage_changed"] == 3  # Proposal, won, lost
    # lead->mql x3, accepted -> sql, rejected -> lead (recycled), buyer -> opportunity
    # -> customer
    stage_moves = sorted(
        (e["data"]["contact"]["first_name"] or e["data"]["contact"]["email"],
         e["data"]["to_stage"])
        for e in events if e["event"] == "contact.stage_changed"
    )
    assert stage_moves == sorted([
        ("Ada", "mql"), ("Bob", "mql"), ("Cy", "mql"), ("Ada", "sql"), ("Bob", "lead"),
        ("Buyer", "opportunity"), ("Buyer", "customer"),
    ])
    by_event = {e["event"]: e for e in events}
    assert by_event["deal.won"]["data"]["deal"]["status"] == "won"
    assert by_event["deal.lost"]["data"]["deal"]["lost_reason"] == "Price"
    assert by_event["mql.rejected"]["data"]["reason"] == "not_a_fit"
    assert by_event["sla.breached"]["data"]["contact_id"] == breached.pk


def test_a_contact_moved_twice_to_the_same_stage_sends_one_event(
    receiver: Receiver,
) -> None:
    WebhookSubscription.objects.create(
        name="stages", url=receiver.url, secret="s", events=["contact.stage_changed"]
    )
    contact = make_contact(Stage.LEAD)
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING)
    jobs.run_burst("w")
    assert [e["data"]["to_stage"] for e in _events(receiver)] == ["mql"]


def test_an_import_announces_each_new_contact_and_its_end_exactly_once(
    users: dict[str, Any], receiver: Receiver, tmp_path: Any
) -> None:
    from smarketing.imports.services import import_file
    from smarketing.imports.tests.files import write

    WebhookSubscription.objects.create(
        name="imports", url=receiver.url, secret="s",
        events=["contact.created", "import.finished"])
    path = write(tmp_path / "c.csv", ["Email", "First Name"],
                 [["ann@bank.example", "Ann"], ["bob@bank.example", "Bob"], ["bad@", "Cy"]])
    run = import_file(actor=users["admin"], path=path, kind="contacts").run
    import_file(actor=users["admin"], path=path, kind="contacts")  # again: updates only
    two_workers(dt.datetime.now(dt.UTC))
    events = _events(receiver)
    created = sorted(e["data"]["email"] for e in events if e["event"] == "contact.created")
    assert created == ["ann@bank.example", "bob@bank.example"]
    finished = sorted((e["data"] for e in events if e["event"] == "import.finished"),
                      key=lambda f: f["import_id"])
    assert [(f["import_id"], f["created"], f["updated"], f["errors"], f["status"])
            for f in finished] == [(run.pk, 2, 0, 1, "finished"),
                                   (run.pk + 1, 0, 2, 1, "finished")]

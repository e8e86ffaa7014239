"""Assignment, warning and breach notifications: in-app and by email through a real
SMTP server, each exactly once even with two workers."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller

from smarketing.core import jobs
from smarketing.core.models import Notification
from smarketing.handoff.models import Assignment
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.integrations.models import WebhookSubscription
from smarketing.testing.webhooks import Receiver, webhook_receiver
from smarketing.testing.workers import two_workers as _two_workers

pytestmark = pytest.mark.django_db(transaction=True)
UTC = dt.UTC
NOON = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.DEFAULT_FROM_EMAIL = "sla@smarketing.test"
    yield inbox
    controller.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


@pytest.fixture
def assigned(users: dict[str, Any], team: Any, receiver: Receiver) -> Assignment:
    WebhookSubscription.objects.create(
        name="crm",
        url=receiver.url,
        secret="s",
        events=["mql.assigned", "sla.warning", "sla.breached", "mql.accepted", "mql.rejected"],
    )
    make_rule(team)
    make_sla(follow_up_hours=8, warning_share="0.5")
    profile = users["rep_b"].profile
    profile.capacity = 0
    profile.save()
    with time_machine.travel(NOON, tick=False):
        contact = make_mql(first_name="Ada", last_name="Lovelace")
    return Assignment.objects.get(contact=contact)


def _subjects(inbox: Inbox) -> list[str]:
    return sorted(
        line.removeprefix("Subject: ")
        for _, content in inbox.messages
        for line in content.splitlines()
        if line.startswith("Subject: ")
    )


def test_assignment_warning_and_breach_arrive_once_in_app_by_email_and_webhook(
    users: dict[str, Any], assigned: Assignment, smtp: Inbox, receiver: Receiver
) -> None:
    rep = users["rep"]
    assert list(rep.notifications.values_list("kind", flat=True)) == ["mql.assigned"]
    _two_workers(NOON + dt.timedelta(hours=1))
    assert _subjects(smtp) == ["New MQL: Ada Lovelace"]
    for _ in range(2):  # a restart or a second pass sends nothing new
        _two_workers(NOON + dt.timedelta(hours=5))
    _two_workers(NOON + dt.timedelta(hours=9))
    _two_workers(NOON + dt.timedelta(hours=10))
    assert _subjects(smtp) == [
        "New MQL: Ada Lovelace",
        "SLA breached: Ada Lovelace",
        "SLA warning: Ada Lovelace",
    ]
    assert all(rcpt == [rep.email] for rcpt, _ in smtp.messages)
    kinds = sorted(Notification.objects.filter(user=rep).values_list("kind", flat=True))
    assert kinds == ["mql.assigned", "sla.breached", "sla.warning"]
    assigned.refresh_from_db()
    assert assigned.warned_at is not None and assigned.breached_notified_at is not None
    events = sorted(json.loads(body)["event"] for _, body in receiver.requests)
    assert events == ["mql.assigned", "sla.breached", "sla.warning"]


def test_decisions_are_sent_as_webhook_events(
    users: dict[str, Any], assigned: Assignment, receiver: Receiver
) -> None:
    from smarketing.handoff.services import assignment_accept

    assignment_accept(assignment=assigned, actor=users["rep"])
    jobs.run_burst("w")
    events = [json.loads(body) for _, body in receiver.requests]
    accepted = [e for e in events if e["event"] == "mql.accepted"]
    assert len(accepted) == 1 and accepted[0]["data"]["assignment_id"] == assigned.pk


def test_a_followed_up_mql_gets_no_warning(
    users: dict[str, Any], assigned: Assignment, smtp: Inbox
) -> None:
    from smarketing.handoff.services import follow_up_log

    with time_machine.travel(NOON + dt.timedelta(hours=1), tick=False):
        follow_up_log(assignment=assigned, actor=users["rep"], kind="call")
    _two_workers(NOON + dt.timedelta(hours=9))
    assert _subjects(smtp) == ["New MQL: Ada Lovelace"]

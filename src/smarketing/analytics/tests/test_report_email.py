"""The weekly report by email: queued once on the configured weekday and hour, sent by
the worker through a real SMTP server (aiosmtpd) with the HTML body and PDF attached."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from typing import Any

import pytest
import time_machine

from smarketing.analytics.tasks import due_report
from smarketing.core import jobs
from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Job
from smarketing.handoff.tests.test_notifications import Inbox, smtp  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
MONDAY_9 = dt.datetime(2026, 3, 16, 9, tzinfo=dt.UTC)


@pytest.fixture
def recipients(settings: Any) -> list[str]:
    settings.SMARKETING_REPORT_RECIPIENTS = ["ceo@example.com", "cmo@example.com"]
    settings.SMARKETING_REPORT_WEEKDAY = "monday"
    settings.SMARKETING_REPORT_HOUR = 8
    return settings.SMARKETING_REPORT_RECIPIENTS  # type: ignore[no-any-return]


def worker_pass(capture: Any) -> int:
    with capture(execute=True):
        jobs.run_periodic()
    return jobs.run_burst("test-worker")


def test_the_worker_mails_last_weeks_report_once(
    smtp: Inbox, recipients: list[str], django_capture_on_commit_callbacks: Any  # noqa: F811
) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        worker_pass(django_capture_on_commit_callbacks)  # other apps' periodic jobs may run too
        worker_pass(django_capture_on_commit_callbacks)
    [job] = Job.objects.filter(kind="analytics.report_email")  # once a week
    assert job.done_at is not None
    [(to, raw)] = smtp.messages
    assert sorted(to) == recipients
    message = email.message_from_string(raw, policy=email.policy.default)
    assert message["Subject"] == "Alignment report 2026-03-09 – 2026-03-15"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Weekly marketing" in parts["text/html"].get_payload(decode=True).decode()
    assert parts["application/pdf"].get_payload(decode=True).startswith(b"%PDF")


def test_nothing_is_due_on_another_day_before_the_hour_or_without_recipients(
    recipients: list[str], settings: Any
) -> None:
    assert due_report(MONDAY_9).start == dt.date(2026, 3, 9)  # type: ignore[union-attr]
    assert due_report(MONDAY_9 - dt.timedelta(hours=2)) is None
    assert due_report(MONDAY_9 + dt.timedelta(days=1)) is None
    settings.SMARKETING_REPORT_RECIPIENTS = []
    assert due_report(MONDAY_9) is None


def test_a_misspelt_weekday_is_named(recipients: list[str], settings: Any) -> None:
    settings.SMARKETING_REPORT_WEEKDAY = "mondy"
    with pytest.raises(ValidationFailed, match="SMARKETING_REPORT_WEEKDAY: 'mondy'"):
        due_report(MONDAY_9)

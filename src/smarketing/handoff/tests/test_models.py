"""The database holds the handoff's rules: one open assignment, one active SLA, reasons."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from smarketing.handoff.models import (
    SLA,
    Assignment,
    Holiday,
    Outcome,
    RejectionReason,
    RoutedBy,
    WorkingCalendar,
)
from smarketing.people.models import Stage
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def _assignment(contact: Any, rep: Any, **fields: Any) -> Assignment:
    now = timezone.now()
    fields.setdefault("due_at", now + dt.timedelta(hours=8))
    return Assignment.objects.create(
        contact=contact,
        rep=rep,
        routed_by=RoutedBy.MANUAL,
        assigned_at=now,
        warn_at=now,
        **fields,
    )


def test_the_issue_rejection_reasons_are_seeded_in_order() -> None:
    labels = list(RejectionReason.objects.values_list("label", flat=True))
    assert labels == [
        "Not a fit",
        "No budget",
        "No authority",
        "No need / bad timing",
        "Bad or fake data",
        "Duplicate",
        "Competitor",
        "Student or job seeker",
        "Existing customer",
        "Other",
    ]
    assert RejectionReason.objects.get(code="other").needs_note


def test_a_contact_has_at_most_one_open_assignment(users: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL)
    _assignment(contact, users["rep"])
    with pytest.raises(IntegrityError), transaction.atomic():
        _assignment(contact, users["rep_b"])
    _assignment(contact, users["rep_b"], outcome=Outcome.ACCEPTED, decided_at=timezone.now())
    assert contact.assignments.count() == 2


def test_a_rejection_needs_a_reason_and_a_decision_needs_a_time(users: dict[str, Any]) -> None:
    contact = make_contact(Stage.MQL)
    with pytest.raises(IntegrityError), transaction.atomic():
        _assignment(contact, users["rep"], outcome=Outcome.REJECTED, decided_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        _assignment(contact, users["rep"], outcome=Outcome.ACCEPTED)


def test_only_one_sla_version_is_active() -> None:
    now = timezone.now()
    SLA.objects.create(version=1, is_active=True, mql_target=100, created_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        SLA.objects.create(version=2, is_active=True, mql_target=120, created_at=now)
    SLA.objects.create(version=2, is_active=False, mql_target=120, created_at=now)


def test_a_working_calendar_gives_its_spec_with_holidays() -> None:
    calendar = WorkingCalendar.objects.create(
        name="Paris office", time_zone="Europe/Paris", working_days=[0, 1, 2, 3, 4]
    )
    Holiday.objects.create(calendar=calendar, date=dt.date(2026, 5, 1), name="Labour day")
    spec = calendar.spec()
    assert spec.time_zone == "Europe/Paris"
    assert not spec.is_working_day(dt.date(2026, 5, 1))
    assert spec.is_working_day(dt.date(2026, 5, 4))

"""Notifications of the handoff: on assignment, at the warning point and on breach.

Each notification is sent once. Warnings and breaches are found by a periodic
check the worker runs; a conditional UPDATE (`warned_at IS NULL`,
`breached_notified_at IS NULL`) lets exactly one worker claim each, and the
in-app row and queued email carry a dedupe key, so restarts and two workers
running at once never send twice. Emails go out through the job queue (Django's
SMTP backend, settings SMARKETING_SMTP_* and SMARKETING_EMAIL_FROM).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from smarketing.core.events import publish
from smarketing.core.jobs import enqueue
from smarketing.core.models import Notification
from smarketing.handoff.models import Assignment, Outcome
from smarketing.handoff.selectors import with_sla_state

EMAIL_JOB = "handoff.email"
TEXTS = {
    "mql.assigned": (
        "New MQL: {contact}",
        "{contact} was assigned to you. Follow up by {due} UTC.",
    ),
    "sla.warning": ("SLA warning: {contact}", "Follow up with {contact} by {due} UTC."),
    "sla.breached": ("SLA breached: {contact}", "The follow-up deadline {due} UTC has passed."),
}


def _texts(kind: str, assignment: Assignment) -> tuple[str, str]:
    values = {"contact": str(assignment.contact), "due": f"{assignment.due_at:%Y-%m-%d %H:%M}"}
    title, body = TEXTS[kind]
    return title.format(**values)[:200], body.format(**values)


def event_data(assignment: Assignment) -> dict[str, Any]:
    return {
        "assignment_id": assignment.pk,
        "contact_id": assignment.contact_id,
        "contact": str(assignment.contact),
        "rep_id": assignment.rep_id,
        "rep": assignment.rep.username,
        "assigned_at": assignment.assigned_at.isoformat(),
        "due_at": assignment.due_at.isoformat(),
        "outcome": assignment.outcome,
        "reason": assignment.reason.code if assignment.reason else "",
        "note": assignment.note,
    }


def decision_made(assignment: Assignment) -> None:
    """Webhook events `mql.accepted` / `mql.rejected` (queued after commit)."""
    if assignment.outcome in ("accepted", "rejected"):
        event = f"mql.{assignment.outcome}"
        publish(event, f"{event}:{assignment.pk}", event_data(assignment))


def notify(kind: str, assignment: Assignment) -> None:
    """Webhook event, in-app notification, email queued after commit; each at most once."""
    title, body = _texts(kind, assignment)
    key = f"{kind}:{assignment.pk}"
    publish(kind, key, event_data(assignment))
    try:
        with transaction.atomic():
            Notification.objects.create(
                user=assignment.rep,
                kind=kind,
                title=title,
                body=body,
                url="/inbox/",
                dedupe_key=key,
                created_at=timezone.now(),
            )
    except IntegrityError:
        return  # already notified
    if assignment.rep.email:
        enqueue(
            EMAIL_JOB,
            {"to": assignment.rep.email, "subject": title, "body": body},
            dedupe_key=f"email:{key}",
        )


def send_email(payload: dict[str, Any]) -> None:
    send_mail(
        payload["subject"],
        payload["body"],
        settings.DEFAULT_FROM_EMAIL,
        [payload["to"]],
        fail_silently=False,
    )


def _claim_and_notify(field: str, kind: str, candidates: Any, now: dt.datetime) -> int:
    sent = 0
    for assignment in candidates:
        with transaction.atomic():
            won = Assignment.objects.filter(
                pk=assignment.pk, outcome=Outcome.OPEN, **{f"{field}__isnull": True}
            ).update(**{field: now})
            if won:
                notify(kind, assignment)
                sent += 1
    return sent


def scan_sla(now: dt.datetime) -> int:
    """Warn reps at warn_at and tell them of breaches at due_at, once each."""
    open_rows = (
        with_sla_state(Assignment.objects.filter(outcome=Outcome.OPEN), now)
        .filter(**{"follow_up_at__isnull": True})
        .select_related("contact", "rep")
    )
    warnings = open_rows.filter(warn_at__lte=now, due_at__gt=now, warned_at__isnull=True)
    breaches = open_rows.filter(due_at__lte=now, breached_notified_at__isnull=True)
    return _claim_and_notify("warned_at", "sla.warning", list(warnings), now) + _claim_and_notify(
        "breached_notified_at", "sla.breached", list(breaches), now
    )

"""The weekly alignment report by email: a periodic check queues one job a week, the
job renders the report and mails it (HTML body, PDF attached) to the recipients.

Settings: SMARKETING_REPORT_RECIPIENTS (comma-separated; empty = no email),
SMARKETING_REPORT_WEEKDAY (default monday) and SMARKETING_REPORT_HOUR (default 8, in
the organisation's time zone). From that hour on that weekday, `smarketing worker`
queues the report of last week once (dedupe key per week) and sends it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from smarketing.analytics.report import pdf_of, render_html
from smarketing.campaigns.rollup import rollup_refresh
from smarketing.core.errors import ValidationFailed
from smarketing.core.jobs import enqueue
from smarketing.core.periods import Period, preset

JOB = "analytics.report_email"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def report_weekday() -> int:
    name = str(settings.SMARKETING_REPORT_WEEKDAY).strip().lower()
    if name not in WEEKDAYS:
        raise ValidationFailed(f"SMARKETING_REPORT_WEEKDAY: {name!r} is not one of "
                               f"{', '.join(WEEKDAYS)}", field="SMARKETING_REPORT_WEEKDAY")
    return WEEKDAYS.index(name)


def due_report(now: dt.datetime) -> Period | None:
    """Last week's period when the report is due at `now`, else None."""
    if not settings.SMARKETING_REPORT_RECIPIENTS:
        return None
    local = timezone.localtime(now)
    if local.weekday() != report_weekday() or local.hour < settings.SMARKETING_REPORT_HOUR:
        return None
    return preset("last-week", local.date())


def schedule_report(now: dt.datetime) -> int:
    """The worker's periodic check: queue the week's report email once."""
    period = due_report(now)
    if period is None:
        return 0
    enqueue(JOB, {"start": period.start.isoformat(), "end": period.end.isoformat()},
            dedupe_key=f"{JOB}:{period.start.isoformat()}")
    return 1


def send_report(payload: dict[str, Any]) -> None:
    """The job: render the report of the payload's period and mail it."""
    period = Period(dt.date.fromisoformat(payload["start"]),
                    dt.date.fromisoformat(payload["end"]))
    rollup_refresh()  # a job, not a request: attribution's figures up to date first
    html = render_html(period)
    message = EmailMultiAlternatives(
        subject=f"Alignment report {period.label()}",
        body=(f"The weekly marketing-sales alignment report for {period.label()} is "
              "attached as PDF; the HTML version is this email's other part."),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(settings.SMARKETING_REPORT_RECIPIENTS),
    )
    message.attach_alternative(html, "text/html")
    message.attach(f"alignment-report-{period.start}-{period.end}.pdf", pdf_of(html),
                   "application/pdf")
    message.send()

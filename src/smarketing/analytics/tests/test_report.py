"""The alignment report: self-contained HTML, a PDF with its text, the CLI and the
download, and observations computed from the data (each made to appear by its data)."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from pypdf import PdfReader

from smarketing.analytics.report import context, render
from smarketing.core.periods import Period
from smarketing.handoff.routing import route_mql
from smarketing.handoff.services import assignment_accept, assignment_reject
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.people.models import Stage
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
WEEK = Period(dt.date(2026, 3, 9), dt.date(2026, 3, 16))
NOW = dt.datetime(2026, 3, 17, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def decide(users: dict[str, Any], accept: bool, day: dt.date, campaign: str = "",
           reason: str = "no_budget") -> None:
    """An MQL of `campaign` routed on `day` and accepted or rejected an hour later."""
    at = dt.datetime.combine(day, dt.time(10), dt.UTC)
    contact = make_mql(at=at, original_campaign=campaign)
    assignment = route_mql(contact_id=contact.pk, at=at)
    assert assignment is not None
    later = at + dt.timedelta(hours=1)
    if accept:
        assignment_accept(assignment=assignment, actor=users["admin"], at=later)
    else:
        assignment_reject(assignment=assignment, actor=users["admin"], reason=reason, at=later)


@pytest.fixture
def handoff(users: dict[str, Any], team: Any) -> dict[str, Any]:
    make_rule(team)
    make_sla(follow_up_hours=8)
    return users


def test_falling_acceptance_is_explained_by_the_campaign_and_reason_behind_it(
    handoff: dict[str, Any]
) -> None:
    before = WEEK.previous().start
    for accept in (True, True, True, False):  # previous week: 3 of 4 accepted
        decide(handoff, accept, before + dt.timedelta(days=1), campaign="Partner webinar",
               reason="not_a_fit")
    decide(handoff, True, WEEK.start + dt.timedelta(days=1), campaign="Partner webinar")
    for reason in ("no_budget", "no_budget", "not_a_fit"):  # this week: 1 of 4
        decide(handoff, False, WEEK.start + dt.timedelta(days=2), campaign="Spring ebook",
               reason=reason)
    notes = context(WEEK)["observations"]
    assert notes[0] == (
        "MQL acceptance rate fell from 75.0 % to 25.0 %, driven by campaign Spring ebook: "
        "3 rejections (+3 on the previous period), 2 of them for reason 'No budget'."
    )


def test_the_biggest_count_mover_is_explained_by_its_breakdown(
    handoff: dict[str, Any]
) -> None:
    from smarketing.campaigns.tests.factories import make_campaign  # noqa: PLC0415

    make_campaign("Search ads", channel="paid_search", utm_campaign="ads")
    for _ in range(2):
        make_contact(Stage.LEAD, at=dt.datetime(2026, 3, 3, tzinfo=dt.UTC))
    for _ in range(6):
        make_contact(Stage.LEAD, at=dt.datetime(2026, 3, 10, tzinfo=dt.UTC),
                     original_campaign="Search ads")
    notes = context(WEEK)["observations"]
    mover = next(n for n in notes if n.startswith("New leads"))
    assert mover.startswith("New leads rose from 2 to 6 (+200.0 %)")


def test_with_no_open_breach_the_third_observation_is_the_forecast_against_quota(
    handoff: dict[str, Any]
) -> None:
    decide(handoff, True, WEEK.start)
    notes = context(WEEK)["observations"]
    assert not any("follow-up deadline" in n for n in notes)


def test_an_open_breach_is_reported_with_its_rep(handoff: dict[str, Any]) -> None:
    at = dt.datetime(2026, 3, 10, 9, tzinfo=dt.UTC)
    contact = make_mql(at=at)
    assignment = route_mql(contact_id=contact.pk, at=at)
    assert assignment is not None
    notes = context(WEEK)["observations"]
    assert any(n.startswith("1 MQL past its follow-up deadline is still open") and
               assignment.rep.username in n for n in notes)
    client = Client()
    client.force_login(handoff["manager"])
    page = client.get("/dashboards/?start=2026-03-09&end=2026-03-16").content.decode()
    table = page.split("Open SLA breaches by rep")[1].split("</table>")[0]
    assert assignment.rep.username in table
    assert f'href="/contacts/{contact.pk}/"' in table


def test_with_nothing_moving_no_observation_is_invented(handoff: dict[str, Any]) -> None:
    assert context(WEEK)["observations"] == []


def test_the_html_report_is_self_contained(handoff: dict[str, Any]) -> None:
    decide(handoff, False, WEEK.start, campaign="Spring ebook")
    html = render(WEEK, "html").decode()
    assert not re.search(r'(?:src|href)="(?!#)', html)  # no external asset at all
    assert "<style>" in html and "<svg" in html
    for heading in ("Observations", "Headline KPIs", "Funnel", "SLA scorecard",
                    "Open breaches by rep", "Rejection reasons by campaign",
                    "Top campaigns by attributed revenue", "Forecast against quota"):
        assert heading in html
    assert "Spring ebook" in html


def test_the_pdf_report_is_a_pdf_with_the_reports_text(handoff: dict[str, Any]) -> None:
    pdf = render(WEEK, "pdf")
    assert pdf.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "alignment report" in text and "Headline KPIs" in text


def test_the_command_writes_the_report_and_refuses_a_bad_period(
    handoff: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "report.html"
    call_command("report", "--period", "2026-03-09..2026-03-16", "--out", str(out))
    assert "Mar 9, 2026 – Mar 15, 2026" in out.read_text()
    call_command("report", "--period", "last-week", "--format", "pdf", "--out",
                 str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(CommandError, match="--period: period: unknown preset '2026-03-09'"):
        call_command("report", "--period", "2026-03-09", "--out", str(out))
    with pytest.raises(CommandError, match="--period: end: must be after start"):
        call_command("report", "--period", "2026-03-16..2026-03-09", "--out", str(out))


def test_the_dashboard_downloads_the_report(handoff: dict[str, Any]) -> None:
    client = Client()
    client.force_login(handoff["rep"])
    response = client.get("/dashboards/report/?start=2026-03-09&end=2026-03-16&format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="alignment-report-2026-03-09-2026-03-16.pdf"')
    assert response.content.startswith(b"%PDF")
    html = client.get("/dashboards/report/?period=last-week&format=html")
    assert b"Weekly marketing" in html.content
    bad = client.get("/dashboards/report/?format=docx")
    assert bad.status_code == 400 and b"format: 'docx'" in bad.content

"""Lead quality tells marketing which campaigns, sources and scoring rules give the
MQLs sales rejects."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client

from smarketing.core.periods import Period
from smarketing.handoff.quality import lead_quality
from smarketing.handoff.routing import route_mql
from smarketing.handoff.services import assignment_accept, assignment_reject
from smarketing.handoff.tests.helpers import make_mql, make_rule, make_sla
from smarketing.scoring.tests.helpers import a_model, event

pytestmark = pytest.mark.django_db
UTC = dt.UTC
MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1))
ASSIGNED = dt.datetime(2026, 3, 2, 12, tzinfo=UTC)


def _assigned(**fields: Any) -> Any:
    with time_machine.travel(ASSIGNED, tick=False):
        return route_mql(contact_id=make_mql(at=ASSIGNED, **fields).pk)


@pytest.fixture
def decided(users: dict[str, Any], team: Any) -> dict[str, Any]:
    """A senior webinar attendee rejected; a junior (webinar only after the handoff) and
    a senior without events accepted."""
    a_model(
        users["admin"],
        fit=[{"label": "Senior", "field": "title", "operator": "contains", "value": ["VP"],
              "points": 10}],
        engagement=[{"label": "Webinar", "event_type": "track", "event_name": "Webinar Attended",
                     "points": 15}],
    )
    make_rule(team)
    make_sla()
    made = {
        "rejected": _assigned(title="VP Sales", original_campaign="spring-webinar"),
        "junior": _assigned(title="Engineer", original_campaign="spring-webinar"),
        "senior": _assigned(title="VP Marketing"),
    }
    event(made["rejected"].contact, name="Webinar Attended", at=ASSIGNED - dt.timedelta(days=1))
    event(made["junior"].contact, name="Webinar Attended", at=ASSIGNED + dt.timedelta(hours=1))
    later = ASSIGNED + dt.timedelta(days=1)
    assignment_reject(assignment=made["rejected"], actor=made["rejected"].rep,
                      reason="no_budget", at=later)
    for name in ("junior", "senior"):
        assignment_accept(assignment=made[name], actor=made[name].rep, at=later)
    return made


def test_rules_that_fired_before_the_handoff_are_ranked_by_rejected_mqls(
    decided: dict[str, Any],
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, tzinfo=UTC), tick=False):
        rules = {row["key"]: row for row in lead_quality(MARCH)["by_scoring_rule"]}
    webinar, senior = rules["engagement: Webinar"], rules["fit: Senior"]
    # the junior's webinar came after the handoff: it did not make that MQL
    assert (webinar["accepted"], webinar["rejected"]) == (0, 1)
    assert (senior["accepted"], senior["rejected"]) == (1, 1)
    assert str(webinar["share_of_rejected"]) == "1.0000"
    assert webinar["top_reasons"] == [("No budget", 1)]
    assert list(rules)[:2] == ["engagement: Webinar", "fit: Senior"]  # most rejected first


def test_campaigns_show_acceptance_and_an_empty_period_shows_nothing(
    decided: dict[str, Any],
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, tzinfo=UTC), tick=False):
        quality = lead_quality(MARCH)
        empty = lead_quality(Period(dt.date(2026, 1, 1), dt.date(2026, 2, 1)))
    spring = next(row for row in quality["by_campaign"] if row["key"] == "spring-webinar")
    assert (spring["accepted"], spring["rejected"], str(spring["acceptance_rate"])) == (
        1, 1, "0.5000")
    assert empty["by_scoring_rule"] == [] and empty["by_campaign"] == []


def test_marketing_reads_lead_quality_by_rule_over_the_api_and_on_the_page(
    decided: dict[str, Any], api_as: Any, users: dict[str, Any]
) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, tzinfo=UTC), tick=False):
        body = api_as("marketing").get(
            "/api/v1/sla/lead-quality", start="2026-03-01", end="2026-04-01").json()
        client = Client()
        client.force_login(users["marketing"])
        page = client.get("/lead-quality/", {"start": "2026-03-01", "end": "2026-04-01"})
    assert body["by_scoring_rule"][0]["key"] == "engagement: Webinar"
    assert body["by_scoring_rule"][0]["share_of_rejected"] == "1.0000"
    assert 'data-testid="by-scoring-rule"' in page.content.decode()
    bad = api_as("marketing").get("/api/v1/sla/lead-quality", start="2026-03-01")
    assert (bad.status_code, bad.json()["field"]) == (422, "end")

"""No dashboard request waits on attribution's refresh: the influenced KPIs read the
stored rows as of the last refresh (shown on the tile), the worker's periodic check
queues the refresh as a job, and after the job ran the figures are exact again."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from smarketing.campaigns.models import DealAttributionState, TouchSync
from smarketing.campaigns.rollup import REFRESH_JOB, refresh_due, rollup_as_of, rollup_refresh
from smarketing.campaigns.tests.factories import make_campaign, make_event
from smarketing.core.jobs import run_burst, run_periodic
from smarketing.core.models import Job
from smarketing.pipeline.tests.factories import make_deal
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)
MARCH = "start=2026-03-01&end=2026-04-01"
PAGES = ("/dashboards/", "/dashboards/marketing/", "/dashboards/sales/", "/dashboards/journey/")


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def influenced(client: Client) -> str:
    page = client.get(f"/dashboards/?{MARCH}").content.decode()
    tile = page.split('data-kpi="marketing_influenced_pipeline"')[1].split("data-kpi=")[0]
    link = tile.split('data-testid="kpi-marketing_influenced_pipeline"')[1]
    return link.split("<")[0].split(">")[-1]


def a_touched_deal(users: dict[str, Any], amount: str, day: int) -> None:
    contact = make_contact(at=dt.datetime(2026, 3, day, tzinfo=dt.UTC))
    make_event(contact, dt.datetime(2026, 3, day, 9, tzinfo=dt.UTC), utm_campaign="ads")
    make_deal(users["rep"], amount=amount, contacts=[contact],
              at=dt.datetime(2026, 3, day, 10, tzinfo=dt.UTC))


def test_a_dashboard_request_never_refreshes_attribution_and_the_worker_job_does(
    users: dict[str, Any], django_capture_on_commit_callbacks: Any,
) -> None:
    make_campaign("Ads", utm_campaign="ads")
    a_touched_deal(users, "100.00", 2)
    rollup_refresh()
    refreshed = rollup_as_of()
    assert refreshed == NOW
    a_touched_deal(users, "50.00", 3)  # new touch and deal after the refresh
    client = Client()
    client.force_login(users["admin"])
    for path in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{path}?{MARCH}").status_code == 200
        writes = [q["sql"] for q in queries.captured_queries
                  if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
                  and "campaigns_" in q["sql"]]
        assert writes == [], path  # no touch point, attribution row or state written
    assert TouchSync.objects.get().refreshed_at == refreshed
    assert DealAttributionState.objects.filter(stale=True).count() >= 1
    page = client.get(f"/dashboards/?{MARCH}").content.decode()
    assert 'data-testid="asof-marketing_influenced_pipeline">as of 2026-03-20 12:00<' in page
    assert influenced(client) == "100.00"  # as of the refresh

    with time_machine.travel(NOW + dt.timedelta(minutes=5), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            assert run_periodic() >= 1  # the worker's check queues the refresh (at commit)
        assert Job.objects.filter(kind=REFRESH_JOB, done_at__isnull=True).count() == 1
        run_burst("test-worker")
    assert Job.objects.filter(kind=REFRESH_JOB, done_at__isnull=False).count() == 1
    assert rollup_as_of() == NOW + dt.timedelta(minutes=5)
    assert influenced(client) == "150.00"
    assert refresh_due(NOW) == 0  # up to date: nothing queued


def test_before_any_refresh_the_tile_says_it_is_being_computed(users: dict[str, Any]) -> None:
    client = Client()
    client.force_login(users["marketing"])
    page = client.get(f"/dashboards/?{MARCH}").content.decode()
    assert 'data-testid="asof-marketing_influenced_revenue">being computed<' in page

"""Incremental scoring after ingestion stores what a full rescore stores (property-based)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarketing.core.jobs import run_burst
from smarketing.core.models import Job
from smarketing.people.models import Contact
from smarketing.scoring import scoring
from smarketing.scoring.scoring import (
    INCREMENTAL_JOB,
    after_events_ingested,
    rescore_all,
    score_contacts,
)
from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.testing.factories import make_contact

KINDS = [("page", ""), ("page", "pricing"), ("track", "Form Submitted"), ("track", "Unsubscribed")]
ENGAGEMENT = [
    {"event_type": "page", "points": 1, "daily_cap": 3, "rule_cap": 10},
    {"event_type": "page", "property_filters": {"page_path": "/pricing"}, "points": 5},
    {"event_type": "track", "event_name": "Form Submitted", "points": 30, "daily_cap": 30},
    {"event_type": "track", "event_name": "Unsubscribed", "points": -20, "rule_cap": 20},
]
an_event = st.tuples(
    st.integers(0, 2), st.integers(0, len(KINDS) - 1), st.integers(0, 90)
)  # (contact, kind, days ago)
batches = st.lists(st.lists(an_event, min_size=1, max_size=6), min_size=1, max_size=4)


def scores() -> list[tuple[int, int, int]]:
    return list(Contact.objects.order_by("id").values_list(
        "scores__fit", "scores__engagement", "scores__total"))


def _ingest(contacts: list[Contact], batch: list[tuple[int, int, int]]) -> None:
    for who, kind, days in batch:
        kind_name, label = KINDS[kind]
        path = "/pricing" if label == "pricing" else "/blog"
        event(contacts[who], kind_name, "" if kind_name == "page" else label,
              at=NOW - dt.timedelta(days=days, hours=who), page_path=path)
    score_contacts(contact_ids=[contacts[who].pk for who, _, _ in batch], at=NOW)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=batches, half_life=st.sampled_from([0, 7, 30]), set_based=st.booleans())
def test_incremental_updates_equal_a_full_rescore(
    users: Any, batches: list[list[tuple[int, int, int]]], half_life: int, set_based: bool
) -> None:
    # set_based: every incremental scoring by the set-based statements (as for the
    # worker's merged jobs of many contacts), else by the engine
    threshold = scoring.SET_BASED_FROM
    scoring.SET_BASED_FROM = 1 if set_based else 10**9
    try:
        _compare(users, batches, half_life)
    finally:
        scoring.SET_BASED_FROM = threshold


def _compare(users: Any, batches: list[list[tuple[int, int, int]]], half_life: int) -> None:
    with transaction.atomic():
        a_model(users["marketing"], half_life_days=half_life, threshold=1000,
                fit=[{"field": "title", "operator": "contains", "value": "VP", "points": 10}],
                engagement=ENGAGEMENT)
        contacts = [make_contact(title=t) for t in ("VP Sales", "Engineer", "")]
        score_contacts(contact_ids=[c.pk for c in contacts], at=NOW)
        for batch in batches:
            _ingest(contacts, batch)
        incremental = scores()
        rescore_all(at=NOW)
        assert scores() == incremental
        transaction.set_rollback(True)


def test_ingestion_queues_its_contacts_scoring_in_its_transaction_for_the_worker(
    users: Any,
) -> None:
    a_model(users["marketing"], engagement=ENGAGEMENT)
    lead = make_contact()
    event(lead, "track", "Form Submitted", at=dt.datetime.now(dt.UTC))
    with transaction.atomic():
        after_events_ingested([lead.pk, None, lead.pk])
        transaction.set_rollback(True)  # rolled back: nothing queued
    assert not Job.objects.filter(kind=INCREMENTAL_JOB).exists()
    after_events_ingested([lead.pk, None, lead.pk])
    (job,) = Job.objects.filter(kind=INCREMENTAL_JOB, done_at=None)
    assert job.payload == {"contacts": [lead.pk]}
    assert Contact.objects.get(pk=lead.pk).engagement_score == 0
    run_burst("test")
    assert Contact.objects.get(pk=lead.pk).engagement_score == 30

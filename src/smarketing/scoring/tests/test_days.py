"""The daily engagement counts (scoring.days) stay equal to a direct count of the events
through ingestion, late events, stitching, merges and deletes, and the incremental
scores computed from them equal a full rescore, without reading older events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smarketing.core.jobs import run_burst
from smarketing.core.models import Job
from smarketing.people.merge import contact_merge
from smarketing.people.models import Contact, Stage
from smarketing.scoring import days
from smarketing.scoring.engine import ModelSpec, score_scope
from smarketing.scoring.models import EngagementDay, EngagementMatcher
from smarketing.scoring.scoring import periodic_apply, rescore_all, score_contacts
from smarketing.scoring.services import active_model
from smarketing.scoring.tests.helpers import NOW, a_model, direct_counts, event, stored_counts
from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event

KINDS = [("page", "/blog"), ("page", "/pricing"), ("track", "Form Submitted"),
         ("track", "Unsubscribed"), ("track", "Demo Requested")]
ENGAGEMENT = [
    {"event_type": "page", "points": 1, "daily_cap": 3, "rule_cap": 10},
    {"event_type": "page", "property_filters": {"page_path": "/pricing"}, "points": 5},
    {"event_type": "page", "points": 2, "recency_days": 10, "label": "recent pages"},
    {"event_type": "track", "event_name": "Form Submitted", "points": 30, "daily_cap": 30},
    {"event_type": "track", "event_name": "Unsubscribed", "points": -20, "rule_cap": 20},
]
an_event = st.tuples(  # (contact 0-2, or 3: anonymous), kind, days ago, hours after NOW
    st.integers(0, 3), st.integers(0, len(KINDS) - 1), st.integers(0, 40), st.integers(-12, 6))
batches = st.lists(st.lists(an_event, min_size=1, max_size=6), min_size=1, max_size=4)


def scores() -> list[tuple[int, int, int]]:
    return list(Contact.objects.order_by("id").values_list(
        "scores__fit", "scores__engagement", "scores__total"))


def ready_model(actor: Any, **settings: Any) -> ModelSpec:
    """A model whose daily counts are built (the incremental path reads them)."""
    a_model(actor, **settings)
    spec = ModelSpec.of(active_model())
    assert days.ready_ids(spec) is None  # new matchers: made, their build queued
    days.build(spec)
    assert days.ready_ids(spec) is not None
    return spec


def _ingest(contacts: list[Contact], batch: list[tuple[int, int, int, int]]) -> None:
    for who, kind, days_ago, hours in batch:
        kind_name, label = KINDS[kind]
        event(contacts[who] if who < 3 else None, kind_name, "" if kind_name == "page" else label,
              at=NOW - dt.timedelta(days=days_ago) + dt.timedelta(hours=hours),
              page_path=label if kind_name == "page" else "")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=batches, half_life=st.sampled_from([0, 7, 30]), stitch=st.booleans())
def test_scores_from_the_daily_counts_equal_a_full_rescore(
    users: Any, batches: list[list[tuple[int, int, int, int]]], half_life: int, stitch: bool
) -> None:
    with transaction.atomic():
        ready_model(users["marketing"], half_life_days=half_life, threshold=1000,
                    hand_raise_events=["Demo Requested"], engagement=ENGAGEMENT,
                    fit=[{"field": "title", "operator": "contains", "value": "VP", "points": 10}])
        contacts = [make_contact(title=t) for t in ("VP Sales", "Engineer", "")]
        for batch in batches:
            _ingest(contacts, batch)
            if stitch:  # identified: the anonymous events change hands
                Event.objects.filter(contact__isnull=True).update(contact=contacts[0])
            score_contacts(contact_ids=[c.pk for c in contacts], at=NOW)
        assert stored_counts() == direct_counts()
        incremental, stages = scores(), _stages()
        assert stages == _raised_hands()
        rescore_all(at=NOW)
        assert scores() == incremental
        transaction.set_rollback(True)


def _stages() -> dict[int, str]:
    return dict(Contact.objects.filter(lifecycle_stage=Stage.MQL).values_list(
        "id", "stage_changes__reason"))


def _raised_hands() -> dict[int, str]:
    """Threshold 1000 is out of reach: only a hand-raise up to NOW makes an MQL."""
    raised = Event.objects.filter(name="Demo Requested", timestamp__lte=NOW,
                                  contact__isnull=False).values_list("contact_id", flat=True)
    return dict.fromkeys(raised, "hand-raise: Demo Requested")


def test_an_ingested_event_is_scored_without_reading_the_contacts_older_events(
    users: Any,
) -> None:
    spec = ready_model(users["marketing"], half_life_days=30, engagement=ENGAGEMENT)
    lead = make_contact()
    for days_ago in range(1, 30):
        event(lead, "page", at=NOW - dt.timedelta(days=days_ago), page_path="/pricing")
    score_contacts(contact_ids=[lead.pk], at=NOW)
    event(lead, "track", "Form Submitted", at=NOW - dt.timedelta(hours=1))
    expected = score_scope(spec, contacts=Q(pk=lead.pk), events=Q(contact=lead), at=NOW)[lead.pk]
    days.uninstall(connection)  # the older events taken away behind the counts' back,
    # but today's and those of the first day of the 10-day window (read: partly counted)
    edge = (NOW - dt.timedelta(days=10)).date()
    Event.objects.filter(contact=lead, timestamp__lt=NOW - dt.timedelta(hours=12)).exclude(
        timestamp__date=edge).delete()
    days.install(connection)
    score_contacts(contact_ids=[lead.pk], at=NOW)
    lead.refresh_from_db()
    assert (lead.fit_score, lead.engagement_score) == (expected.fit, expected.engagement)
    assert lead.engagement_score > 30  # the pricing pages of the deleted days still count


def test_a_merge_moves_the_duplicates_counts_and_the_worker_rescores_the_primary(
    users: Any,
) -> None:
    ready_model(users["marketing"], half_life_days=0, engagement=ENGAGEMENT)
    primary, duplicate = make_contact(), make_contact()
    event(primary, "track", "Form Submitted", at=NOW - dt.timedelta(days=3))
    event(duplicate, "track", "Form Submitted", at=NOW - dt.timedelta(days=3))
    event(duplicate, "page", at=NOW - dt.timedelta(days=5), page_path="/pricing")
    score_contacts(contact_ids=[primary.pk, duplicate.pk], at=NOW)
    contact_merge(primary=primary, duplicate=duplicate, actor=None)
    assert periodic_apply(NOW) == 1  # the worker's pass: the queued pairs, then the primary
    assert stored_counts() == direct_counts()
    primary.refresh_from_db()
    # both forms on one day: 60 capped at 30 a day; the pricing page: 5 + 1 + 2 (recent)
    assert primary.engagement_score == 30 + 5 + 1 + 2
    assert not EngagementDay.objects.filter(contact_id=duplicate.pk).exists()


def test_deleted_events_leave_the_counts(users: Any) -> None:
    ready_model(users["marketing"], engagement=ENGAGEMENT)
    lead = make_contact()
    kept = event(lead, "page", at=NOW, page_path="/pricing")
    event(lead, "page", at=NOW, page_path="/pricing").delete()
    days.apply()
    assert stored_counts() == direct_counts()
    assert {n for _, _, _, n in stored_counts()} == {1}
    kept.delete()
    days.apply()
    assert stored_counts() == set()


def test_a_model_change_keeps_the_counts_of_unchanged_matchers_and_builds_new_ones(
    users: Any,
) -> None:
    ready_model(users["marketing"], engagement=ENGAGEMENT[:2])
    lead = make_contact()
    event(lead, "page", at=NOW, page_path="/pricing")
    event(lead, "track", "Form Submitted", at=NOW)
    days.apply()
    kept = set(EngagementDay.objects.filter(matcher__key=days.matcher_key("page", "", {}))
               .values_list("id", flat=True))
    changed = [{**ENGAGEMENT[0], "points": 4}, ENGAGEMENT[3]]  # pages kept; pricing gone
    spec = ready_model(users["marketing"], engagement=changed)
    assert set(EngagementDay.objects.values_list("id", flat=True)) >= kept
    assert set(EngagementMatcher.objects.values_list("key", flat=True)) == set(days.wanted(spec))
    assert stored_counts() == direct_counts()
    assert len(stored_counts()) == 2


def test_without_ready_counts_scoring_reads_the_events_and_queues_the_build(
    users: Any, django_capture_on_commit_callbacks: Any,
) -> None:
    a_model(users["marketing"], engagement=ENGAGEMENT)
    lead = make_contact()
    event(lead, "track", "Form Submitted", at=NOW)
    with django_capture_on_commit_callbacks(execute=True):
        score_contacts(contact_ids=[lead.pk], at=NOW)
    lead.refresh_from_db()
    assert lead.engagement_score == 30
    assert Job.objects.filter(kind=days.BUILD_JOB, done_at=None).count() == 1
    run_burst("test")
    assert EngagementMatcher.objects.filter(ready=False).count() == 0
    assert stored_counts() == direct_counts() != set()


def test_the_first_matchers_leave_the_events_there_are_to_their_build(users: Any) -> None:
    a_model(users["marketing"], engagement=ENGAGEMENT)
    for _ in range(3):
        event(make_contact(), "page", at=NOW, page_path="/pricing")
    spec = ModelSpec.of(active_model())
    assert not EngagementMatcher.objects.exists()
    assert days.ready_ids(spec) is None
    assert days.apply() == set()  # nothing queued or swept: not recounted twice
    days.build(spec)
    assert stored_counts() == direct_counts() != set()


def test_a_hand_raise_alone_qualifies_from_the_counts(users: Any) -> None:
    ready_model(users["marketing"], hand_raise_events=["Contact Sales", "Demo Requested"])
    lead = make_contact()
    event(lead, "track", "Demo Requested", at=NOW - dt.timedelta(days=2))
    event(lead, "track", "Contact Sales", at=NOW - dt.timedelta(days=2, hours=1))
    event(lead, "track", "Demo Requested", at=NOW + dt.timedelta(hours=1))  # after NOW
    score_contacts(contact_ids=[lead.pk], at=NOW)
    lead.refresh_from_db()
    assert lead.lifecycle_stage == Stage.MQL
    assert lead.stage_changes.get(to_stage=Stage.MQL).reason == "hand-raise: Contact Sales"

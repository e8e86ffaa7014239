"""A model change rescores in the worker (job queue) with visible progress; score
changes land on the contact timeline; the set-based rescore rounds like the
explanation and keeps events that arrive while it runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.db import connection
from django.test import Client

from smarketing.core.jobs import run_burst
from smarketing.core.models import Job
from smarketing.core.timeline import contact_timeline
from smarketing.people.models import Contact
from smarketing.scoring.models import RescoreRun, ScoreChange
from smarketing.scoring.scoring import rescore_all, score_contacts
from smarketing.scoring.selectors import StoredScore, contact_score, stored_score
from smarketing.scoring.services import model_change
from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.testing.factories import make_contact

FORM = {"event_type": "track", "event_name": "Form Submitted", "points": 40}


@time_machine.travel(NOW, tick=False)
def test_a_model_change_queues_a_rescore_that_the_worker_runs(
    users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    a_model(users["marketing"], threshold=1000, engagement=[FORM])
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    with django_capture_on_commit_callbacks(execute=True):
        model = model_change(actor=users["marketing"], settings={"threshold": 900})
    run = RescoreRun.objects.get(model=model)
    assert (run.started_at, Contact.objects.get(pk=lead.pk).score) == (None, 0)
    assert Job.objects.filter(kind="scoring.rescore", done_at=None).count() == 1
    assert run_burst("test") >= 1
    run.refresh_from_db()
    assert (run.finished_at is not None, run.contacts, run.changed) == (True, 1, 1)
    assert (run.done, run.total, run.percent) == (run.total, run.total, 100)
    assert Contact.objects.get(pk=lead.pk).score == 40


def test_the_scoring_page_polls_the_rescore_progress(users: Any) -> None:
    model = a_model(users["marketing"])
    RescoreRun.objects.create(model=model, queued_at=NOW, started_at=NOW, done=5, total=20)
    client = Client()
    client.force_login(users["rep"])
    page = client.get("/scoring/").content.decode()
    assert 'data-testid="rescore"' in page and "25%" in page
    status = client.get("/scoring/rescore/status/").content.decode()
    assert "every 2s" in status and "5 of 20" in status


@time_machine.travel(NOW, tick=False)
def test_score_changes_are_on_the_contact_timeline(users: Any) -> None:
    model = a_model(users["marketing"], threshold=1000, engagement=[FORM])
    lead = make_contact()
    event(lead, "track", "Form Submitted", at=NOW - dt.timedelta(hours=1))
    rescore_all()
    rescore_all()  # nothing changed: no second row
    (change,) = ScoreChange.objects.filter(contact=lead)
    assert (change.previous_total, change.total, change.model_id) == (0, 40, model.pk)
    items = [i for i in contact_timeline(lead.pk).items if i.kind == "score_change"]
    assert [(i.title, i.data["model_version"]) for i in items] == [
        ("Score 0 → 40", model.version)]


def test_the_set_based_rescore_rounds_half_up_like_the_explanation(users: Any) -> None:
    # 3 points a day, half-life 2 days: ages 0..3 give 3 + 2.12132 + 1.5 + 1.06066 = 7.68198
    a_model(users["marketing"], half_life_days=2,
            engagement=[{"event_type": "page", "points": 3},
                        {"event_type": "track", "event_name": "Unsubscribed", "points": -5}])
    lead = make_contact()
    for age in range(4):
        event(lead, "page", at=NOW - dt.timedelta(days=age))
    event(lead, "track", "Unsubscribed", at=NOW - dt.timedelta(days=2))  # -2.5 -> -3
    with time_machine.travel(NOW, tick=False):
        rescore_all()
        explained = contact_score(lead).result
    assert Contact.objects.get(pk=lead.pk).engagement_score == explained.engagement == 8 - 3
    assert sum(item.points for item in explained.items) == 5


@time_machine.travel(NOW, tick=False)
def test_events_that_arrive_during_a_range_are_scored_after_it(
    users: Any, monkeypatch: Any
) -> None:
    from smarketing.scoring import setbased

    a_model(users["marketing"], engagement=[FORM])
    lead = make_contact()
    fill = setbased.fill_temp_table

    def fill_then_ingest(*args: Any, **kwargs: Any) -> int:
        count = fill(*args, **kwargs)
        event(lead, "track", "Form Submitted")  # lands after the range was computed
        score_contacts(contact_ids=[lead.pk])
        return count

    monkeypatch.setattr(setbased, "fill_temp_table", fill_then_ingest)
    rescore_all()
    assert Contact.objects.get(pk=lead.pk).score == 40


def test_a_daily_cap_counts_a_day_once_however_many_rules_match_its_events(
    users: Any
) -> None:
    # 3 blog views and 1 pricing view on one day: "any page" counts 4, capped at 3
    a_model(users["marketing"], half_life_days=0, engagement=[
        {"event_type": "page", "points": 1, "daily_cap": 3},
        {"event_type": "page", "property_filters": {"page_path": "/pricing"}, "points": 5}])
    lead = make_contact()
    for path in ("/blog", "/blog", "/blog", "/pricing"):
        event(lead, "page", at=NOW - dt.timedelta(days=1), page_path=path)
    with time_machine.travel(NOW, tick=False):
        score_contacts(contact_ids=[lead.pk])
        incremental = Contact.objects.get(pk=lead.pk).score
        rescore_all()
        explained = contact_score(lead).result.total
    assert incremental == Contact.objects.get(pk=lead.pk).score == explained == 3 + 5


def test_a_day_too_busy_for_the_packed_counts_is_counted_exactly(
    users: Any, monkeypatch: Any
) -> None:
    from smarketing.scoring import setbased

    monkeypatch.setattr(setbased, "BITS", 2)  # packed counts hold 0..3 events a day
    monkeypatch.setattr(setbased, "WIDE", 3)
    a_model(users["marketing"], half_life_days=30, engagement=[
        {"event_type": "page", "points": 1, "daily_cap": 5},
        {"event_type": "page", "property_filters": {"page_path": "/pricing"}, "points": 2},
        FORM])
    busy, quiet = make_contact(), make_contact()
    for path in ["/blog"] * 6 + ["/pricing"] * 4:  # 10 page views on one day
        event(busy, "page", at=NOW - dt.timedelta(days=2), page_path=path)
    event(busy, "track", "Form Submitted", at=NOW - dt.timedelta(days=2))
    event(quiet, "page", at=NOW - dt.timedelta(days=2), page_path="/pricing")
    with time_machine.travel(NOW, tick=False):
        rescore_all()
        explained = {c.pk: contact_score(c).result.total for c in (busy, quiet)}
    stored = dict(Contact.objects.values_list("id", "scores__total"))
    assert stored == explained
    # busy: min(10, 5) + 4 x 2 + 40, decayed 2 days at a 30-day half-life (0.954842)
    assert stored[busy.pk] == round(5 * 0.954842) + round(8 * 0.954842) + round(40 * 0.954842)


@time_machine.travel(NOW, tick=False)
def test_daily_caps_bound_negative_points_and_only_decayed_days_count(users: Any) -> None:
    # -10 a careers view, at most -15 a day; days past the decay horizon count 0
    a_model(users["marketing"], half_life_days=1, engagement=[
        {"event_type": "page", "property_filters": {"page_path": "/careers"}, "points": -10,
         "daily_cap": 15},
        {"event_type": "page", "points": 2, "daily_cap": 3}])
    leaver, ancient = make_contact(), make_contact()
    for _ in range(3):  # -30 capped at -15 today; 6 capped at 3
        event(leaver, "page", page_path="/careers")
    event(leaver, "page", at=NOW - dt.timedelta(days=1), page_path="/careers")  # -5
    event(ancient, "page", at=NOW - dt.timedelta(days=40), page_path="/blog")  # 2 x 0
    rescore_all()
    stored = dict(Contact.objects.values_list("id", "scores__engagement"))
    explained = {c.pk: contact_score(c).result.engagement for c in (leaver, ancient)}
    assert stored == explained == {leaver.pk: -15 - 5 + 3 + 1, ancient.pk: 0}


@time_machine.travel(NOW, tick=False)
def test_without_decay_busy_days_are_counted_exactly(users: Any, monkeypatch: Any) -> None:
    from smarketing.scoring import setbased

    monkeypatch.setattr(setbased, "BITS", 2)  # packed counts hold 0..3 events a day
    monkeypatch.setattr(setbased, "WIDE", 3)
    a_model(users["marketing"], half_life_days=0, engagement=[
        {"event_type": "page", "points": 1, "daily_cap": 6}, FORM])
    busy = make_contact()
    for days in (0, 0, 0, 0, 0, 200):  # 5 views today, 1 long ago: no decay
        event(busy, "page", at=NOW - dt.timedelta(days=days))
    rescore_all()
    assert Contact.objects.get(pk=busy.pk).engagement_score == 6 == (
        contact_score(busy).result.engagement)


@time_machine.travel(NOW, tick=False)
def test_contact_scores_name_the_model_that_scored_them_changed_or_not(users: Any) -> None:
    from smarketing.scoring.models import ContactScore

    a_model(users["marketing"], engagement=[FORM])
    lead, quiet = make_contact(), make_contact()
    event(lead, "track", "Form Submitted")
    rescore_all()
    newer = model_change(actor=users["marketing"], settings={"threshold": 90})
    rescore_all()  # same scores, a new version
    rows = {c.pk: (s.model_id, s.total) for c in (lead, quiet) if (s := stored_score(c.pk))}
    assert rows == {lead.pk: (newer.pk, 40), quiet.pk: (newer.pk, 0)}
    assert ContactScore.objects.count() == 0  # a full rescore writes no row a contact
    assert ScoreChange.objects.filter(contact=lead).count() == 1


@time_machine.travel(NOW, tick=False)
def test_after_a_rule_change_the_last_full_rescore_confirms_the_standing_scores(
    users: Any,
) -> None:
    from smarketing.scoring.models import ContactScore

    older = a_model(users["marketing"], engagement=[FORM])
    lead, quiet = make_contact(), make_contact()
    event(lead, "track", "Form Submitted")
    first = NOW
    rescore_all(at=first)
    score_contacts(contact_ids=[quiet.pk], at=first)  # the incremental path stamps its row
    newer = model_change(actor=users["marketing"],
                         engagement_rules=[{**FORM, "points": 45}])
    later = NOW + dt.timedelta(hours=1)
    rescore_all(at=later)  # the lead's score changes, the quiet contact's stands
    rescore_all(at=later + dt.timedelta(hours=1))  # nothing differs: nothing rewritten
    rows = {s.contact_id: (s.model_id, s.scored_at) for s in ContactScore.objects.all()}
    assert rows == {quiet.pk: (older.pk, first)}  # the row is not rewritten by a rescore,
    confirmed = {c.pk: (s.model_id, s.total, s.scored_at)  # the last full rescore confirms it
                 for c in (lead, quiet) if (s := stored_score(c.pk))}
    assert confirmed == {lead.pk: (newer.pk, 45, later + dt.timedelta(hours=1)),
                         quiet.pk: (newer.pk, 0, later + dt.timedelta(hours=1))}
    score_contacts(contact_ids=[lead.pk], at=later + dt.timedelta(hours=2))
    assert stored_score(lead.pk) == StoredScore(  # a later incremental scoring is its own
        0, 45, 45, newer.pk, later + dt.timedelta(hours=2))


@time_machine.travel(NOW, tick=False)
def test_the_daily_cap_splits_at_utc_midnight_to_the_microsecond(users: Any) -> None:
    a_model(users["marketing"], half_life_days=0, engagement=[
        {"event_type": "page", "points": 1, "daily_cap": 1}])
    across, within = make_contact(), make_contact()
    midnight = NOW.replace(hour=0)
    for at in (midnight - dt.timedelta(microseconds=1), midnight):  # two UTC days
        event(across, "page", at=at, page_path="/blog")
    for at in (midnight - dt.timedelta(days=1), midnight - dt.timedelta(microseconds=1)):
        event(within, "page", at=at, page_path="/blog")  # one day: capped at 1
    rescore_all()
    stored = dict(Contact.objects.values_list("id", "scores__engagement"))
    explained = {c.pk: contact_score(c).result.engagement for c in (across, within)}
    assert stored == explained == {across.pk: 2, within.pk: 1}


@time_machine.travel(NOW, tick=False)
def test_the_one_statement_engagement_equals_the_rescore(users: Any) -> None:
    # PostgreSQL's rescore runs it; on SQLite it is the benchmark's limit
    from django.db.models import Q
    from django.utils import timezone

    from smarketing.scoring import setbased
    from smarketing.scoring.engine import ModelSpec
    from smarketing.scoring.services import active_model

    a_model(users["marketing"], half_life_days=7, engagement=[
        {"event_type": "page", "points": 2, "daily_cap": 3},
        {"event_type": "page", "property_filters": {"page_path": "/careers"}, "points": -4}, FORM])
    leads = [make_contact() for _ in range(3)]
    for n, lead in enumerate(leads):
        for days in range(n * 3):
            event(lead, "page", at=NOW - dt.timedelta(days=days // 2),
                  page_path=("/blog", "/careers")[days % 2])
        event(lead, "track", "Form Submitted", at=NOW - dt.timedelta(days=n))
    rescore_all()
    spec = ModelSpec.of(active_model())
    setbased.create_temp_tables(spec.half_life_days)
    setbased.load_decay(spec.half_life_days, timezone.now())
    stored = dict(Contact.objects.values_list("id", "scores__engagement"))
    assert len(set(stored.values())) == 3
    for packed in (False, True) if connection.vendor == "sqlite" else (False,):
        sql, params = setbased.engagement_statement(spec, Q(), timezone.now(), packed=packed)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            computed = {row[0]: row[1] for row in cursor.fetchall() if not row[2]}
        assert computed == stored, packed
    setbased.drop_temp_tables()


@time_machine.travel(NOW, tick=False)
def test_a_contact_made_after_the_last_full_rescore_is_not_said_to_be_scored_by_it(
    users: Any,
) -> None:
    model = a_model(users["marketing"], engagement=[FORM])
    earlier = make_contact()
    rescore_all(at=NOW)
    later = make_contact()
    assert stored_score(earlier.pk) == StoredScore(0, 0, 0, model.pk, NOW)
    assert stored_score(later.pk) is None  # never scored
    event(later, "track", "Form Submitted")
    score_contacts(contact_ids=[later.pk], at=NOW + dt.timedelta(minutes=1))
    assert stored_score(later.pk) == StoredScore(0, 40, 40, model.pk,
                                                 NOW + dt.timedelta(minutes=1))

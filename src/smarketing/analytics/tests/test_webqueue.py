"""The queue of changed visitors: every write of a page or track event queues its
visitor, reads apply the queue first (so they are exact without the worker), applying
is idempotent, chunked and safe to run twice at once, and ingestion queues the
worker's job (SQLite and PostgreSQL alike)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from smarketing.analytics import webqueue, webrollup
from smarketing.analytics.models import WebDirty, WebMark, WebSession
from smarketing.analytics.tests.test_webrollup import PERIODS, Writer, assert_exact, snapshot
from smarketing.core.models import Job
from smarketing.tracking import selectors as tracking
from smarketing.tracking.messages import Envelope, Incoming, validate
from smarketing.tracking.models import Event
from smarketing.tracking.services import events_ingest

BASE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_a_write_queues_its_visitor_and_a_read_applies_the_queue_first() -> None:
    writer = Writer(3)
    for _ in range(30):
        writer.insert()
    assert webqueue.pending() > 0
    assert not WebSession.objects.exists()  # nothing computed on the write path
    for start, end in PERIODS:  # no explicit apply: the read applies the queue
        assert webrollup.web_metrics(start, end) == tracking.web_metrics(start, end)
    assert not WebDirty.objects.exists()


@pytest.mark.django_db
def test_stitching_queues_both_the_anonymous_visitor_and_the_contact() -> None:
    writer = Writer(4)
    Event.objects.create(source=writer.source, message_id="s1", type="page",
                         anonymous_id="anon-x", timestamp=BASE, received_at=BASE)
    webqueue.apply()
    contact = writer.contacts[0]
    Event.objects.filter(anonymous_id="anon-x").update(contact=contact)
    assert set(WebDirty.objects.values_list("visitor", flat=True)) == {
        "aanon-x", f"c{contact.pk}"}
    assert snapshot()[0][0][:2] == (f"c{contact.pk}", contact.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(3))
def test_applying_after_every_write_or_in_small_chunks_gives_the_same_rollups(
    seed: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(webqueue, "CHUNK", 2)  # many chunks per apply
    writer = Writer(seed + 20)
    for step in range(60):
        writer.insert() if step < 30 or writer.rng.random() < 0.4 else writer.change()
        if writer.rng.random() < 0.5:
            webqueue.apply()
    assert_exact(PERIODS)


@pytest.mark.django_db
def test_applying_is_idempotent() -> None:
    writer = Writer(5)
    for _ in range(40):
        writer.insert()
    assert webqueue.apply() > 0
    kept = snapshot()
    assert webqueue.apply() == 0  # an empty queue changes nothing
    for visitor in {row[0] for row in kept[0]}:  # every visitor queued again, widest stretch
        WebDirty.objects.create(visitor=visitor, lo=BASE - dt.timedelta(days=1),
                                hi=BASE + dt.timedelta(days=1))
    assert webqueue.apply() == len({row[0] for row in kept[0]})
    assert snapshot() == kept


@pytest.mark.django_db(transaction=True)
def test_two_applies_at_once_leave_the_rollups_exact() -> None:
    writer = Writer(6)
    for _ in range(80):
        writer.insert()
    errors: list[BaseException] = []

    def work() -> None:
        try:
            webqueue.apply()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert not WebDirty.objects.exists()
    assert_exact(PERIODS)


@pytest.mark.django_db
def test_ingestion_queues_one_apply_job_per_window(
    django_capture_on_commit_callbacks: object,
) -> None:
    writer = Writer(7)
    webqueue._scheduled["window"] = -1
    envelope = Envelope()
    for n in range(3):
        raw = {"type": "page", "anonymousId": "v1", "messageId": f"j{n}",
               "timestamp": BASE.isoformat()}
        message = validate(raw, 0, envelope, BASE)
        assert isinstance(message, Incoming)
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            events_ingest(source=writer.source, messages=[message], problems=[],
                          received_at=BASE)
    assert Job.objects.filter(kind=webqueue.JOB).count() == 1
    assert webqueue.due(BASE) == 1  # the worker's check: changes are waiting
    webqueue.run_job({})
    assert webqueue.due(BASE) == 0


@pytest.mark.django_db
def test_on_sqlite_stored_events_are_swept_by_id_at_the_next_apply() -> None:
    writer = Writer(8)
    for _ in range(20):
        writer.insert()
    if connection.vendor == "sqlite":  # no trigger on insert: nothing queued yet
        assert not WebDirty.objects.exists()
    assert webqueue.pending() > 0
    webqueue.apply()
    assert webqueue.pending() == 0
    if connection.vendor == "sqlite":
        assert WebMark.objects.get().upto == Event.objects.latest("id").pk
    writer.insert()  # after the sweep: the next apply picks it up
    assert webqueue.pending() > 0
    webqueue.apply()
    assert_exact(PERIODS)


@pytest.mark.django_db
def test_a_lost_mark_sweeps_every_event_again_and_the_rollups_stay_exact() -> None:
    writer = Writer(9)
    for _ in range(40):
        writer.insert()
    webqueue.apply()
    kept = snapshot()
    WebMark.objects.all().delete()  # no row: 0, every event counts as new
    webqueue.apply()
    assert snapshot() == kept
    assert_exact(PERIODS)

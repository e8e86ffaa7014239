"""On SQLite, ingestion writers take turns on a file lock (not SQLite's sleeping busy
handler); the turn is exclusive between threads and between processes."""

from __future__ import annotations

import multiprocessing
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

from smarketing.tracking import hooks, writelock
from smarketing.tracking.writelock import ingestion_writer_turn

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="PostgreSQL writers need no turn"
)


def _hold_turn(ready: Any, seconds: float) -> None:
    with ingestion_writer_turn():
        ready.set()
        time.sleep(seconds)


def _other_writer(kind: str) -> tuple[Any, Any]:
    """Another thread or process holding the turn for 0.5 s (started, with its ready flag)."""
    if kind == "thread":
        ready: Any = threading.Event()
        return threading.Thread(target=_hold_turn, args=(ready, 0.5)), ready
    context = multiprocessing.get_context("fork")
    ready = context.Event()
    return context.Process(target=_hold_turn, args=(ready, 0.5)), ready


@pytest.mark.parametrize("kind", ["thread", "process"])
def test_a_second_writer_waits_until_the_first_has_written(kind: str) -> None:
    other, ready = _other_writer(kind)
    other.start()
    assert ready.wait(30)
    started = time.monotonic()
    with ingestion_writer_turn():
        waited = time.monotonic() - started
    other.join(30)
    assert waited > 0.25


def test_outside_a_transaction_the_turn_is_a_lock_file_beside_the_database() -> None:
    assert writelock._lock_path() == str(connection.settings_dict["NAME"]) + "-ingest.lock"


@pytest.mark.django_db
def test_inside_an_outer_transaction_no_turn_is_taken() -> None:
    with transaction.atomic():  # it already holds SQLite's lock: queueing could deadlock
        assert writelock._lock_path() is None


@pytest.mark.django_db(transaction=True)
def test_the_turn_ends_at_the_commit_before_the_listeners_after_commit_work(
    tracker: Any,
) -> None:
    held_after_commit: list[bool] = []

    def listener(ids: Any) -> None:
        transaction.on_commit(lambda: held_after_commit.append(writelock._THREAD_LOCK.locked()))

    saved = dict(hooks._LISTENERS)
    hooks.register_events_listener("test", listener)
    try:
        tracker.post("identify", {"userId": "u-1", "traits": {"email": "a@example.com"}})
    finally:
        hooks._LISTENERS.clear()
        hooks._LISTENERS.update(saved)
    assert held_after_commit == [False]

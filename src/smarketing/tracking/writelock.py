"""The ingestion writers' turn on SQLite.

SQLite has one writer at a time. A writer that finds the database locked waits in
SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25... ms between tries, so
under steady ingestion from several server processes a batch often sleeps longer
than the other process needed to commit. Ingestion writers instead queue on an
advisory file lock beside the database (a thread lock within a process, `flock`
between processes): the kernel hands the turn to the next writer as soon as the
previous one has committed. Other writers (pages, jobs) still use the busy timeout.
PostgreSQL needs none of this: its writers do not exclude each other.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

_THREAD_LOCK = threading.Lock()
_FILES: dict[tuple[int, str], int] = {}  # (pid, lock path) -> open descriptor


def _descriptor(path: str) -> int:
    """This process's descriptor of the lock file (a forked child opens its own: an
    inherited descriptor would share the parent's lock)."""
    key = (os.getpid(), path)
    if key not in _FILES:
        _FILES[key] = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    return _FILES[key]


def _lock_path() -> str | None:
    name = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or name.startswith("file:") or ":memory:" in name:
        return None
    if connection.in_atomic_block:  # an outer transaction already holds (or waits for) the
        return None  # database: queueing here too could deadlock with another writer
    return name + "-ingest.lock"


class Turn:
    """A held turn; `release()` ends it early (idempotent), e.g. as the transaction's first
    on-commit callback, so that work after the commit (rescoring) does not hold it."""

    def __init__(self, descriptor: int | None) -> None:
        self.descriptor = descriptor

    def release(self) -> None:
        if self.descriptor is not None:
            fcntl.flock(self.descriptor, fcntl.LOCK_UN)
            self.descriptor = None
            _THREAD_LOCK.release()


@contextmanager
def ingestion_writer_turn() -> Iterator[Turn]:
    """Hold the turn to write ingested events (a no-op turn on PostgreSQL)."""
    path = _lock_path()
    if path is None:
        yield Turn(None)
        return
    _THREAD_LOCK.acquire()
    try:
        descriptor = _descriptor(path)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except BaseException:
        _THREAD_LOCK.release()
        raise
    turn = Turn(descriptor)
    try:
        yield turn
    finally:
        turn.release()

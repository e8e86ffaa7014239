"""A full rescore's ranged writes, by one connection or, on PostgreSQL, by several at
once.

After the computation, a rescore writes the changed scores range by range of contact
ids, each range its own short transaction: a history row and the score row of each
changed contact, with the history's foreign-key checks. A first scoring changes nearly
every score (1M contacts: ~20 s on one connection, most of it the database's work a
row), and the ranges are independent, so on PostgreSQL SMARKETING_RESCORE_WRITERS
connections (threads of this process, default 2) take them from a queue. They read
the computed scores from an unlogged table of this run (the computation's temporary
table is its session's alone), dropped at the end.

One connection writes on SQLite (one writer at a time), for fewer than
beside.PARALLEL_FROM contacts, and inside a transaction (whose rows other connections
cannot see)."""

from __future__ import annotations

import datetime as dt
import queue
import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, transaction

from smarketing.scoring import setbased
from smarketing.scoring.beside import connections_for

Progress = Callable[[int, int], None]


def write_ranges(model: Any, at: dt.datetime, *, starts: range, batch: int, contacts: int,
                 progress: Progress | None = None) -> int:
    """Write the result table's changed scores range by range (`batch` ids from each of
    `starts`), reporting progress as step 2.. of len(starts) + 1 (step 1 is the
    computation); returns how many contacts' scores changed."""
    writers = min(connections_for(contacts), len(starts))
    if writers < 2:
        return _one_writer(model, at, starts, batch, progress)
    table = setbased.publish_result()
    try:
        return _many_writers(model, at, starts, batch, progress, (table, writers))
    finally:
        setbased.drop_published(table)


def _one_writer(model: Any, at: dt.datetime, starts: range, batch: int,
                progress: Progress | None) -> int:
    changed = 0
    for step, start in enumerate(starts, start=2):
        with transaction.atomic():  # one short transaction a range
            changed += setbased.write_from_temp_table(model, at, low=start,
                                                      high=start + batch - 1)
        if progress:
            progress(step, len(starts) + 1)
    return changed


def _many_writers(model: Any, at: dt.datetime, starts: range, batch: int,
                  progress: Progress | None, how: tuple[str, int]) -> int:
    """Threads writing the ranges from a queue, each on its own connection; this thread
    reports the progress and raises the first error (the other writers then stop)."""
    table, writers = how
    todo: queue.SimpleQueue[int] = queue.SimpleQueue()
    for start in starts:
        todo.put(start)
    done: queue.SimpleQueue[int | BaseException] = queue.SimpleQueue()
    stop = threading.Event()
    threads = [threading.Thread(target=_writer, args=(model, at, (table, batch), todo, done, stop),
                                name=f"rescore-writer-{n}", daemon=True)
               for n in range(writers)]
    for thread in threads:
        thread.start()
    changed = 0
    try:
        for step in range(2, len(starts) + 2):
            item = done.get()
            if isinstance(item, BaseException):
                raise item
            changed += item
            if progress:
                progress(step, len(starts) + 1)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    return changed


def _writer(model: Any, at: dt.datetime, range_of: tuple[str, int],
            todo: queue.SimpleQueue[int], done: queue.SimpleQueue[int | BaseException],
            stop: threading.Event) -> None:
    """One writer thread: ranges from `todo` until it is empty (or `stop`), each in a
    transaction of this thread's connection, closed at the end."""
    table, batch = range_of
    try:
        while not stop.is_set():
            try:
                start = todo.get_nowait()
            except queue.Empty:
                return
            with transaction.atomic():
                done.put(setbased.write_from_temp_table(
                    model, at, low=start, high=start + batch - 1, table=table))
    except BaseException as error:  # handed to the reporting thread, which raises it
        done.put(error)
    finally:
        connections.close_all()  # this thread's connections only

"""Work on other PostgreSQL connections beside a rescore's own: how many may work at
once, and a statement run in a thread while the rescore's connection works on.

Other connections see committed rows only, and SQLite has one writer at a time: so
only on PostgreSQL, outside a transaction, and from PARALLEL_FROM contacts (below,
the threads' connections cost more than they save)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, connections

PARALLEL_FROM = 50_000  # contacts: from this many, several connections work at once


def connections_for(contacts: int) -> int:
    """How many connections may work at once on a rescore of `contacts` contacts: the
    setting's on PostgreSQL from PARALLEL_FROM contacts outside a transaction, else 1."""
    if (connection.vendor != "postgresql" or connection.in_atomic_block
            or contacts < PARALLEL_FROM):
        return 1
    return int(settings.SMARKETING_RESCORE_WRITERS)


def run_beside(sql: str, params: list[Any]) -> Callable[[], None]:
    """Run `sql` on another connection, in a thread, while this one works on; returns
    the function that waits for it (and raises its error)."""
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with connection.cursor() as cursor:  # this thread's own connection
                cursor.execute(sql, params)
        except BaseException as error:  # raised by the waiting thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, name="rescore-beside", daemon=True)
    thread.start()

    def wait() -> None:
        thread.join()
        if errors:
            raise errors[0]

    return wait

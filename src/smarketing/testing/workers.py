"""Two job-queue workers running at once in threads (for exactly-once tests)."""

from __future__ import annotations

import datetime as dt
import threading

import time_machine
from django.db import connection

from smarketing.core import jobs


def two_workers(at: dt.datetime | None = None) -> None:
    """Run the periodic checks and every due job in two threads at once, at time `at`."""

    def work(name: str) -> None:
        try:
            if at is None:
                jobs.run_periodic()
                jobs.run_burst(name)
                return
            with time_machine.travel(at, tick=False):
                jobs.run_periodic()
                jobs.run_burst(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

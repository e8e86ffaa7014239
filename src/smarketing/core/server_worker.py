"""The production server's worker class: gunicorn's threaded worker, which leaves a new
connection to an idle sibling process while it is running a request itself.

Gunicorn's own `gthread` worker accepts every connection it can (up to 1,000) and queues
it behind its busy threads; on CPython the threads of one process also share one
interpreter lock. Two requests that land on one process then take turns on one core
while a sibling process sits idle: ingesting 100-event batches from two clients ran at
~17,000 events/s, against ~26,000 when each request found a process of its own
(docs/tracking.md, Performance). Here a busy worker that sees a connection waiting
stops listening for `ACCEPT_HOLD` seconds, so that an idle sibling takes it; if it is
still waiting then (every process is busy), the busy worker takes it, up to its thread
count. Kept-alive connections are not affected: their next request goes to the worker
that holds them.
"""

from __future__ import annotations

import select
import time
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

ACCEPT_HOLD = 0.02  # seconds


class BalancedThreadWorker(ThreadWorker):  # type: ignore[misc]
    busy = 0  # requests handed to the thread pool and not finished
    resume_at = 0.0  # while paused: when to listen again (monotonic)
    waited_since: float | None = None  # when a connection was first left to the siblings

    def _waiting(self) -> bool:
        """Whether a connection is waiting to be accepted on any listener."""
        return bool(select.select(self.sockets, [], [], 0)[0])

    def set_accept_enabled(self, enabled: bool) -> None:
        if enabled and self.resume_at:
            if time.monotonic() < self.resume_at:
                enabled = False
            else:  # resuming: forget the wait if a sibling took that connection
                self.resume_at = 0.0
                if not self._waiting():
                    self.waited_since = None
        super().set_accept_enabled(enabled and self.busy < self.cfg.threads)

    def accept(self, listener: Any) -> None:
        now = time.monotonic()
        if self.busy and (self.waited_since is None or now < self.waited_since + ACCEPT_HOLD):
            self.waited_since = now if self.waited_since is None else self.waited_since
            self.resume_at = self.waited_since + ACCEPT_HOLD
            self.set_accept_enabled(False)
            return
        self.waited_since = None
        super().accept(listener)

    def enqueue_req(self, conn: Any) -> None:
        self.busy += 1
        super().enqueue_req(conn)
        if self.busy >= self.cfg.threads:
            self.set_accept_enabled(False)

    def finish_request(self, conn: Any, fs: Any) -> None:
        self.busy -= 1
        if not self.busy:
            self.resume_at, self.waited_since = 0.0, None
        super().finish_request(conn, fs)

    def wait_for_and_dispatch_events(self, timeout: float) -> None:
        if self.resume_at:  # wake up to listen again
            timeout = min(timeout, max(self.resume_at - time.monotonic(), 0.0))
        super().wait_for_and_dispatch_events(timeout)

"""smarketing worker: run background jobs (notifications, webhooks) and periodic checks."""

from __future__ import annotations

import os
import socket
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from smarketing.core.jobs import run_burst, run_one, run_periodic


class Command(BaseCommand):
    help = "Run background jobs from the database queue (works on SQLite and PostgreSQL)."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="Run at most one job, then exit.")
        mode.add_argument("--burst", action="store_true", help="Run every due job, then exit.")
        parser.add_argument(
            "--interval", type=float, default=5.0, help="Seconds between polls (default 5)."
        )
        parser.add_argument("--name", default="", help="Worker name (default host:pid).")
        parser.add_argument(
            "--parent", type=int, default=0,
            help="Exit when the process with this id is no longer this worker's parent "
                 "(set by `smarketing serve`).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = options["name"] or f"{socket.gethostname()}:{os.getpid()}"
        if options["once"]:
            run_periodic()
            job = run_one(worker)
            self.stdout.write(f"ran {0 if job is None else 1} job")
            return
        if options["burst"]:
            checked = run_periodic()
            self.stdout.write(f"periodic checks queued {checked}; ran {run_burst(worker)} jobs")
            return
        self.stdout.write(f"worker {worker} polling every {options['interval']} s")
        while not _orphaned(options["parent"]):
            run_periodic()
            if not run_burst(worker):
                time.sleep(options["interval"])


def _orphaned(parent: int) -> bool:
    """True once the server that started this worker has gone (see `smarketing serve`)."""
    return bool(parent) and os.getppid() != parent

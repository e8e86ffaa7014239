"""smarketing serve: the production server (gunicorn, threaded workers, WhiteNoise statics)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


class SmarketingServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn run from Python, loading smarketing.wsgi.application in each worker."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            if key in self.cfg.settings:  # settings newer than the installed gunicorn are skipped
                self.cfg.set(key, value)

    def load(self) -> Any:
        from smarketing.wsgi import application

        return application


def server_options(
    *, host: str, port: int, workers: int, threads: int, timeout: int = 60,
    access_log: bool = True,
) -> dict[str, Any]:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "smarketing.core.server_worker.BalancedThreadWorker",
        "timeout": timeout,
        "graceful_timeout": 20,
        "keepalive": 5,
        "max_requests": 20_000,
        "max_requests_jitter": 2_000,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "proc_name": "smarketing",
        # gunicorn >= 25 opens a control socket under ~/.gunicorn by default: two servers
        # on one machine would share it, and nothing here uses it.
        "control_socket_disable": True,
    }


def add_server_arguments(parser: CommandParser) -> None:
    parser.add_argument("--host", default=DEFAULT_HOST, help="Address to listen on.")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="Port to listen on.")
    parser.add_argument("--workers", type=int, default=2, help="Worker processes.")
    parser.add_argument("--threads", type=int, default=4, help="Threads per worker.")
    parser.add_argument("--timeout", type=int, default=60, help="Worker timeout in seconds.")
    parser.add_argument(
        "--no-access-log", action="store_true", help="Do not log every request."
    )
    parser.add_argument(
        "--no-jobs", action="store_true",
        help="Do not run a background job worker beside the server (run `smarketing worker`).",
    )


def check_server_arguments(options: dict[str, Any]) -> None:
    if not 0 < options["port"] < 65536:
        raise CommandError(f"--port: use 1 to 65535, not {options['port']}")
    for flag in ("workers", "threads", "timeout"):
        if options[flag] < 1:
            raise CommandError(f"--{flag}: must be at least 1, not {options[flag]}")


def run_server(options: dict[str, Any], *, collect_static: bool = True) -> None:
    """Serve until stopped (Ctrl-C). Statics are collected first so pages never miss them."""
    check_server_arguments(options)
    if collect_static:
        call_command("collectstatic", interactive=False, verbosity=0)
    connections.close_all()  # never share a database connection with forked workers
    with job_worker(enabled=not options.get("no_jobs", False)):
        SmarketingServer(server_options(
            host=options["host"], port=options["port"], workers=options["workers"],
            threads=options["threads"], timeout=options["timeout"],
            access_log=not options["no_access_log"],
        )).run()


@contextmanager
def job_worker(*, enabled: bool) -> Iterator[None]:
    """`smarketing worker` as a child process for as long as the server runs.

    Queued work (rescoring, webhooks, imports, SLA notifications, report emails) then
    happens on a single-machine install without a second command. The child stops with
    the server, and by itself if the server dies without stopping it (`--parent`).
    """
    if not enabled:
        yield
        return
    child = subprocess.Popen(
        [sys.executable, "-m", "smarketing.cli", "worker", "--parent", str(os.getpid())]
    )
    try:
        yield
    finally:
        child.terminate()
        child.wait(timeout=30)


class Command(BaseCommand):
    help = "Serve Smarketing with gunicorn (threaded workers); static files included."

    def add_arguments(self, parser: CommandParser) -> None:
        add_server_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        run_server(options)

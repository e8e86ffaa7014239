"""Shared pieces of the benchmarks: Django set-up, the data set, the real server,
an HTTP session, latency statistics and the raw-database baseline.

Benchmarks are not tests: they print figures and ratios, they assert nothing.
"""

from __future__ import annotations

import http.cookiejar
import math
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Query = tuple[str, Any]


def setup_django(data_dir: Path) -> None:
    """Point Smarketing at `data_dir` (DATABASE_URL, when set, still wins) and set it up."""
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SMARKETING_DATA_DIR"] = str(data_dir.resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smarketing.settings")
    import django

    django.setup()


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        return f"SQLite ({connection.settings_dict['NAME']})"
    return f"{connection.vendor} ({connection.settings_dict.get('NAME')})"


def ensure_contacts(contacts: int, seed: int, regenerate: bool) -> float | None:
    """Migrate, then generate `contacts` unless exactly that many are there.

    Returns the generation time in seconds, or None when the data set was reused.
    """
    from django.core.management import call_command

    from smarketing.people.models import Contact

    call_command("migrate", interactive=False, verbosity=0)
    existing = Contact.objects.count()
    if existing == contacts and not regenerate:
        return None
    if existing and not regenerate:
        sys.exit(
            f"The data dir holds {existing:,} contacts, not {contacts:,}: "
            "pass --regenerate, or another --data-dir."
        )
    started = time.monotonic()
    args = ["--contacts", str(contacts), "--seed", str(seed)]
    call_command("generate", *args, *(["--force"] if existing else []))
    return time.monotonic() - started


def bench_user(username: str = "bench-admin") -> tuple[Any, str]:
    """An admin for the benchmark with a fresh random password."""
    import secrets

    from django.contrib.auth.models import User

    from smarketing.core.models import Role
    from smarketing.core.services import user_create

    password = secrets.token_urlsafe(16)
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(username=username, password=password, role=Role.ADMIN)
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    return user, password


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    port: int, workers: int, threads: int, log: Path, jobs: bool = False
) -> Iterator[str]:
    """`smarketing serve` as a subprocess (same data dir and database); yields its base URL.

    The server's own log goes to `log`; with `jobs`, its job worker runs beside it.
    """
    command = [
        sys.executable, "-m", "smarketing.cli", "serve", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--threads", str(threads),
        "--no-access-log", *([] if jobs else ["--no-jobs"]),
    ]
    with log.open("w") as log_file:
        server = subprocess.Popen(
            command, env=dict(os.environ), stdout=log_file, stderr=subprocess.STDOUT
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(base + "/login/", server, log)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_until_up(
    url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 300.0
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"the server exited with status {server.returncode}; see {log}")
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except OSError:
            time.sleep(0.25)
    sys.exit(f"the server did not answer {url} within {timeout:.0f} s")


class Browser:
    """A cookie-keeping HTTP client that signs in through the login form (CSRF included)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, headers=headers or {})
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.read()

    def login(self, username: str, password: str) -> None:
        _, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if token is None:
            sys.exit("no CSRF token on the login page")
        body = urllib.parse.urlencode({
            "csrfmiddlewaretoken": token.group(1).decode(), "username": username,
            "password": password,
            "next": "/notifications/",  # a light page: the home page is the heavy dashboard
        }).encode()
        request = urllib.request.Request(
            self.base + "/login/", data=body, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            if response.url.rstrip("/").endswith("/login"):
                sys.exit("signing in failed")


@dataclass(frozen=True)
class Stats:
    p50: float
    p95: float
    samples: int


def percentile(sorted_ms: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    return sorted_ms[max(0, math.ceil(share * len(sorted_ms)) - 1)]


def measure(action: Callable[[], object], requests: int, warmup: int) -> Stats:
    for _ in range(warmup):
        action()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return Stats(percentile(times, 0.5), percentile(times, 0.95), len(times))


def captured_queries(user: Any, path: str, headers: dict[str, str] | None = None) -> list[Query]:
    """The reads (SELECT, WITH) one request for `path` runs, with their parameters, via
    Django's test client."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client(headers=headers)
    if headers is None:
        client.force_login(user)
    recorded: list[Query] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if sql.lstrip().upper().startswith(("SELECT", "WITH")):
            recorded.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = client.get(path)
    if response.status_code != 200:
        sys.exit(f"{path}: status {response.status_code} in-process")
    return recorded


class RawDatabase:
    """The database driver on its own (sqlite3 or psycopg), running the same SQL."""

    def __init__(self) -> None:
        from django.db import connection

        self.vendor = connection.vendor
        if self.vendor == "sqlite":
            self.conn: Any = sqlite3.connect(connection.settings_dict["NAME"])
            init = connection.settings_dict.get("OPTIONS", {}).get("init_command", "")
            self.conn.executescript(init)
            from django.db.backends.sqlite3._functions import register

            register(self.conn)  # the SQL functions Django's SQLite backend adds (dates, math)
        else:
            import psycopg

            self.conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True,
                                        cursor_factory=psycopg.ClientCursor)

    def run(self, queries: list[Query]) -> None:
        cursor = self.conn.cursor()
        for sql, params in queries:
            if self.vendor == "sqlite":
                sql = re.sub(r"(?<!%)%s", "?", sql).replace("%%", "%")
            cursor.execute(sql, tuple(params or ()))
            cursor.fetchall()

    def close(self) -> None:
        self.conn.close()


def prepare_data(args: Any) -> str:
    """Set Django up on `args.data_dir` and make sure the data set exists; says how."""
    setup_django(args.data_dir)
    seconds = ensure_contacts(args.contacts, args.seed, args.regenerate)
    return "reused" if seconds is None else f"generated in {seconds:.0f} s"


@contextmanager
def signed_in_server(args: Any, log_name: str) -> Iterator[tuple[Browser, Any, str]]:
    """The real server on a free port, and a Browser signed in as the bench admin."""
    user, password = bench_user()
    log = args.data_dir / log_name
    with running_server(free_port(), args.workers, args.threads, log) as base:
        browser = Browser(base)
        browser.login(user.username, password)
        yield browser, user, base


def add_common_args(parser: Any, requests: int = 20, warmup: int = 2) -> None:
    """The options every server benchmark takes (data set, timing, server size)."""
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"))
    parser.add_argument("--regenerate", action="store_true",
                        help="Replace the data set even when it has another size.")
    parser.add_argument("--requests", type=int, default=requests, help="Timed requests per case.")
    parser.add_argument("--warmup", type=int, default=warmup, help="Untimed requests per case.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)


def http_vs_raw(
    args: Any, cases: list[tuple[str, str]], log_name: str
) -> Iterator[tuple[str, Stats | None, Stats | None, int]]:
    """Each (label, path) timed through the signed-in real server, then its reads replayed
    on the bare driver: (label, http stats, raw db stats, number of reads); the stats are
    None when a request outlasted the client's 60 s timeout."""
    with signed_in_server(args, log_name) as (browser, user, _):
        raw = RawDatabase()
        try:
            for label, path in cases:
                try:
                    http = measure(lambda p=path: browser.get(p), args.requests, args.warmup)
                except TimeoutError:
                    yield label, None, None, 0
                    continue
                queries = captured_queries(user, path)
                db = measure(lambda q=queries: raw.run(q), args.requests, args.warmup)
                yield label, http, db, len(queries)
        finally:
            raw.close()

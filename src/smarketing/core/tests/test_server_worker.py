"""The server's worker class, run by real gunicorn processes around a small WSGI app that
answers with its process id (and sleeps first on /slow)."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from smarketing.core.tests.test_commands import _free_port, _get

APP = '''
import os, time

def app(environ, start_response):
    if environ["PATH_INFO"] == "/slow":
        time.sleep(1.5)
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [str(os.getpid()).encode()]
'''


@contextmanager
def _gunicorn(tmp_path: Path, workers: int, threads: int) -> Iterator[str]:
    (tmp_path / "pidapp.py").write_text(APP)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--chdir", str(tmp_path), "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--worker-class", "smarketing.core.server_worker.BalancedThreadWorker", "pidapp:app"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _get(base + "/", timeout=60)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _pid(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:  # a new connection each
        return response.read().decode()


def _slow_in_background(base: str) -> tuple[threading.Thread, list[str]]:
    answers: list[str] = []
    thread = threading.Thread(target=lambda: answers.append(_pid(base + "/slow")))
    thread.start()
    time.sleep(0.3)  # it has been accepted and runs
    return thread, answers


def test_a_busy_worker_leaves_new_connections_to_its_idle_sibling(tmp_path: Path) -> None:
    with _gunicorn(tmp_path, workers=2, threads=4) as base:
        thread, busy = _slow_in_background(base)
        quick = [_pid(base + "/") for _ in range(10)]
        thread.join()
    # plain gthread would hand about half of them to the busy process, whose main
    # thread is free while the slow request sleeps
    assert quick.count(busy[0]) <= 1, (busy, quick)


def test_when_every_worker_is_busy_a_busy_one_still_takes_the_next(tmp_path: Path) -> None:
    with _gunicorn(tmp_path, workers=2, threads=2) as base:
        slow = [_slow_in_background(base) for _ in range(2)]
        started = time.monotonic()
        answer = _pid(base + "/")
        waited = time.monotonic() - started
        for thread, _ in slow:
            thread.join()
    assert answer in {busy[0] for _, busy in slow}
    assert waited < 0.8  # not behind a slow request (each sleeps 1.5 s)

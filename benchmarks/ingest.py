"""Event ingestion through the real HTTP server, against the raw database inserting the same rows.

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/ingest.py            # 1M events, ./var/bench-ingest
    .venv/bin/python benchmarks/ingest.py --events 200000 --data-dir /tmp/bench-ingest
    DATABASE_URL=postgres://user:pass@host/db .venv/bin/python benchmarks/ingest.py

What it does:
1. migrates the database of `--data-dir` (or DATABASE_URL) and creates two sources;
2. starts `smarketing serve` (gunicorn, production settings) on a free port (with its
   job worker beside it under `--worker`, as in production; else the jobs wait);
3. sends `--events` page and track events (1,000 visitors, realistic properties and page
   context, a third with UTM parameters) in batches of `--batch` (100) to /v1/batch
   from `--clients` (2) client processes, one request in flight per process (a new
   connection a batch unless `--keep-alive`), and
   records each batch's latency (a batch is acknowledged only once committed);
4. inserts the same rows straight into tracking_event with the bare driver (sqlite3 /
   psycopg) `executemany`, one transaction per batch of `--batch`: the raw speed of the
   database doing the same writes (only the executemany and the commit are timed: the
   rows are built off the clock, as the HTTP clients build theirs in other processes);
5. prints events/s and batch latency p50/p99 for both, and the ratio http / raw;
6. prints the CPU time per event of each side (HTTP: the server's processes while the
   clients send, read from /proc, and the clients' own; raw: the inserting process),
   which the machine's load distorts far less than the rates;
7. applies the web rollups' queue that the events left (analytics/webqueue.py: what
   the worker, or the first read of a web KPI, does) and prints how long that took;
8. with `--identified N`, runs the jobs the identified visitors' events queued (their
   incremental rescoring: what the worker does after each request) and prints their
   CPU time an ingested event; their scoring reads the daily counts (scoring.days),
   built for the model right after the visitors are identified, off the clock.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import multiprocessing
import os
import resource
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import harness

COLUMNS = (
    "source_id", "message_id", "type", "name", "contact_id", "anonymous_id", "user_id",
    "group_id", "previous_id", "timestamp", "sent_at", "received_at", "properties", "context",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "referrer",
    "page_url", "page_path",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--clients", type=int, default=2, help="Client processes.")
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench-ingest"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--keep-alive", action="store_true",
        help="Each client keeps one connection for the whole run (default: a connection a "
             "batch, as many independent senders would; two kept connections can both land "
             "on one of the server's processes, which then does all the work).",
    )
    parser.add_argument(
        "--identified", type=int, default=0,
        help="Visitors (of the 1,000) identified as contacts before the run, off the clock: "
             "their events then also run the listeners (campaign touches, incremental scoring).",
    )
    parser.add_argument(
        "--worker", action="store_true",
        help="Run the server's job worker beside it (as `smarketing serve` does by default): "
             "the identified visitors' incremental rescoring then competes for the cores "
             "while the clients send; what it left undone is run afterwards.",
    )
    return parser.parse_args()


def message(run: str, n: int) -> dict[str, Any]:
    """The n-th event of a run: a page view or a track call of one of 1,000 visitors."""
    path = ("/", "/pricing", "/blog/lead-scoring", "/product", "/contact")[n % 5]
    query = "?utm_source=google&utm_medium=cpc&utm_campaign=spring" if n % 3 == 0 else ""
    context = {
        "page": {"url": f"https://acme.example{path}{query}", "path": path,
                 "referrer": "https://www.google.com/", "title": "Acme"},
        "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0",
        "library": {"name": "bench", "version": "1"},
    }
    common = {"messageId": f"{run}-{n}", "anonymousId": f"visitor-{n % 1000}",
              "timestamp": datetime.now(UTC).isoformat(), "context": context}
    if n % 4 == 0:
        return {**common, "type": "track", "event": "Clicked",
                "properties": {"button": "signup", "position": n % 7}}
    return {**common, "type": "page", "properties": {"path": path, "title": "Acme"}}


def client_process(
    base: str, key: str, run: str, batches: range, batch: int, out: Any, keep_alive: bool,
) -> None:
    """Send this process's batches one after another; put the latencies (ms) on `out`."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=120)
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    headers = {"Content-Type": "application/json", "Authorization": auth}
    if not keep_alive:  # the server closes it after the response; the next batch reconnects
        headers["Connection"] = "close"
    latencies = []
    for b in batches:
        body = json.dumps({"batch": [message(run, b * batch + i) for i in range(batch)]})
        started = time.perf_counter()
        connection.request("POST", "/v1/batch", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        latencies.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"batch {b}: status {response.status}: {payload[:200]!r}")
    connection.close()
    out.put(latencies)


def identify_visitors(base: str, key: str, count: int) -> None:
    """Make visitors 0..count-1 contacts (identify with a userId and an email)."""
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=600)
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    for start in range(0, count, 100):
        batch = [{"type": "identify", "anonymousId": f"visitor-{v}", "userId": f"user-{v}",
                  "traits": {"email": f"visitor-{v}@bench.example"}}
                 for v in range(start, min(count, start + 100))]
        connection.request("POST", "/v1/batch", body=json.dumps({"batch": batch}), headers={
            "Content-Type": "application/json", "Authorization": auth})
        response = connection.getresponse()
        if response.status != 200:
            raise SystemExit(f"identify: status {response.status}: {response.read()[:200]!r}")
        response.read()
    connection.close()


def send_over_http(base: str, key: str, args: argparse.Namespace) -> tuple[float, list[float]]:
    batches = args.events // args.batch
    run = uuid.uuid4().hex[:8]
    out: Any = multiprocessing.get_context("fork").Queue()
    shares = [range(c, batches, args.clients) for c in range(args.clients)]
    processes = [
        multiprocessing.get_context("fork").Process(
            target=client_process,
            args=(base, key, run, share, args.batch, out, args.keep_alive),
        )
        for share in shares
    ]
    started = time.perf_counter()
    for process in processes:
        process.start()
    latencies = [ms for _ in processes for ms in out.get()]
    elapsed = time.perf_counter() - started
    for process in processes:
        process.join()
    return elapsed, sorted(latencies)


def row_values(source_id: int, m: dict[str, Any], vendor: str) -> tuple[Any, ...]:
    page = m["context"]["page"]
    utm = "?utm_" in page["url"]
    now = datetime.now(UTC)
    stamp: Any = now.replace(tzinfo=None).isoformat(" ") if vendor == "sqlite" else now
    return (
        source_id, m["messageId"], m["type"], m.get("event", ""), None, m["anonymousId"], "",
        "", "", stamp, stamp, stamp, json.dumps(m["properties"]), json.dumps(m["context"]),
        "google" if utm else "", "cpc" if utm else "", "spring" if utm else "", "", "",
        page["referrer"], page["url"], page["path"],
    )


def children_cpu() -> float:
    """CPU seconds of this process's exited and waited-for children (the clients)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(pid: int) -> float:
    """CPU seconds of a running process and its descendants (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                    for c in (task / "children").read_text().split()]
    except FileNotFoundError:  # exited meanwhile
        return 0.0
    return total + sum(tree_cpu(child) for child in children)


def server_cpu() -> float:
    """The CPU seconds so far of this process's children: the server (the clients have
    not started or have been joined)."""
    me = Path("/proc/self/task")
    return sum(tree_cpu(int(c)) for task in me.iterdir()
               for c in (task / "children").read_text().split())


def insert_raw(source_id: int, args: argparse.Namespace) -> tuple[float, list[float], float]:
    """The same rows through the bare driver: executemany per batch, one commit each."""
    from django.db import connection

    vendor = connection.vendor
    columns = ", ".join(f'"{c}"' for c in COLUMNS)
    if vendor == "sqlite":
        conn: Any = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        conn.executescript(connection.settings_dict["OPTIONS"]["init_command"])
        marks = ", ".join("?" for _ in COLUMNS)
    else:
        import psycopg

        conn = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        marks = ", ".join("%s::jsonb" if c in ("properties", "context") else "%s" for c in COLUMNS)
    sql = f"INSERT INTO tracking_event ({columns}) VALUES ({marks})"
    run = uuid.uuid4().hex[:8]
    latencies = []
    cpu = 0.0
    for b in range(args.events // args.batch):
        rows = [row_values(source_id, message(run, b * args.batch + i), vendor)
                for i in range(args.batch)]  # built outside the clock: only the database counts
        t0, c0 = time.perf_counter(), time.process_time()
        cursor = conn.cursor()
        cursor.execute("BEGIN")
        cursor.executemany(sql, rows)
        cursor.execute("COMMIT")
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu += time.process_time() - c0
    conn.close()
    return sum(latencies) / 1000, sorted(latencies), cpu


def report(label: str, events: int, elapsed: float, latencies: list[float]) -> float:
    rate = events / elapsed
    p50 = harness.percentile(latencies, 0.5)
    p99 = harness.percentile(latencies, 0.99)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{label:<34}{rate:>12,.0f}{p50:>10.1f}{p99:>10.1f}{elapsed:>10.1f}   {load}")
    return rate


def main() -> None:
    args = parse_args()
    harness.setup_django(args.data_dir)
    from django.core.management import call_command

    from smarketing.tracking.services import source_create

    call_command("migrate", interactive=False, verbosity=0)
    source, key = source_create(actor=None, name="benchmark http", kind="server")
    raw_source, _ = source_create(actor=None, name="benchmark raw", kind="server")
    events = (args.events // args.batch) * args.batch
    print(f"Database: {harness.database_label()}; {events:,} events in batches of "
          f"{args.batch}; {args.clients} client processes")
    port = harness.free_port()
    log = args.data_dir / "bench-server.log"
    with harness.running_server(port, args.workers, args.threads, log, args.worker) as base:
        print(f"Server: smarketing serve at {base}, {args.workers} workers x {args.threads} "
              f"threads{', job worker beside it' if args.worker else ''}; "
              f"{args.identified} of the 1,000 visitors identified\n")
        identify_visitors(base, key, args.identified)
        if args.identified:
            build_counts()
        print(f"{'':<34}{'events/s':>12}{'p50 ms':>10}{'p99 ms':>10}{'seconds':>10}"
              "   load after (1/5/15 min)")
        print(f"{'(load before)':<76}" + " ".join(f"{x:.1f}" for x in os.getloadavg()))
        server_before, clients_before = server_cpu(), children_cpu()
        http_elapsed, http_latencies = send_over_http(base, key, args)
        served, sent = server_cpu() - server_before, children_cpu() - clients_before
    http_rate = report("HTTP /v1/batch (server)", events, http_elapsed, http_latencies)
    raw_elapsed, raw_latencies, raw_cpu = insert_raw(raw_source.pk, args)
    raw_rate = report("raw executemany (driver)", events, raw_elapsed, raw_latencies)
    print(f"\nratio http / raw: {http_rate / raw_rate:.2f}x "
          f"(target >= 0.5x on SQLite; >= 20,000 events/s)")
    print(f"CPU per event: server {served / events * 1e6:.0f} us, clients "
          f"{sent / events * 1e6:.0f} us; raw insert {raw_cpu / events * 1e6:.0f} us")
    apply_rollups()
    if args.identified:
        drain_jobs(events)


def build_counts() -> None:
    """The daily engagement counts of the active model built (off the clock), as the
    worker builds them after the first scoring: the incremental jobs then score the
    identified visitors from them, not from their events (scoring.days)."""
    from smarketing.scoring import days
    from smarketing.scoring.engine import ModelSpec
    from smarketing.scoring.services import active_model

    spec = ModelSpec.of(active_model())
    days.ready_ids(spec)
    days.build(spec)


def drain_jobs(events: int) -> None:
    """The queued jobs that the identified visitors' events left (incremental rescoring,
    the contacts' latest source, the web rollups), run as the worker runs them (jobs
    of a mergeable kind together): their CPU time an ingested event, by kind. The
    incremental scoring's must not halve ingestion."""
    from collections import Counter

    from django.db.models import Count

    from smarketing.core.jobs import run_one
    from smarketing.core.models import Job

    pending = Job.objects.filter(done_at=None, failed_at=None)
    queued = dict(pending.values_list("kind").annotate(n=Count("id")).order_by())
    cpu: Counter[str] = Counter()
    runs: Counter[str] = Counter()
    while True:
        started = time.process_time()
        job = run_one("bench-drain")
        if job is None:
            break
        cpu[job.kind] += time.process_time() - started
        runs[job.kind] += 1
    for kind, seconds in sorted(cpu.items()):
        print(f"job {kind}: {queued.get(kind, 0):,} queued, run in {runs[kind]:,} merged runs, "
              f"{seconds:.1f} s CPU = {seconds / events * 1e6:.0f} us an ingested event")


def apply_rollups() -> None:
    """What the worker (or the first read of a web KPI) does with the queue the run left."""
    from smarketing.analytics import webqueue

    waiting = webqueue.pending()
    started, cpu = time.perf_counter(), time.process_time()
    visitors = webqueue.apply()
    print(f"web rollups: {waiting:,} changes waiting (queued visitors; on SQLite also the "
          f"events not swept yet), {visitors:,} visitors applied in "
          f"{time.perf_counter() - started:.1f} s ({time.process_time() - cpu:.1f} s CPU "
          "in this process; on PostgreSQL most of it is the server's)")


if __name__ == "__main__":
    main()

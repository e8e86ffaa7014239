"""The events list and export (GET /api/v1/events, /events/export.csv) on a 10M-event
table through the real server, against the raw database running the same reads.

Run (from the repository root):

    .venv/bin/python benchmarks/events_list.py                    # 10M events, 100k contacts
    .venv/bin/python benchmarks/events_list.py --events 1000000 --data-dir /tmp/b
    DATABASE_URL=postgres://user:pass@host/db .venv/bin/python benchmarks/events_list.py

What it does:
1. migrates the database of `--data-dir` (or DATABASE_URL) and, unless exactly
   `--events` events are there, generates `--contacts` contacts and the events with
   benchmarks/rescore.py's generator (the database writes them, spread over 180 days);
   then gives one event in 50 a `utm_campaign` (`camp-0` .. `camp-19`) if none has one
   and, on PostgreSQL, VACUUM ANALYZEs the table as autovacuum would;
2. starts `smarketing serve` and, signed in as an admin, times each list case (the
   first page, a deep page, each filter, the other sort) and records the reads each
   request runs; replays exactly those reads on the bare driver (sqlite3 / psycopg);
3. prints p50/p95 of both and the ratio http p95 / raw p95; then streams the CSV
   export of one day of events and of one contact, rows/s against the raw SELECT
   fetching the same rows.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import time
import urllib.request
from pathlib import Path

import harness
from rescore import generate

PAGE = "/api/v1/events?limit=50"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_args(parser, requests=30, warmup=3)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.set_defaults(contacts=100_000, data_dir=Path("var/bench-events"))
    return parser.parse_args()


def prepare(args: argparse.Namespace) -> None:
    harness.setup_django(args.data_dir)
    from django.core.management import call_command
    from django.db import connection

    from smarketing.tracking.models import Event

    call_command("migrate", interactive=False, verbosity=0)
    if Event.objects.count() != args.events:
        generate(args.contacts, args.events, args.seed)
    if not Event.objects.exclude(utm_campaign="").exists():
        table = connection.ops.quote_name(Event._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET utm_campaign = 'camp-' || CAST(id % 20 AS TEXT) "
                           "WHERE id % 50 = 0")
            cursor.execute("ANALYZE")
    if connection.vendor == "postgresql":
        # what autovacuum does to a live table: the visibility map lets the capped
        # count read its index alone (a fresh bulk load has none set)
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(Event._meta.db_table)}")


def cases() -> tuple[list[tuple[str, str]], str, int]:
    from smarketing.tracking.models import Event

    sample = Event.objects.order_by("-id").values(
        "contact_id", "anonymous_id", "source_id", "timestamp").first()
    assert sample is not None
    day = sample["timestamp"].date().isoformat()
    return [
        ("first page", PAGE),
        ("page 200", f"{PAGE}&offset=9950"),
        ("oldest first", f"{PAGE}&sort=timestamp"),
        ("one contact", f"{PAGE}&contact_id={sample['contact_id']}"),
        ("one anonymous id", f"{PAGE}&anonymous_id={sample['anonymous_id']}"),
        ("type+name", f"{PAGE}&type=track&name=Form+Submitted"),
        ("type page", f"{PAGE}&type=page"),
        ("utm_campaign", f"{PAGE}&utm_campaign=camp-7"),
        ("one day", f"{PAGE}&start={day}&end={day}T23:59:59"),
        ("source", f"{PAGE}&source_id={sample['source_id']}"),
        ("contact+type", f"{PAGE}&contact_id={sample['contact_id']}&type=page"),
    ], day, sample["contact_id"]


def row(label: str, path: str, http: harness.Stats, raw: harness.Stats, reads: int) -> str:
    ratio = http.p95 / raw.p95 if raw.p95 else float("inf")
    return (f"{label:<18}{path[len(PAGE):] or '(none)':<46}{http.p50:>9.1f}{http.p95:>9.1f}"
            f"{raw.p50:>9.2f}{raw.p95:>9.2f}{ratio:>8.1f}x{reads:>6}")


def export_rate(base: str, browser: harness.Browser, query: str) -> tuple[int, float]:
    started = time.perf_counter()
    request = urllib.request.Request(base + "/api/v1/events/export.csv?" + query)
    rows = -1  # the header line
    with browser.opener.open(request, timeout=600) as response:
        for _ in response:
            rows += 1
    return rows, time.perf_counter() - started


def raw_export(query: str) -> float:
    """The same rows read by the bare driver: the export's one SELECT."""
    from smarketing.tracking.exports import EVENT_COLUMNS
    from smarketing.tracking.schemas import EventQuery
    from smarketing.tracking.selectors import EventFilters, event_list

    params = dict(p.split("=", 1) for p in query.split("&"))
    filters = EventFilters(**EventQuery(**params).dict(exclude={"limit", "offset"}))
    values = event_list(filters).values_list(*(c.lookup for c in EVENT_COLUMNS))
    raw = harness.RawDatabase()
    try:
        started = time.perf_counter()
        raw.run([values.query.sql_with_params()])
        return time.perf_counter() - started
    finally:
        raw.close()


def main() -> None:
    args = parse_args()
    prepare(args)
    from smarketing.tracking.models import Event

    print(f"Data set: {Event.objects.count():,} events in {harness.database_label()}")
    listed, day, contact_id = cases()
    print(f"\nGET /api/v1/events (ms; ratio = http p95 / raw db p95; reads per request)\n"
          f"{'case':<18}{'parameters':<46}{'http p50':>9}{'http p95':>9}{'db p50':>9}"
          f"{'db p95':>9}{'ratio':>9}{'reads':>6}")
    for label, http, raw, reads in harness.http_vs_raw(args, listed, "bench-events.log"):
        path = dict(listed)[label]
        if http is None or raw is None:
            print(f"{label:<18}{path}: over the client's timeout")
            continue
        print(row(label, path, http, raw, reads), flush=True)
    with harness.signed_in_server(args, "bench-events-export.log") as (browser, _, base):
        for label, query in (("one day", f"start={day}&end={day}T23:59:59"),
                             ("one contact", f"contact_id={contact_id}")):
            rows, seconds = export_rate(base, browser, query)
            raw_seconds = raw_export(query)
            print(f"export {label}: {rows:,} rows in {seconds:.2f} s ({rows / seconds:,.0f} "
                  f"rows/s) through the server; the raw SELECT {raw_seconds:.2f} s: "
                  f"{raw_seconds / seconds:.2f}x the raw speed", flush=True)


if __name__ == "__main__":
    main()

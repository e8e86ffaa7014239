"""The dashboards through the real HTTP server, against the raw database doing the same work.

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/dashboards.py                       # 1M contacts, ./var/bench
    .venv/bin/python benchmarks/dashboards.py --data-dir /tmp/copy-of-a-data-set

Generates the data set unless it is there (`smarketing generate`), tops it up to the
issue's scale set-based (--events, default 10M: copies of the events shifted by a few
hours, each copy's anonymous visitors new ones; --deals, default 50k: copies of deals
with their contacts, stage history and lines; the web rollups' triggers and the events'
secondary indexes are dropped for the bulk copy and made again after it), starts
`smarketing serve`, signs in as an admin and times each dashboard (shared, marketing,
sales, customer journey) for the last whole month of the data set (and the shared one
for its last quarter); then replays the SELECTs each request ran through the bare
driver: the same KPI queries as direct SQL, the limit. Prints p50/p95, the ratio, and
whether p95 <= 500 ms ("timed out" when one request outlasts 60 s); then, in-process,
each dashboard assembled once, the slowest KPIs (where the time goes) and the alignment
report (HTML and PDF). Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from typing import Any

import harness

TARGET_P95_MS = 500.0
PAGES = (("shared", "/dashboards/"), ("marketing", "/dashboards/marketing/"),
         ("sales", "/dashboards/sales/"), ("journey", "/dashboards/journey/"))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_args(parser)
    parser.add_argument("--only", default="", help="Only the cases whose label contains this.")
    parser.add_argument("--events", type=int, default=10_000_000,
                        help="Top the events up to this many (0: leave them).")
    parser.add_argument("--deals", type=int, default=50_000,
                        help="Top the deals up to this many (0: leave them).")
    parser.add_argument("--no-warm", action="store_true",
                        help="Do not run attribution's refresh job first (the dashboards "
                             "then show its figures as of the last refresh).")
    return parser.parse_args()


def _shifted(vendor: str, k: int) -> str:
    if vendor == "postgresql":
        return f"timestamp - interval '{k * 7919} seconds'"
    return f"datetime(timestamp, '-{k * 7919} seconds') || substr(timestamp, 20)"


def top_up_events(target: int) -> None:
    """Copies of the events (k = 1, 2, ...) until there are `target`: message ids
    suffixed, timestamps k x 2.2 hours earlier, anonymous visitors new ones."""
    from django.db import connection, transaction

    from smarketing.analytics import webrollup
    from smarketing.tracking.models import Event

    count = Event.objects.count()
    if not target or count >= target:
        return
    columns = [f.column for f in Event._meta.concrete_fields if f.column != "id"]
    copies = {"message_id": "message_id || '-t{k}'", "timestamp": "{shifted}",
              "anonymous_id": "CASE WHEN contact_id IS NULL AND anonymous_id <> '' "
                              "THEN anonymous_id || '-t{k}' ELSE anonymous_id END"}
    base = Event.objects.order_by("-id").values_list("id", flat=True).first() or 0
    with connection.schema_editor() as editor:
        webrollup.uninstall(editor)
    indexes = _drop_secondary_indexes(connection, "tracking_event")
    k = 1
    while count < target:
        select = [copies.get(c, c).format(k=k, shifted=_shifted(connection.vendor, k))
                  for c in columns]
        names = ", ".join(columns)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO tracking_event ({names}) SELECT {', '.join(select)} "
                           f"FROM tracking_event WHERE id <= %s ORDER BY id LIMIT %s",
                           [base, min(target - count, base)])
        count = Event.objects.count()
        print(f"events: {count:,}", flush=True)
        k += 1
    with connection.cursor() as cursor:  # sorted once each: far faster than 9M inserts
        for sql in indexes:
            cursor.execute(sql)
    with connection.schema_editor() as editor:
        webrollup.install(editor)  # the triggers again, and both rollups rebuilt


def _drop_secondary_indexes(connection: Any, table: str) -> list[str]:
    """Drop `table`'s indexes that back no constraint; returns the statements that
    create them again (the bulk copy then writes the table and its unique index only)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE "
                           "i.tablename = %s AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
                           "WHERE c.conname = i.indexname)", [table])
        else:
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = %s AND sql IS NOT NULL", [table])
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [sql for _, sql in found]


def warm_derived_tables() -> None:
    """Run attribution's refresh (the worker's job, campaigns/rollup.py) before the clock
    starts, as a running worker would have; no request runs it, so without it
    (--no-warm) the dashboards show the influenced figures as of the last refresh."""
    from smarketing.campaigns.rollup import rollup_refresh

    started = time.perf_counter()
    rollup_refresh()
    print(f"attribution rollup refreshed in {time.perf_counter() - started:,.1f} s", flush=True)


def top_up_deals(target: int) -> None:
    """Copies of the first deals (ids shifted by the largest) with their contacts, stage
    history and line items, until there are `target`."""
    from django.db import connection, transaction

    from smarketing.pipeline.models import Deal

    count = Deal.objects.count()
    if not target or count >= target:
        return
    offset = Deal.objects.order_by("-id").values_list("id", flat=True).first() or 0
    plan = {"pipeline_deal": "id", "pipeline_dealcontact": "deal_id",
            "pipeline_dealstagechange": "deal_id", "pipeline_lineitem": "deal_id"}
    with transaction.atomic(), connection.cursor() as cursor:
        for table, key in plan.items():
            cursor.execute(f"SELECT * FROM {table} LIMIT 0")
            columns = [c[0] for c in cursor.description if c[0] != "id" or key == "id"]
            select = [f"{c} + %s" if c == key else ("name || ' (2)'" if c == "name" and
                      table == "pipeline_deal" else c) for c in columns]
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT "
                           f"{', '.join(select)} FROM {table} WHERE {key} <= %s",
                           [offset, target - count])
        if connection.vendor == "postgresql":
            cursor.execute("SELECT setval(pg_get_serial_sequence('pipeline_deal', 'id'), "
                           "(SELECT MAX(id) FROM pipeline_deal))")
    print(f"deals: {Deal.objects.count():,}", flush=True)


def row(label: str, http: harness.Stats | None, raw: harness.Stats | None,
        queries: int) -> str:
    if http is None or raw is None:
        return f"{label:<26}{'':>8}  timed out (one request > 60 s)  NO"
    ratio = http.p95 / raw.p95 if raw.p95 else float("inf")
    ok = "yes" if http.p95 <= TARGET_P95_MS else "NO"
    return (f"{label:<26}{queries:>8}{http.p50:>9.1f}{http.p95:>9.1f}{raw.p50:>9.1f}"
            f"{raw.p95:>9.1f}{ratio:>8.1f}x  {ok}")


def kpi_costs() -> None:
    """In-process: each dashboard assembled once, and the slowest KPIs (value + previous)."""
    from smarketing.analytics import registry
    from smarketing.analytics.dashboards import DASHBOARDS, assemble
    from smarketing.core.periods import Period

    period = Period(*last_month())
    print("\nIn-process, one run each (milliseconds)")
    for slug, dashboard in DASHBOARDS.items():
        started = time.perf_counter()
        assemble(dashboard, period)
        print(f"dashboard {slug:<16}{(time.perf_counter() - started) * 1000:>10,.0f}")
    costs = []
    for kpi in registry.all_kpis():
        started = time.perf_counter()
        with registry.evaluation():
            registry.kpi_value(kpi, period)
        costs.append(((time.perf_counter() - started) * 1000, kpi.name))
    for ms, name in sorted(costs, reverse=True)[:12]:
        print(f"kpi {name:<32}{ms:>10,.0f}")


def last_month() -> tuple[dt.date, dt.date]:
    """The last whole month before the newest stage move of the data set."""
    from django.db.models import Max

    from smarketing.core.periods import month_of
    from smarketing.people.models import StageChange

    newest = StageChange.objects.aggregate(at=Max("at"))["at"]
    if newest is None:
        raise SystemExit("no stage history in the data set")
    month = month_of(month_of(newest.date()).start - dt.timedelta(days=1))
    return month.start, month.end


def cases() -> list[tuple[str, str]]:
    start, end = last_month()
    query = f"start={start}&end={end}"
    quarter = f"start={end - dt.timedelta(days=91)}&end={end}"
    return [(f"{name} (month)", f"{path}?{query}") for name, path in PAGES] + [
        ("shared (13 weeks)", f"/dashboards/?{quarter}")]


def time_report() -> None:
    from smarketing.analytics.report import render
    from smarketing.core.periods import Period

    start, end = last_month()
    week = Period(end - dt.timedelta(days=7), end)
    for fmt in ("html", "pdf"):
        started = time.perf_counter()
        size = len(render(week, fmt))
        print(f"report {fmt}: {(time.perf_counter() - started) * 1000:,.0f} ms "
              f"({size:,} bytes)")


def main() -> None:
    args = parse_args()
    made = harness.prepare_data(args)
    top_up_deals(args.deals)
    top_up_events(args.events)
    if not args.no_warm:
        warm_derived_tables()
    from smarketing.pipeline.models import Deal
    from smarketing.tracking.models import Event

    print(f"Data set: {args.contacts:,} contacts, {Deal.objects.count():,} deals, "
          f"{Event.objects.count():,} events ({made}) in {harness.database_label()}; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"\nDashboards (milliseconds; ratio = http p95 / raw db p95)\n"
          f"{'case':<26}{'queries':>8}{'http p50':>9}{'http p95':>9}{'db p50':>9}"
          f"{'db p95':>9}{'ratio':>9}  p95<={TARGET_P95_MS:.0f}ms")
    chosen = [case for case in cases() if args.only in case[0]]
    for label, http, db, queries in harness.http_vs_raw(args, chosen,
                                                       "bench-dashboards-server.log"):
        print(row(label, http, db, queries), flush=True)
    kpi_costs()
    time_report()


if __name__ == "__main__":
    main()

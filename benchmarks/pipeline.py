"""Pipeline pages through the real HTTP server, against the raw database doing the same work.

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/pipeline.py --data-dir /tmp/bench-pipeline   # 50k / 500k
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/pipeline.py

Generates its data set itself: `--contacts` (default 100,000) with their deals,
line items, activities and quotas (`smarketing generate`), then copies deals
until there are `--deals` (default 50,000) and activities until `--activities`
(default 500,000), set-based (benchmarks/pipeline_scale.py). Learns the day's
win/slip rates as the worker job does (timed: it is not on any request path),
starts `smarketing serve`, signs in as an admin and times the deal board (all
deals, one owner's, one team's, a column's "load more"), the forecast page, the
forecast API, the deal page of the deal with the most activities (its timeline),
its timeline API and its primary contact's timeline API; then runs the SELECTs
of each request through the bare driver. Prints the first (cold) request, p50/p95,
the ratio, whether p95 <= 300 ms, and the load average. Not a test.
"""

from __future__ import annotations

import argparse
import os
import time

import harness
from contacts_list import header, row


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_args(parser, requests=50, warmup=3)
    parser.set_defaults(contacts=100_000)
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--activities", type=int, default=500_000)
    return parser.parse_args()


def cases() -> list[tuple[str, str]]:
    from django.db.models import Count

    from smarketing.core.models import Profile
    from smarketing.pipeline.models import Activity, Deal, PipelineStage

    busiest_id = (Activity.objects.filter(deal__isnull=False).values("deal_id")
                  .annotate(n=Count("id")).order_by("-n", "deal_id")[0]["deal_id"])
    busiest = Deal.objects.get(pk=busiest_id)
    owner = busiest.owner_id
    team = Profile.objects.filter(user_id=owner).values_list("team_id", flat=True).first()
    contact = busiest.deal_contacts.values_list("contact_id", flat=True).first()
    stage = PipelineStage.objects.filter(is_won=True).values_list("id", flat=True).first()
    return [
        ("deal board", "/deals/"),
        ("board, one owner", f"/deals/?owner={owner}"),
        ("board, one team", f"/deals/?team={team}"),
        ("board, load more", f"/deals/column/{stage}/?offset=25"),
        ("forecast page", "/forecast/"),
        ("forecast API", "/api/v1/forecast"),
        ("deal page + timeline", f"/deals/{busiest.pk}/"),
        ("deal timeline API", f"/api/v1/deals/{busiest.pk}/timeline"),
        ("contact timeline API", f"/api/v1/contacts/{contact}/timeline"),
    ]


def prepare(args: argparse.Namespace) -> None:
    made = harness.prepare_data(args)  # sets Django up: import models after it
    from django.utils import timezone
    from pipeline_scale import scale_up

    from smarketing.pipeline.models import Activity, Deal
    from smarketing.pipeline.rates import refresh_rates

    started = time.monotonic()
    added = scale_up(args.deals, args.activities)
    print(f"Data set: {args.contacts:,} contacts ({made}); copied {added['deals']:,} deals and "
          f"{added['activities']:,} activities in {time.monotonic() - started:.0f} s: "
          f"{Deal.objects.count():,} deals, {Activity.objects.count():,} activities in "
          f"{harness.database_label()}", flush=True)
    table = refresh_rates(timezone.localdate())
    print(f"Win/slip rates learnt by the worker job (not on a request): {table.seconds:.1f} s",
          flush=True)


def main() -> None:
    args = parse_args()
    prepare(args)
    print(f"load average before: {os.getloadavg()}")
    with harness.signed_in_server(args, "bench-pipeline-server.log") as (browser, user, _):
        print(header("Pipeline pages (session login)"))
        raw = harness.RawDatabase()
        if raw.vendor == "sqlite":  # the SQL functions Django adds to SQLite (date maths)
            from django.db.backends.sqlite3._functions import register

            register(raw.conn)
        try:
            for label, path in cases():
                started = time.perf_counter()
                browser.get(path)
                first = (time.perf_counter() - started) * 1000
                http = harness.measure(lambda p=path: browser.get(p), args.requests,
                                       args.warmup)
                queries = harness.captured_queries(user, path)
                db = harness.measure(lambda q=queries: raw.run(q), args.requests, args.warmup)
                print(f"{row(label, path, http, db)}  first {first:.0f} ms, "
                      f"{len(queries)} reads", flush=True)
        finally:
            raw.close()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()

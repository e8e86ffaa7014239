"""Attribution through the real HTTP server, against one direct SQL query computing the
same figure (the limit).

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/attribution.py                  # 50k deals, 10M events
    .venv/bin/python benchmarks/attribution.py --deals 2000 --events 200000 \\
        --data-dir /tmp/bench-attr-small                         # a quick run
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/attribution.py   # PostgreSQL

Builds the data set unless it is there (benchmarks/attribution_data.py: a year of
deals and the events of their contacts, written set-based), computes every deal's
attribution once (timed: the first read after loading), starts `smarketing serve`,
signs in as an admin and times GET /api/v1/attribution for the year, every model x
basis (pipeline, revenue) x grouping (campaign, channel). Next to each: one direct SQL
statement computing the same figure from the deals, their contacts and the touch
points (campaigns/attribution_query.direct_statement, run on the bare driver), its
p95, the ratio http p95 / direct p95, and whether both give the same figure to the
cent (the statement runs through Django's connection: its overhead is nil next to
the statement's seconds). Prints whether http p95 <= 500 ms. Not a test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import attribution_data
import harness

TARGET_P95_MS = 500.0
MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")
START, END = attribution_data.YEAR_START, attribution_data.YEAR_END


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_args(parser, requests=20, warmup=2)
    parser.set_defaults(contacts=None, data_dir=Path("var/bench-attribution"))
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--direct-runs", type=int, default=3,
                        help="Timed runs of the direct SQL statement per case (seconds "
                             "each at full size: the p95 of a few runs is the slowest).")
    parser.add_argument("--only", nargs="*", default=[],
                        help="Only the cases whose label contains one of these words.")
    return parser.parse_args()


def ensure_data(args: argparse.Namespace) -> str:
    from django.core.management import call_command

    from smarketing.pipeline.models import Deal
    from smarketing.tracking.models import Event

    call_command("migrate", interactive=False, verbosity=0)
    harness.bench_user()
    deals, events = Deal.objects.count(), Event.objects.count()
    if (deals, events) == (args.deals, args.events):
        return "reused"
    if deals or events:
        raise SystemExit(f"the database holds {deals:,} deals and {events:,} events: "
                         "use another --data-dir (or DATABASE_URL)")
    started = time.monotonic()
    attribution_data.generate(deals=args.deals, events=args.events,
                              contacts=args.contacts or 4 * args.deals)
    return f"generated in {time.monotonic() - started:.0f} s"


def first_computation() -> float:
    """Seconds to bring the touch points and every deal's rows up to date."""
    from smarketing.campaigns.rollup import rollup_refresh

    started = time.monotonic()
    rollup_refresh()
    return time.monotonic() - started


def cases(only: list[str]) -> list[tuple[str, dict[str, str]]]:
    found = [
        (f"{basis} {model} by {by}",
         {"start": str(START.date()), "end": str(END.date()), "model": model,
          "basis": basis, "by": by})
        for basis in ("pipeline", "revenue") for model in MODELS
        for by in ("campaign", "channel")
    ]
    return [case for case in found if not only or any(w in case[0] for w in only)]


def direct(query: dict[str, str], runs: int) -> tuple[harness.Stats,
                                                    dict[str, tuple[int, int]]]:
    """The direct statement run `runs` times: its timings and its figure
    {key: (cents, deals)}."""
    from django.db import connection

    from smarketing.campaigns.attribution import NO_CAMPAIGN, NONE_KEY
    from smarketing.campaigns.attribution_query import direct_statement, sql_moment
    from smarketing.campaigns.models import Channel

    unkeyed = NO_CAMPAIGN if query["by"] == "campaign" else str(Channel.CONTENT_SEO)
    sql = direct_statement(query["model"], query["basis"], query["by"])
    start, end = sql_moment(START), sql_moment(END)
    figure: dict[str, tuple[int, int]] = {}

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, [NONE_KEY, unkeyed, start, end, start, end])
            figure.update({key: (int(Decimal(cents)), int(deals))
                           for key, cents, deals in cursor})

    return harness.measure(run, runs, 0), figure


def same(body: bytes, figure: dict[str, tuple[int, int]]) -> bool:
    served = json.loads(body)
    items = {i["key"]: (int(Decimal(i["amount"]) * 100), i["deals"]) for i in served["items"]}
    total = int(Decimal(served["total"]) * 100)
    return items == figure and total == sum(cents for cents, _ in figure.values())


def row(label: str, http: harness.Stats, limit: harness.Stats, equal: bool) -> str:
    ratio = http.p95 / limit.p95 if limit.p95 else float("inf")
    ok = "yes" if http.p95 <= TARGET_P95_MS else "NO"
    return (f"{label:<34}{http.p50:>9.1f}{http.p95:>9.1f}{limit.p50:>10.1f}{limit.p95:>10.1f}"
            f"{ratio:>8.2f}x  {'yes' if equal else 'NO':<5}{ok}")


def measure_cases(args: argparse.Namespace) -> None:
    import urllib.parse

    with harness.signed_in_server(args, "bench-attribution-server.log") as (browser, _, _b):
        print(f"\nGET /api/v1/attribution, {START.date()} to {END.date()} (milliseconds; "
              "ratio = http p95 / direct SQL p95)\n"
              f"{'case':<34}{'http p50':>9}{'http p95':>9}{'sql p50':>10}{'sql p95':>10}"
              f"{'ratio':>9}  same  p95<={TARGET_P95_MS:.0f}ms", flush=True)
        for label, query in cases(args.only):
            path = "/api/v1/attribution?" + urllib.parse.urlencode(query)
            http = harness.measure(lambda p=path: browser.get(p), args.requests, args.warmup)
            limit, figure = direct(query, args.direct_runs)
            print(row(label, http, limit, same(browser.get(path)[1], figure)), flush=True)


def main() -> None:
    args = parse_args()
    harness.setup_django(args.data_dir)
    made = ensure_data(args)
    from smarketing.campaigns.models import TouchPoint
    from smarketing.pipeline.models import Deal
    from smarketing.tracking.models import Event

    print(f"Data set: {Deal.objects.count():,} deals, {Event.objects.count():,} events "
          f"({made}) in {harness.database_label()}", flush=True)
    print(f"First computation (touch points and every deal's rows): "
          f"{first_computation():.1f} s; {TouchPoint.objects.count():,} touch points; "
          f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}",
          flush=True)
    measure_cases(args)
    print(f"load: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")


if __name__ == "__main__":
    main()

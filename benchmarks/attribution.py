"""Attribution through the real HTTP server, against the raw database doing the same work.

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/attribution.py                       # 1M contacts, ./var/bench
    .venv/bin/python benchmarks/attribution.py --contacts 50000 --data-dir /tmp/bench

Generates the data set unless it is there (`smarketing generate`: contacts, deals, and
the campaigns extension's campaigns and UTM-tagged events), starts `smarketing
serve`, signs in as an admin and times GET /api/v1/attribution for the year before
the data set's newest deal, every model, revenue and pipeline basis; then replays the
SELECTs of each request through the bare driver (the limit: the database's own time
for the same reads). Prints p50/p95, the ratio, and whether p95 <= 500 ms. Not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt

import harness

TARGET_P95_MS = 500.0
MODELS = ("first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_args(parser, requests=20, warmup=2)
    return parser.parse_args()


def row(label: str, http: harness.Stats, raw: harness.Stats) -> str:
    ratio = http.p95 / raw.p95 if raw.p95 else float("inf")
    ok = "yes" if http.p95 <= TARGET_P95_MS else "NO"
    return (f"{label:<28}{http.p50:>9.1f}{http.p95:>9.1f}{raw.p50:>9.2f}{raw.p95:>9.2f}"
            f"{ratio:>9.1f}x  {ok}")


def cases() -> list[tuple[str, str]]:
    from django.db.models import Max

    from smarketing.pipeline.models import Deal

    newest = Deal.objects.aggregate(at=Max("created_at"))["at"]
    if newest is None:
        raise SystemExit("no deal in the data set")
    end = newest.date() + dt.timedelta(days=1)
    start = end - dt.timedelta(days=365)
    return [
        (f"{basis} {model}",
         f"/api/v1/attribution?start={start}&end={end}&model={model}&basis={basis}")
        for basis in ("revenue", "pipeline") for model in MODELS
    ]


def main() -> None:
    args = parse_args()
    made = harness.prepare_data(args)
    from smarketing.pipeline.models import Deal
    from smarketing.tracking.models import Event

    print(f"Data set: {args.contacts:,} contacts, {Deal.objects.count():,} deals, "
          f"{Event.objects.count():,} events ({made}) in {harness.database_label()}")
    with harness.signed_in_server(args, "bench-attribution-server.log") as (browser, user, _):
        print(f"\nAttribution API (milliseconds; ratio = http p95 / raw db p95)\n"
              f"{'case':<28}{'http p50':>9}{'http p95':>9}{'db p50':>9}{'db p95':>9}"
              f"{'ratio':>10}  p95<={TARGET_P95_MS:.0f}ms")
        raw = harness.RawDatabase()
        try:
            for label, path in cases():
                http = harness.measure(lambda p=path: browser.get(p), args.requests,
                                       args.warmup)
                queries = harness.captured_queries(user, path)
                db = harness.measure(lambda q=queries: raw.run(q), args.requests, args.warmup)
                print(row(label, http, db), flush=True)
        finally:
            raw.close()


if __name__ == "__main__":
    main()

"""Pipeline pages through the real HTTP server, against the raw database doing the same work.

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/pipeline.py                       # 1M contacts, ./var/bench
    .venv/bin/python benchmarks/pipeline.py --contacts 100000 --data-dir /tmp/bench

Like benchmarks/contacts_list.py: generates the data set (contacts with their
deals, line items, activities and quotas, `smarketing generate`) unless it is
there, starts `smarketing serve`, signs in as an admin and times the deal board
(all deals, and one owner's), the forecast page, the forecast API, the deal page
of the deal with the most activities (its timeline) and that deal's primary
contact's timeline API; then runs the SELECTs of each request through the bare
driver. Prints p50/p95, the ratio, and whether p95 <= 300 ms. Not a test.
"""

from __future__ import annotations

import argparse

import harness
from contacts_list import header, row


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_args(parser, requests=50, warmup=3)
    return parser.parse_args()


def cases() -> list[tuple[str, str]]:
    from django.db.models import Count

    from smarketing.pipeline.models import Deal

    busiest = Deal.objects.annotate(n=Count("activities")).order_by("-n", "id").first()
    if busiest is None:
        raise SystemExit("no deal in the data set")
    owner = busiest.owner_id
    contact = busiest.deal_contacts.values_list("contact_id", flat=True).first()
    return [
        ("deal board", "/deals/"),
        ("board, one owner", f"/deals/?owner={owner}"),
        ("forecast page", "/forecast/"),
        ("forecast API", "/api/v1/forecast"),
        ("deal page + timeline", f"/deals/{busiest.pk}/"),
        ("contact timeline API", f"/api/v1/contacts/{contact}/timeline"),
    ]


def main() -> None:
    args = parse_args()
    made = harness.prepare_data(args)
    from smarketing.pipeline.models import Activity, Deal

    print(f"Data set: {args.contacts:,} contacts, {Deal.objects.count():,} deals, "
          f"{Activity.objects.count():,} activities ({made}) in {harness.database_label()}")
    with harness.signed_in_server(args, "bench-pipeline-server.log") as (browser, user, _):
        print(header("Pipeline pages (session login)"))
        raw = harness.RawDatabase()
        if raw.vendor == "sqlite":  # the SQL functions Django adds to SQLite (date maths)
            from django.db.backends.sqlite3._functions import register

            register(raw.conn)
        try:
            for label, path in cases():
                http = harness.measure(lambda p=path: browser.get(p), args.requests,
                                       args.warmup)
                queries = harness.captured_queries(user, path)
                db = harness.measure(lambda q=queries: raw.run(q), args.requests, args.warmup)
                print(row(label, path, http, db), flush=True)
        finally:
            raw.close()


if __name__ == "__main__":
    main()

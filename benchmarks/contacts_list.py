"""Contacts list through the real HTTP server, against the raw database doing the same work.

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/contacts_list.py                      # 1M contacts, ./var/bench
    .venv/bin/python benchmarks/contacts_list.py --contacts 100000 --data-dir /tmp/bench
    DATABASE_URL=postgres://user:pass@host/db .venv/bin/python benchmarks/contacts_list.py

What it does:
1. migrates the database of `--data-dir` (or DATABASE_URL) and generates `--contacts`
   contacts with `smarketing generate` (seeded), unless exactly that many are there
   already (then they are reused; `--regenerate` replaces them), printing the time;
2. starts `smarketing serve` (gunicorn, production settings) on a free port;
3. signs in through the login form (session + CSRF) as an admin, and requests the
   HTML contacts list: the first page, a filtered page (`?stage=mql`), a search
   (`?q=smi`) and page 500 (`?offset=24950`, 50 rows a page); also the REST list
   `/api/v1/contacts` with a bearer token for the same cases;
4. records the SELECTs each request runs (Django's test client in this process) and
   runs exactly those, with their parameters, through the bare driver (sqlite3 /
   psycopg): the raw speed of the database doing the same work;
5. prints p50/p95 of both, the ratio http p95 / raw p95, and whether p95 <= 300 ms.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse

import harness

PAGE_SIZE = 50
TARGET_P95_MS = 300.0
CASES: tuple[tuple[str, str], ...] = (
    ("first page", ""),
    ("filtered (stage=mql)", "stage=mql"),
    ("search (q=smi)", "q=smi"),
    ("page 500", f"offset={499 * PAGE_SIZE}"),
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    harness.add_common_args(parser, requests=100, warmup=5)
    return parser.parse_args()


def html_paths() -> list[tuple[str, str]]:
    return [(label, "/contacts/" + (f"?{query}" if query else "")) for label, query in CASES]


def api_paths() -> list[tuple[str, str]]:
    return [
        (label, f"/api/v1/contacts?limit={PAGE_SIZE}" + (f"&{query}" if query else ""))
        for label, query in CASES
    ]


def row(label: str, path: str, http: harness.Stats, raw: harness.Stats) -> str:
    ratio = http.p95 / raw.p95 if raw.p95 else float("inf")
    ok = "yes" if http.p95 <= TARGET_P95_MS else "NO"
    return (
        f"{label:<22}{path:<46}{http.p50:>9.1f}{http.p95:>9.1f}"
        f"{raw.p50:>9.2f}{raw.p95:>9.2f}{ratio:>9.1f}x  {ok}"
    )


def header(title: str) -> str:
    columns = (
        f"{'case':<22}{'path':<46}{'http p50':>9}{'http p95':>9}{'db p50':>9}{'db p95':>9}"
        f"{'ratio':>10}  p95<={TARGET_P95_MS:.0f}ms"
    )
    return f"\n{title} (milliseconds; ratio = http p95 / raw db p95)\n{columns}"


def run_cases(
    browser: harness.Browser, cases: list[tuple[str, str]], args: argparse.Namespace,
    user: object, headers: dict[str, str] | None,
) -> None:
    raw = harness.RawDatabase()
    try:
        for label, path in cases:
            status, _ = browser.get(path, headers)
            if status != 200:
                print(f"{label:<22}{path:<46}status {status}")
                continue
            http = harness.measure(lambda p=path: browser.get(p, headers), args.requests,
                                   args.warmup)
            queries = harness.captured_queries(user, path, headers)
            db = harness.measure(lambda q=queries: raw.run(q), args.requests, args.warmup)
            print(row(label, path, http, db), flush=True)
    finally:
        raw.close()


def main() -> None:
    args = parse_args()
    made = harness.prepare_data(args)
    print(f"Data set: {args.contacts:,} contacts ({made}) in {harness.database_label()}")
    from smarketing.integrations.services import token_create

    with harness.signed_in_server(args, "bench-server.log") as (browser, user, base):
        _, raw_token = token_create(user=user, name="benchmark")
        print(f"Server: smarketing serve at {base}, {args.workers} workers x "
              f"{args.threads} threads; {args.requests} timed requests per case, one at a time")
        print(header("HTML contacts list /contacts/ (session login)"))
        run_cases(browser, html_paths(), args, user, None)
        print(header("REST list /api/v1/contacts (bearer token)"))
        run_cases(browser, api_paths(), args, user, {"Authorization": f"Bearer {raw_token}"})


if __name__ == "__main__":
    main()

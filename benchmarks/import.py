"""`smarketing import` of contacts from CSV, against the raw database inserting the same rows.

Run (from the repository root):

    .venv/bin/python benchmarks/import.py                          # 1M contacts, ./var/bench-import
    .venv/bin/python benchmarks/import.py --contacts 200000 --data-dir /tmp/bench-import
    DATABASE_URL=postgres://user:pass@host/db .venv/bin/python benchmarks/import.py

What it does:
1. migrates the database of `--data-dir` (or DATABASE_URL) and writes a CSV of
   `--contacts` contacts (email, names, title, phone, lifecycle stage, create date;
   seeded, deterministic) unless it is there already;
2. empties the contacts (and their identities, stage history, external ids, runs),
   then runs the real CLI, `smarketing import contacts FILE --no-progress`, in a
   child process: its wall time, rows/s and peak RSS (memory must stay flat: the
   file is streamed in batches of 1,000);
3. empties them again and inserts the same rows with the bare driver (sqlite3 /
   psycopg) `executemany` into the contacts table only, 10,000 rows a transaction:
   the limit (no parsing of dates, no validation, no identities or stage history);
4. prints both rates and the ratio import / raw (target >= 0.3).

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import harness

TARGET = 0.3
HEADER = ["email", "first_name", "last_name", "title", "phone", "lifecycle_stage",
          "created_at"]
FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eva", "Farid", "Greta", "Hugo", "Ines", "Jonas"]
LAST = ["Silva", "Meyer", "Dubois", "Nowak", "Rossi", "García", "Novak", "Berg", "Kaur"]
TITLES = ["CFO", "Head of Treasury", "Marketing Manager", "Analyst", "VP Sales", "CTO"]
STAGES = ["lead"] * 6 + ["mql", "sql", "subscriber"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench-import"))
    return parser.parse_args()


def write_csv(path: Path, count: int, seed: int) -> None:
    rng = random.Random(seed)
    start = dt.datetime(2023, 1, 1, 9, 0)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(count):
            at = start + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 700))
            writer.writerow([
                f"person{i}@company{i % 5000}.example", rng.choice(FIRST), rng.choice(LAST),
                rng.choice(TITLES), f"+1 555 {i % 10_000_000:07d}", rng.choice(STAGES),
                at.strftime("%m/%d/%Y %I:%M %p"),
            ])


def empty() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("imports_importissue", "imports_importrun", "imports_externalid",
                      "people_stagechange", "people_identity", "people_contact"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed names


def run_cli(path: Path) -> tuple[float, float]:
    """Seconds and peak RSS (MiB) of `smarketing import contacts FILE` in a child."""
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "smarketing.cli", "import", "contacts", str(path),
                    "--no-progress"], check=True, env=os.environ.copy(),
                   stdout=subprocess.DEVNULL)
    seconds = time.monotonic() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, peak_kib / 1024


def raw_insert(path: Path) -> float:
    """The same rows through the bare driver: one INSERT executemany per 10,000."""
    raw = harness.RawDatabase()
    mark = "?" if raw.vendor == "sqlite" else "%s"
    columns = ["email", "first_name", "last_name", "title", "phone", "lifecycle_stage",
               "became_lead_at", "created_at", "updated_at", "lead_status",
               "lead_status_reason", "original_source", "original_campaign", "latest_source",
               "latest_campaign", "score", "fit_score", "engagement_score", "properties"]
    sql = (f"INSERT INTO people_contact ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    now = dt.datetime.now(dt.UTC).isoformat()
    started = time.monotonic()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[tuple[object, ...]] = []
        for row in reader:
            batch.append((*row[:6], row[6], now, now, "", "", "", "", "", "", 0, 0, 0,
                          json.dumps({})))
            if len(batch) == 10_000:
                _flush(raw, sql, batch)
                batch = []
        _flush(raw, sql, batch)
    seconds = time.monotonic() - started
    raw.close()
    return seconds


def _flush(raw: harness.RawDatabase, sql: str, batch: list[tuple[object, ...]]) -> None:
    if not batch:
        return
    if raw.vendor == "sqlite":
        raw.conn.executemany(sql, batch)
        raw.conn.commit()
    else:
        with raw.conn.transaction(), raw.conn.cursor() as cursor:
            cursor.executemany(sql, batch)


def main() -> None:
    args = parse_args()
    harness.setup_django(args.data_dir)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    path = args.data_dir / f"contacts-{args.contacts}-{args.seed}.csv"
    if not path.exists():
        write_csv(path, args.contacts, args.seed)
    print(f"Database: {harness.database_label()}; file: {path} "
          f"({path.stat().st_size / 2**20:.0f} MiB, {args.contacts:,} contacts)")
    empty()
    seconds, peak = run_cli(path)
    imported = args.contacts / seconds
    print(f"smarketing import: {seconds:.1f} s, {imported:,.0f} rows/s, peak RSS {peak:.0f} MiB")
    empty()
    raw_seconds = raw_insert(path)
    raw_rate = args.contacts / raw_seconds
    print(f"raw executemany:   {raw_seconds:.1f} s, {raw_rate:,.0f} rows/s (contacts table only)")
    ratio = imported / raw_rate
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"ratio import / raw: {ratio:.2f}x ({verdict} the {TARGET}x target)")
    empty()


if __name__ == "__main__":
    main()

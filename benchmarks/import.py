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
   child process: its wall time, rows/s and its RSS sampled every second with the
   rows committed so far, printed at 10 %, 50 % and 90 % of the rows and at the
   peak (memory must stay flat: the file is streamed in batches of 1,000);
3. empties them again and inserts the same rows with the bare driver (sqlite3 /
   psycopg) `executemany` into the contacts table only, 10,000 rows a transaction:
   the limit (no validation, no identities or stage history; the create dates are
   converted to the stored form before the clock starts);
4. prints both rates and the ratio import / raw (target >= 0.3); on SQLite also the
   stricter limit: the raw insert again with the import's own connection settings.

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


def _rss_mib(pid: int) -> float:
    """The resident set size of a live process (Linux /proc), in MiB."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((x for x in status.splitlines() if x.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


def _rows_done(raw: harness.RawDatabase) -> int:
    cursor = raw.conn.cursor()
    cursor.execute("SELECT MAX(rows_done) FROM imports_importrun")
    found = cursor.fetchone()
    if raw.vendor == "sqlite":
        raw.conn.commit()  # end the read transaction: never hold the writer back
    return int(found[0] or 0) if found else 0


Samples = list[tuple[float, int, float]]


def run_cli(path: Path, total: int) -> tuple[float, float, Samples]:
    """Wall and CPU seconds of `smarketing import contacts FILE` in a child, and its
    memory over time: (seconds, rows committed, RSS MiB) sampled every second."""
    raw = harness.RawDatabase()
    started = time.monotonic()
    child = subprocess.Popen([sys.executable, "-m", "smarketing.cli", "import", "contacts",
                              str(path), "--no-progress"], env=os.environ.copy(),
                             stdout=subprocess.DEVNULL)
    samples: list[tuple[float, int, float]] = []
    while child.poll() is None:
        rss = _rss_mib(child.pid)
        if rss:
            samples.append((time.monotonic() - started, _rows_done(raw), rss))
        time.sleep(1)
    seconds = time.monotonic() - started
    raw.close()
    if child.returncode:
        sys.exit(f"smarketing import exited with {child.returncode}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    samples.append((seconds, total, usage.ru_maxrss / 1024))
    return seconds, usage.ru_utime + usage.ru_stime, samples


def memory_report(samples: Samples, total: int) -> str:
    """RSS when 10 %, 50 % and 90 % of the rows were committed, and the peak."""
    marks = []
    for share in (0.1, 0.5, 0.9):
        at = next((s for s in samples if s[1] >= share * total), samples[-1])
        marks.append(f"{share:.0%} {at[2]:.0f} MiB")
    return f"RSS {', '.join(marks)}; peak {max(s[2] for s in samples):.0f} MiB"


def raw_insert(path: Path, tuned: bool = False) -> tuple[float, float]:
    """The same rows through the bare driver: one INSERT executemany per 10,000.
    Wall seconds, and CPU seconds of this process (SQLite works in it). `tuned`: on
    SQLite with the import's own connection settings (imports.engine.BULK_PRAGMAS)."""
    raw = harness.RawDatabase()
    if tuned and raw.vendor == "sqlite":
        from smarketing.imports.engine import BULK_PRAGMAS

        for name, value in BULK_PRAGMAS.items():
            raw.conn.execute(f"PRAGMA {name}={value}")
    mark = "?" if raw.vendor == "sqlite" else "%s"
    columns = ["email", "first_name", "last_name", "title", "phone", "lifecycle_stage",
               "became_lead_at", "created_at", "updated_at", "lead_status",
               "lead_status_reason", "original_source", "original_campaign", "latest_source",
               "latest_campaign", "properties"]
    sql = (f"INSERT INTO people_contact ({', '.join(columns)}) "
           f"VALUES ({', '.join([mark] * len(columns))})")
    now = dt.datetime.now(dt.UTC).isoformat()
    stored = iter(_stored_dates(path, raw.vendor))
    started, cpu = time.monotonic(), time.process_time()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        batch: list[tuple[object, ...]] = []
        for row in reader:
            batch.append((*row[:6], next(stored), now, now, "", "", "", "", "", "",
                          json.dumps({})))
            if len(batch) == 10_000:
                _flush(raw, sql, batch)
                batch = []
        _flush(raw, sql, batch)
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    raw.close()
    return seconds, cpu


def _stored_dates(path: Path, vendor: str) -> list[str]:
    """Each row's create date as the database stores a timestamp (UTC), converted
    before the clock starts: the limit parses no dates, yet stores valid ones (the
    contacts' triggers read them)."""
    suffix = "" if vendor == "sqlite" else "+00:00"
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [dt.datetime.strptime(row[6], "%m/%d/%Y %I:%M %p").isoformat(" ") + suffix
                for row in reader]


def _flush(raw: harness.RawDatabase, sql: str, batch: list[tuple[object, ...]]) -> None:
    if not batch:
        return
    if raw.vendor == "sqlite":
        raw.conn.executemany(sql, batch)
        raw.conn.commit()
    else:
        with raw.conn.transaction(), raw.conn.cursor() as cursor:
            cursor.executemany(sql, batch)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


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
    print(f"load average before: {_load()}")
    empty()
    seconds, cpu, samples = run_cli(path, args.contacts)
    imported = args.contacts / seconds
    print(f"smarketing import: {seconds:.1f} s, {imported:,.0f} rows/s (CPU {cpu:.1f} s)")
    print(f"memory of the import process: {memory_report(samples, args.contacts)}")
    empty()
    raw_seconds, raw_cpu = raw_insert(path)
    raw_rate = args.contacts / raw_seconds
    print(f"raw executemany:   {raw_seconds:.1f} s, {raw_rate:,.0f} rows/s (contacts table "
          f"only; CPU of this process {raw_cpu:.1f} s)")
    ratio = imported / raw_rate
    print(f"load average after: {_load()}")
    verdict = "meets" if ratio >= TARGET else "misses"
    print(f"ratio import / raw: {ratio:.2f}x ({verdict} the {TARGET}x target)")
    if harness.RawDatabase().vendor == "sqlite":  # the database works inside each process
        print(f"CPU ratio (raw CPU / import CPU, less distorted by load): {raw_cpu / cpu:.2f}x")
        _tuned(path, args.contacts, imported, cpu)
    empty()


def _tuned(path: Path, total: int, imported: float, cpu: float) -> None:
    """The stricter limit: the raw insert with the import's SQLite settings."""
    empty()
    seconds, raw_cpu = raw_insert(path, tuned=True)
    print(f"raw executemany with the import's SQLite settings: {seconds:.1f} s, "
          f"{total / seconds:,.0f} rows/s (CPU {raw_cpu:.1f} s); ratio "
          f"{imported / (total / seconds):.2f}x, CPU ratio {raw_cpu / cpu:.2f}x "
          f"(load {_load()})")


if __name__ == "__main__":
    main()

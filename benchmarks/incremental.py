"""Incremental scoring against the length of a contact's history: scoring an ingested
event from the daily counts (scoring.days / scoring.fromdays) against scoring it from
the contact's events (the path before the counts are built), and against the raw
database inserting that event.

Run (from the repository root, after `make install` or `make dev`):

    .venv/bin/python benchmarks/incremental.py --data-dir /tmp/bench-incremental
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/incremental.py

What it does:
1. migrates a fresh database of `--data-dir` (or DATABASE_URL) with the default model;
2. for each history length H of `--histories`, makes `--contacts` contacts with H page
   and track events each, spread over `--active-days` days of the last 300 (off the
   clock), builds the daily counts (scoring.days.build) and applies the queue the
   bulk load left;
3. inserts one new event a contact (today) with the bare cursor: the raw database
   doing the write (timed); brings the counts up to date (days.apply, timed: it
   recounts each contact's today from that day's events) and scores the contacts;
4. times scoring those contacts again, `--repeat` times each way (the scores are
   current, so both ways read and compute the same, and write nothing): from the
   daily counts, and from the events (the set-based statements restricted to the
   contacts' events); checks both give the scores stored;
5. prints, per history length, microseconds a contact for each, CPU and wall, and the
   ratios to the raw insert: of the CPU on SQLite (the database engine runs in this
   process), of the wall time on PostgreSQL (its work is in the server).

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import time
import uuid
from pathlib import Path
from typing import Any

import harness

KINDS = [("page", "", "/blog/post"), ("page", "", "/pricing"), ("track", "Form Submitted", ""),
         ("track", "Asset Downloaded", ""), ("page", "", "/careers")]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench-incremental"))
    parser.add_argument("--contacts", type=int, default=200)
    parser.add_argument("--histories", default="10,100,1000,3000",
                        help="Events a contact (comma-separated lengths)")
    parser.add_argument("--active-days", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def insert_events(rows: list[tuple[Any, ...]]) -> tuple[float, float]:
    """The rows into tracking_event with the bare cursor; returns (CPU, wall) seconds."""
    from django.db import connection, transaction

    columns = "source_id, message_id, type, name, contact_id, anonymous_id, timestamp, " \
        "received_at, page_path, properties, context"
    started, clock = time.process_time(), time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO tracking_event ({columns}, user_id, group_id, "
                           "previous_id, utm_source, utm_medium, utm_campaign, utm_term, "
                           "utm_content, referrer, page_url) VALUES "
                           f"({', '.join(['%s'] * 11)}, '', '', '', '', '', '', '', '', '', '')",
                           rows)
    return time.process_time() - started, time.perf_counter() - clock


def event_row(source: int, contact: int, when: dt.datetime, rng: random.Random) -> tuple:
    kind, name, path = rng.choice(KINDS)
    return (source, f"m-{contact}-{rng.random()}", kind, name, contact, f"anon-{contact}",
            when, when, path, json.dumps({}), json.dumps({}))


def history(source: int, contacts: list[int], length: int, days: int, now: dt.datetime,
            rng: random.Random) -> list[tuple]:
    rows = []
    for contact in contacts:
        active = rng.sample(range(1, 300), min(days, 299))
        for _ in range(length):
            when = now - dt.timedelta(days=rng.choice(active), seconds=rng.randrange(86_400))
            rows.append(event_row(source, contact, when, rng))
    return rows


def best(repeat: int, run: Any) -> tuple[float, float]:
    """The least (CPU, wall) seconds of `repeat` runs."""
    cpu, wall = [], []
    for _ in range(repeat):
        started, clock = time.process_time(), time.perf_counter()
        run()
        cpu.append(time.process_time() - started)
        wall.append(time.perf_counter() - clock)
    return min(cpu), min(wall)


def measure(source: int, length: int, args: argparse.Namespace, rng: random.Random) -> None:
    from django.db import connection

    from smarketing.people.models import Contact
    from smarketing.scoring import days, scoring
    from smarketing.scoring.engine import ModelSpec
    from smarketing.scoring.services import active_model
    from smarketing.testing.factories import make_contact

    now = dt.datetime.now(dt.UTC)
    run = uuid.uuid4().hex[:8]  # fresh emails, also in a database used before
    ids = [make_contact(email=f"incremental-{run}-{i}@bench.example").pk
           for i in range(args.contacts)]
    insert_events(history(source, ids, length, args.active_days, now, rng))
    model = active_model()
    spec = ModelSpec.of(model)
    days.ready_ids(spec)
    days.build(spec)
    days.apply()  # the history's inserts swept (SQLite) and recounted: once, after a bulk load
    keys = days.ready_ids(spec)
    assert keys is not None
    raw = insert_events([event_row(source, c, now - dt.timedelta(minutes=1), rng) for c in ids])
    applied = best(1, days.apply)
    scoring.score_contacts(contact_ids=ids, at=now)
    stored = list(Contact.objects.filter(id__in=ids).order_by("id").values_list("scores__total"))

    def score(with_keys: dict[str, int] | None) -> Any:
        return lambda: scoring._score_set_based(model, spec, ids, now, scoring.RescoreResult(),
                                                with_keys)

    from_days = best(args.repeat, score(keys))
    from_events = best(args.repeat, score(None))
    again = list(Contact.objects.filter(id__in=ids).order_by("id").values_list("scores__total"))
    n, k = len(ids), 1 if connection.vendor == "postgresql" else 0  # wall, else CPU

    def us(seconds: tuple[float, float]) -> str:
        return f"{seconds[0] / n * 1e6:>7.0f} {seconds[1] / n * 1e6:>7.0f}"

    print(f"{length:>8,} {us(raw)} {us(applied)} {us(from_days)} {us(from_events)} "
          f"{(applied[k] + from_days[k]) / raw[k]:>9.1f}x {from_events[k] / raw[k]:>9.1f}x"
          f"{'' if stored == again else '  SCORES DIFFER'}")


def main() -> None:
    args = parse_args()
    harness.setup_django(args.data_dir)
    from django.core.management import call_command
    from django.db import connection

    from smarketing.tracking.services import source_create

    call_command("migrate", interactive=False, verbosity=0)
    source, _ = source_create(actor=None, name="benchmark incremental", kind="server")
    print(f"Database: {harness.database_label()}; {args.contacts} contacts a history length, "
          f"their events over {args.active_days} active days; best of {args.repeat}\n")
    basis = "wall" if connection.vendor == "postgresql" else "CPU"
    print("us a contact, CPU then wall: raw = inserting its new event (bare cursor); apply = "
          "recounting its day; days / events = scoring it from its daily counts / from its "
          f"events; ratios ({basis}): (apply + days) / raw and events / raw")
    print(f"{'events':>8} {'raw':>15} {'apply':>15} {'days':>15} {'events':>15} "
          f"{'days/raw':>10} {'events/raw':>10}")
    rng = random.Random(7)
    for length in [int(h) for h in args.histories.split(",")]:
        measure(source.pk, length, args, rng)


if __name__ == "__main__":
    main()

"""Full rescore against the one SQL aggregate that computes the same per-contact sums,
and the cost of the incremental update per ingested event.

Run (from the repository root):

    .venv/bin/python benchmarks/rescore.py                    # 1M contacts, 10M events
    .venv/bin/python benchmarks/rescore.py --contacts 100000 --events 1000000 --data-dir /tmp/b
    DATABASE_URL=postgres://user:pass@host/db .venv/bin/python benchmarks/rescore.py

What it does:
1. migrates the database of `--data-dir` (or DATABASE_URL) and, unless exactly that many
   are there, generates `--contacts` contacts (a third with a company, a seeded mix of
   titles and emails; kept if exactly that many exist) and `--events` events over the
   last 180 days (page views, a share on /pricing and /careers, forms, downloads,
   webinars, email clicks, unsubscribes, bounces): the events by the database itself,
   INSERT .. SELECT over a seeded integer hash of a row counter, 1M rows a statement,
   with the table's indexes built after the load and its triggers off meanwhile
   (`--generate-only` stops there);
2. the floor: ONE SQL aggregate, grouped by contact, that sums the points of every
   engagement rule of the default model over all events (no caps, no decay: less
   work than the rescore's sums), timed; on SQLite in both plans (the one SQLite
   picks, walking the contact_id index and fetching rows at random, and a
   sequential scan with a sort, with the connection's page cache and with the
   smaller one the rescore sorts with), the least wall and the least CPU time
   counting (`--scan-limit-only`: the scan only, which has always been faster);
3. `--change-rules` first makes a new model version (a rule change); then the limit
   (the issue's "single SQL aggregate query that computes the same per-contact
   sums"): ONE statement computing every contact's engagement as the rescore does
   (per (contact, UTC day) a count a rule, then per contact the daily caps, each
   day's decay factor, the rule caps and the rounding), over a sequential scan,
   on SQLite under both page caches and also with the rescore's packed counts, the
   least wall and CPU time counting;
4. `rescore_all` (what `smarketing rescore` runs) with the active model, timed, with
   its phases (the computation, the ranged writes, MQLs and accounts; wall and CPU),
   then again (idempotent: nothing to write); the engagement total it stored is
   checked against the limit's (the same sums, or the ratio means nothing), and the
   ratios to the limit (target <= 2x and <= 60 s) and to the floor are printed;
5. unless `--no-incremental`, the incremental update: `score_contacts` for one
   contact, averaged over 200 contacts, from their events while the daily counts are
   not built, then the build of the counts (timed), then from the counts (the
   worker's job after ingestion).

Wall time on a shared machine is mostly waiting for a core: CPU time is printed
beside it (on SQLite the engine runs in this process, so CPU time is the work done;
on PostgreSQL the server's work is not in it, compare wall times).

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.harness import database_label, setup_django  # noqa: E402

KINDS = [  # (type, name, page_path, weight)
    ("page", "", "/blog", 60), ("page", "", "/pricing", 8), ("page", "", "/careers", 2),
    ("track", "Form Submitted", "", 4), ("track", "Asset Downloaded", "", 6),
    ("track", "Webinar Attended", "", 2), ("track", "Email Link Clicked", "", 15),
    ("track", "Unsubscribed", "", 1), ("track", "Email Bounced", "", 1),
    ("track", "Email Opened", "", 1),
]
TITLES = ["VP Marketing", "Director of Sales", "Engineer", "Analyst", "Head of Ops", ""]


def generate(contacts: int, events: int, seed: int) -> None:
    """Contacts (kept when exactly that many are there) and all events anew."""
    from smarketing.people.models import Contact

    if Contact.objects.count() != contacts:
        _contacts(contacts, seed)
    _events(events, seed)


def _contacts(contacts: int, seed: int) -> None:
    from smarketing.people.models import Company, Contact
    from smarketing.tracking.models import Event

    rng = random.Random(seed)
    Event.objects.all().delete()
    Contact.objects.all().delete()
    Company.objects.all().delete()
    companies = Company.objects.bulk_create(
        Company(name=f"Co {i}", domain=f"co{i}.example", employee_count=rng.choice(
            [10, 150, 800, 3000, 12000]), country=rng.choice(["US", "DE", "BR", "IN"]))
        for i in range(max(1, contacts // 20)))
    # 5,000 contacts a statement: on PostgreSQL the contacts' analytics trigger takes an
    # advisory lock per inserted row, held to the end of the transaction, and 20,000
    # exceeded the default lock table (max_locks_per_transaction x max_connections)
    for start in range(0, contacts, 5_000):
        Contact.objects.bulk_create(
            Contact(email=f"p{i}@{rng.choice(['gmail.com', 'corp.example'])}",
                    title=rng.choice(TITLES),
                    company=rng.choice(companies) if i % 3 == 0 else None)
            for i in range(start, min(contacts, start + 5_000)))


@contextmanager
def _bulk_load(model: Any) -> Iterator[None]:
    """A bulk load: the table's indexes dropped during the load and built once at the
    end (sorted builds instead of 10M random index inserts; the unique constraint
    stays: SQLite could only drop it by copying the table), and its triggers off
    (other apps' per-row rollup triggers; the tables they maintain are not refreshed
    for the generated events: this data set is for scoring)."""
    from django.db import connection

    triggers = _triggers_off(model._meta.db_table)
    with connection.schema_editor() as editor:
        for index in model._meta.indexes:
            editor.remove_index(model, index)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            for index in model._meta.indexes:
                editor.add_index(model, index)
        _triggers_on(model._meta.db_table, triggers)


def _triggers_off(table: str) -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} DISABLE TRIGGER USER")
            return []
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                       "AND tbl_name = %s", [table])
        triggers = cursor.fetchall()
        for name, _ in triggers:
            cursor.execute(f"DROP TRIGGER {connection.ops.quote_name(name)}")
    return [sql for _, sql in triggers]


def _triggers_on(table: str, triggers: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} ENABLE TRIGGER USER")
        for sql in triggers:
            cursor.execute(sql)


SPAN = 180 * 86400  # events spread over the last 180 days, in seconds
PRIMES = (2147483647, 2147483629, 2147483587, 2147483579)  # < 2**31: squares fit BIGINT


def _hashes(seed: int, low: int, high: int) -> str:
    """Rows n in [low, high) with x1..x4: a seeded quadratic hash chain of n (pure integer
    SQL, the same on SQLite and PostgreSQL), so events are generated by the database."""
    if _postgres():
        seq = f"SELECT n FROM generate_series(CAST({low} AS BIGINT), {high - 1}) n"
    else:
        seq = (f"WITH RECURSIVE seq(n) AS (SELECT {low} UNION ALL SELECT n + 1 FROM seq "
               f"WHERE n < {high - 1}) SELECT n FROM seq")
    p1, p2, p3, p4 = PRIMES
    step1 = f"SELECT n, (n * 48271 + {seed}) % {p1} AS x1 FROM ({seq}) s"
    step2 = f"SELECT n, x1, (x1 * x1 + 12345) % {p2} AS x2 FROM ({step1}) h1"
    step3 = f"SELECT n, x2, (x2 * x2 + 777) % {p3} AS x3 FROM ({step2}) h2"
    return f"SELECT n, x2, x3, (x3 * x3 + 31) % {p4} AS x4 FROM ({step3}) h3"


def _postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def _kind_case(column: int) -> str:
    """CASE on x2 % 100 picking KINDS[i][column] by the cumulative weights."""
    whens, total = [], 0
    for kind in KINDS:
        total += kind[3]
        whens.append(f"WHEN x2 % 100 < {total} THEN '{kind[column]}'")
    return f"CASE {' '.join(whens)} END"


def _events(events: int, seed: int) -> None:
    """`events` events over the last 180 days (all events replaced), in INSERT .. SELECT
    batches of 1M, with the indexes built after the load."""
    from django.db import connection
    from django.db.models import Count, Max, Min

    from smarketing.people.models import Contact
    from smarketing.tracking.models import Event, Source

    assert sum(k[3] for k in KINDS) == 100
    ids = Contact.objects.aggregate(low=Min("id"), high=Max("id"), n=Count("id"))
    assert ids["high"] - ids["low"] + 1 == ids["n"], "contact ids must be contiguous"
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    table = connection.ops.quote_name(Event._meta.db_table)
    source, _ = Source.objects.get_or_create(
        name="bench", defaults={"kind": "server", "key_prefix": "b", "key_hash": "b" * 64})
    with _bulk_load(Event):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {table}")
        _insert_events(table, source.pk, events, seed, ids, now)
    print("  indexes built", flush=True)


def _insert_events(table: str, source: int, events: int, seed: int, ids: dict[str, int],
                   now: dt.datetime) -> None:
    from django.db import connection, transaction

    if _postgres():
        at = f"CAST('{now.isoformat()}' AS TIMESTAMPTZ) - (x4 % {SPAN}) * INTERVAL '1 second'"
        empty = "CAST('{}' AS JSONB)"
    else:
        at = f"datetime('{now:%Y-%m-%d %H:%M:%S}', '-' || (x4 % {SPAN}) || ' seconds')"
        empty = "'{}'"
    for low in range(0, events, 1_000_000):
        high = min(events, low + 1_000_000)
        select = (
            f"SELECT {source}, 'm' || n, {_kind_case(0)}, {_kind_case(1)}, "
            f"{ids['low']} + x3 % {ids['n']}, 'a' || n, '', '', '', ts, NULL, ts, {empty}, "
            f"{empty}, '', '', '', '', '', '', '', {_kind_case(2)} "
            f"FROM (SELECT n, x2, x3, {at} AS ts FROM ({_hashes(seed, low, high)}) h) e")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (source_id, message_id, type, name, contact_id, "
                "anonymous_id, user_id, group_id, previous_id, timestamp, sent_at, received_at, "
                "properties, context, utm_source, utm_medium, utm_campaign, utm_term, "
                f"utm_content, referrer, page_url, page_path) {select}")
        print(f"  {high:,} events", flush=True)


def limit_query(scan: bool = False, sort_cache: bool = False) -> tuple[float, float]:
    """One aggregate over all events: per contact, the sum of the rules' points. With
    `scan` (SQLite), the events table is read sequentially (NOT INDEXED) and sorted,
    instead of the plan SQLite picks: the contact_id index, fetching rows at random.
    With `sort_cache` (SQLite), under the page cache the rescore sorts with
    (setbased.SORT_CACHE, smaller than the connection's: faster sorts)."""
    from django.db import connection
    from django.db.models import Case, IntegerField, Sum, Value, When

    from smarketing.core.sqlite import pragmas
    from smarketing.scoring.engine import ModelSpec
    from smarketing.scoring.rules import engagement_rule_q
    from smarketing.scoring.services import active_model
    from smarketing.scoring.setbased import SORT_CACHE
    from smarketing.tracking.models import Event

    spec = ModelSpec.of(active_model())
    points = sum((Case(When(engagement_rule_q(r), then=Value(r.points)), default=Value(0),
                       output_field=IntegerField()) for r in spec.engagement_rules), Value(0))
    rows = Event.objects.exclude(contact=None).values("contact_id").annotate(s=Sum(points))
    sql, params = rows.order_by().query.sql_with_params()
    if scan:
        table = connection.ops.quote_name(Event._meta.db_table)
        sql = sql.replace(f"FROM {table}", f"FROM {table} NOT INDEXED", 1)
    started, cpu = time.monotonic(), time.process_time()
    count = 0
    with pragmas(SORT_CACHE if sort_cache else {}), connection.cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(20_000):
            count += len(chunk)
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    how = "sequential scan" if scan else "the database's own plan"
    how += f", page cache {SORT_CACHE['cache_size']} KiB" if sort_cache else ""
    print(f"Floor: one GROUP BY contact aggregate of all rules' points ({how}): "
          f"{elapsed:.1f} s (CPU {cpu:.1f} s; {count:,} contacts)", flush=True)
    return elapsed, cpu


def the_floor(scan_only: bool = False) -> tuple[float, float]:
    """The faster of the floor's plans (wall time): on SQLite both plans (or only the
    scan, which has always been the faster one there), the scan also under the
    rescore's page cache for sorting (faster); one on PostgreSQL."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return limit_query()
    plans = [] if scan_only else [limit_query()]
    plans += [limit_query(scan=True), limit_query(scan=True, sort_cache=True)]
    # the strictest yardstick: the least wall time and the least CPU time of the plans
    return min(wall for wall, _ in plans), min(cpu for _, cpu in plans)


def same_sums_query(sort_cache: bool = False, packed: bool = False) -> tuple[float, float, int]:
    """The limit: ONE statement computing every contact's engagement exactly as the
    rescore does (the active model's rules and windows, daily caps, the decay factor
    of each UTC day, rule caps, rounding: setbased.engagement_statement), over all
    events read sequentially; wall and CPU seconds and the engagement total, which
    must equal the rescore's. With `sort_cache` (SQLite), under the rescore's page
    cache for sorting; with `packed` (SQLite), the day groups carry the rescore's packed
    counts instead of a count a rule (a narrower sort)."""
    from django.db import connection
    from django.db.models import Q
    from django.utils import timezone

    from smarketing.core.sqlite import pragmas
    from smarketing.scoring import setbased
    from smarketing.scoring.engine import ModelSpec
    from smarketing.scoring.services import active_model

    spec, at = ModelSpec.of(active_model()), timezone.now()
    setbased.create_temp_tables(spec.half_life_days)
    setbased.load_decay(spec.half_life_days, at)
    sql, params = setbased.engagement_statement(spec, Q(), at, packed=packed)
    started, cpu = time.monotonic(), time.process_time()
    with pragmas(setbased.SORT_CACHE if sort_cache else {}), connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COALESCE(SUM(x.engagement), 0) FROM ({sql}) x", params)
        count, total = cursor.fetchone()
    elapsed, cpu = time.monotonic() - started, time.process_time() - cpu
    setbased.drop_temp_tables()
    how = f", page cache {setbased.SORT_CACHE['cache_size']} KiB" if sort_cache else ""
    how += ", packed counts" if packed else ""
    print(f"Limit: one statement computing the same per-contact engagement (daily caps, "
          f"decay, rule caps{how}): {elapsed:.1f} s (CPU {cpu:.1f} s; {count:,} contacts, "
          f"engagement total {total:,})", flush=True)
    return elapsed, cpu, int(total)


def the_limit() -> tuple[float, float, int]:
    """The same-sums limit, on SQLite under both page caches and also with packed counts:
    the least wall and the least CPU time of the plans."""
    from django.db import connection

    plans = [same_sums_query()]
    if connection.vendor == "sqlite":
        plans += [same_sums_query(sort_cache=True), same_sums_query(sort_cache=True, packed=True)]
    return min(p[0] for p in plans), min(p[1] for p in plans), plans[0][2]


def check_same_sums(total: int) -> None:
    """The rescore's stored engagement against the limit's: the same sums, or the
    comparison means nothing."""
    from django.db.models import Sum

    from smarketing.people.models import Score

    stored = Score.objects.aggregate(s=Sum("engagement"))["s"] or 0
    print(f"Engagement total stored by the rescore {stored:,}, computed by the limit "
          f"{total:,}: {'the same' if stored == total else 'DIFFERENT'}")


def timed_rescore(label: str, batch: int) -> tuple[float, float]:
    """rescore_all, wall and CPU seconds (CPU: this process, which on SQLite includes
    the database engine; on PostgreSQL the server's work is not in it)."""
    from smarketing.scoring.scoring import rescore_all

    cpu = time.process_time()
    result = rescore_all(batch=batch)
    cpu = time.process_time() - cpu
    print(f"{label}: {result.seconds:.1f} s (CPU {cpu:.1f} s), {result.contacts:,} contacts, "
          f"{result.changed:,} changed, {result.mqls:,} new MQLs; of which computing "
          f"{result.compute_seconds:.1f} s, writing {result.write_seconds:.1f} s, MQLs and "
          f"accounts {result.seconds - result.compute_seconds - result.write_seconds:.1f} s "
          f"(CPU {', '.join(f'{k} {v:.1f} s' for k, v in result.cpu.items())})")
    return result.seconds, cpu


def change_rules() -> None:
    """A rule change: the pricing-page rule at its default points + 1 and the
    threshold up by 5, or back to the default points and down by 5 (so repeated runs
    keep changing scores: +1 on every run ended at the rule's daily cap of 10 points,
    where nothing changed any more)."""
    from django.contrib.auth import get_user_model

    from smarketing.scoring.defaults import DEFAULT_ENGAGEMENT_RULES
    from smarketing.scoring.services import active_model, model_change, rule_dicts

    admin, _ = get_user_model().objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True})
    model = active_model()
    _, engagement = rule_dicts(model)
    step = 1
    for rule in engagement:
        if rule.get("property_filters", {}).get("page_path", "").startswith("/pricing"):
            default = next(r["points"] for r in DEFAULT_ENGAGEMENT_RULES
                           if r["label"] == rule["label"])
            step = 1 if rule["points"] == default else -1
            rule["points"] = default + 1 if step == 1 else default
    new = model_change(actor=admin, settings={"threshold": model.threshold + 5 * step},
                       engagement_rules=engagement, note="benchmark: a rule change")
    print(f"Rule change: {model} -> {new} ({new.change_note})")


def _per_contact(ids: list[int]) -> float:
    """Milliseconds of wall time to score one of `ids` alone, on average."""
    from smarketing.scoring.scoring import score_contacts

    started = time.monotonic()
    for contact_id in ids:
        score_contacts(contact_ids=[contact_id])
    return (time.monotonic() - started) / max(1, len(ids)) * 1000


def incremental(samples: int = 200) -> None:
    """What the worker's incremental job costs a contact: from its events (before the
    daily counts are built), the build of the counts (the job after a model change
    that counts new kinds of events), then from its daily counts."""
    from smarketing.people.models import Contact
    from smarketing.scoring import days
    from smarketing.scoring.engine import ModelSpec
    from smarketing.scoring.services import active_model

    ids = list(Contact.objects.order_by("?").values_list("id", flat=True)[:samples])
    spec = ModelSpec.of(active_model())
    if days.ready_ids(spec) is None:
        print(f"Incremental from the events: {_per_contact(ids):.1f} ms a contact on average "
              f"({len(ids)} contacts scored one at a time)")
        started, cpu = time.monotonic(), time.process_time()
        built = days.build(spec)
        print(f"Daily counts built ({built} matchers, scoring.build_days): "
              f"{time.monotonic() - started:.1f} s (CPU {time.process_time() - cpu:.1f} s)")
    print(f"Incremental from the daily counts: {_per_contact(ids):.1f} ms a contact on "
          f"average ({len(ids)} contacts scored one at a time)")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench-rescore"))
    parser.add_argument("--batch", type=int, default=20_000, help="Contacts per id range.")
    parser.add_argument("--existing", action="store_true",
                        help="Use the data set in --data-dir as it is (e.g. a `smarketing "
                             "generate` database), whatever its size.")
    parser.add_argument("--change-rules", action="store_true",
                        help="First make a new model version (a rule change), as marketing "
                             "would: every contact's score changes.")
    parser.add_argument("--scan-limit-only", action="store_true",
                        help="On SQLite, time the limit with the sequential scan only (its "
                             "faster plan), not also with SQLite's own plan (minutes at 10M).")
    parser.add_argument("--no-incremental", action="store_true",
                        help="Stop after the full rescores (skip step 5).")
    parser.add_argument("--generate-only", action="store_true",
                        help="Stop after generating (or finding) the data set.")
    return parser.parse_args()


def main() -> None:
    args = _arguments()
    setup_django(args.data_dir)
    from django.core.management import call_command

    from smarketing.people.models import Contact
    from smarketing.tracking.models import Event

    call_command("migrate", interactive=False, verbosity=0)
    print(f"Database: {database_label()}")
    if args.existing:
        print(f"Existing data: {Contact.objects.count():,} contacts, "
              f"{Event.objects.count():,} events")
    elif Contact.objects.count() != args.contacts or Event.objects.count() != args.events:
        started = time.monotonic()
        generate(args.contacts, args.events, args.seed)
        print(f"Generated {args.contacts:,} contacts and {args.events:,} events in "
              f"{time.monotonic() - started:.0f} s")
    if args.generate_only:
        return
    floor, floor_cpu = the_floor(args.scan_limit_only)
    if args.change_rules:
        change_rules()
    limit, limit_cpu, total = the_limit()
    first, first_cpu = timed_rescore("Full rescore (rescore_all, active model)", args.batch)
    again, again_cpu = timed_rescore("Again (idempotent, nothing to write)", args.batch)
    check_same_sums(total)
    for name, wall, cpu in (("limit", limit, limit_cpu), ("floor", floor, floor_cpu)):
        print(f"Ratio rescore / {name}, wall: {first / wall:.1f}x first, {again / wall:.1f}x "
              f"again; CPU: {first_cpu / cpu:.1f}x first, {again_cpu / cpu:.1f}x again"
              + (" (target <= 2x)" if name == "limit" else ""))
    print(f"Full rescore <= 60 s: {'yes' if first <= 60 else 'no'}")
    if not args.no_incremental:
        incremental()


if __name__ == "__main__":
    main()

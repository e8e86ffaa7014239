"""Daily engagement counts: how many of a contact's events each matcher counts on each
UTC day (EngagementDay), kept exact off the request path, so that scoring an ingested
event reads the contact's daily counts instead of its event history.

- A matcher (EngagementMatcher) is what a rule or a hand-raise counts: event type,
  name and property filters. Model versions that count the same events share it, so
  a change of points, caps, recency, decay or threshold keeps the counts; a new
  matcher is built by a job (`build`), in contact id ranges, and scoring reads the
  events as before until every matcher of the active model is `ready`.
- Every change of an event lands its (contact, UTC day) on DayQueue: PostgreSQL's
  statement triggers read the transition tables of inserts, updates (stitching,
  merges) and deletes; SQLite's row triggers take updates and deletes, and inserted
  events are swept by id (DayMark), as analytics.webqueue does (ids only grow and
  SQLite commits one writer at a time: a row trigger per insert would cost ingestion
  more than the insert itself).
- `apply()` takes the queued pairs in chunks and recomputes each pair's counts from
  that contact's events of that day alone (the (contact, timestamp) index): whatever
  the order of writers, a pair's counts end up those of its committed events.
  Applies and builds take turns (PostgreSQL: an advisory lock; SQLite: the writers'
  turn and its single writer).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, IntegerField, Max, Min, Sum, Value, When
from django.db.models.expressions import RawSQL

from smarketing.core.jobs import enqueue
from smarketing.scoring.engine import ModelSpec
from smarketing.scoring.models import DayMark, DayQueue, EngagementDay, EngagementMatcher
from smarketing.scoring.rules import engagement_q
from smarketing.scoring.setbased import quote_table
from smarketing.tracking.models import Event, EventType
from smarketing.tracking.writelock import ingestion_writer_turn

BUILD_JOB = "scoring.build_days"
CHUNK = 2_000  # queued pairs recomputed a transaction
RANGE = 5_000  # contacts built a transaction
LOCK = "hashtext('scoring_days')"
APPLY = "scoring_day_apply"
COUNTS = "scoring_day_counts"
Spec = tuple[str, str, dict[str, Any]]


def matcher_key(event_type: str, event_name: str, filters: dict[str, Any]) -> str:
    return json.dumps([event_type, event_name, filters], sort_keys=True, separators=(",", ":"))


def rule_keys(spec: ModelSpec) -> list[str]:
    """Each engagement rule's matcher key, in rule order."""
    return [matcher_key(r.event_type, r.event_name, dict(r.property_filters))
            for r in spec.engagement_rules]


def hand_raise_key(name: str) -> str:
    return matcher_key(EventType.TRACK, name, {})


def wanted(spec: ModelSpec) -> dict[str, Spec]:
    """The matchers the model reads: its rules' and its hand-raise events'."""
    found: dict[str, Spec] = {
        key: (r.event_type, r.event_name, dict(r.property_filters))
        for key, r in zip(rule_keys(spec), spec.engagement_rules, strict=True)}
    for name in spec.hand_raise_events:
        found[hand_raise_key(name)] = (EventType.TRACK, name, {})
    return found


def ready_ids(spec: ModelSpec) -> dict[str, int] | None:
    """The model's matcher ids by key when the counts of every one are ready; else None,
    after creating the missing matchers and queueing their build."""
    keys = wanted(spec)
    rows = {m.key: m for m in EngagementMatcher.objects.filter(key__in=list(keys))}
    if len(rows) == len(keys) and all(m.ready for m in rows.values()):
        return {key: m.pk for key, m in rows.items()}
    with transaction.atomic():
        if connection.vendor == "sqlite" and not EngagementMatcher.objects.exists():
            with connection.cursor() as cursor:  # the first matchers: their build counts
                cursor.execute(sweep_statements()[1])  # the events there are, not the sweep
        EngagementMatcher.objects.bulk_create(
            [EngagementMatcher(key=key, event_type=t, event_name=n, property_filters=f)
             for key, (t, n, f) in keys.items() if key not in rows], ignore_conflicts=True)
    pending = sorted(EngagementMatcher.objects.filter(key__in=list(keys), ready=False)
                     .values_list("pk", flat=True))
    digest = hashlib.sha1(repr(pending).encode()).hexdigest()  # noqa: S324 - a job key
    enqueue(BUILD_JOB, {}, dedupe_key=f"{BUILD_JOB}:{digest}")
    return None


# ---- recording: the triggers ----------------------------------------------------------

def _names() -> dict[str, str]:
    return {"q": quote_table(DayQueue), "e": quote_table(Event),
            "m": quote_table(EngagementMatcher), "mark": quote_table(DayMark)}


def sqlite_triggers() -> list[str]:
    n = _names()
    head = "CREATE TRIGGER scoring_day_{} AFTER {} ON " + n["e"] + " FOR EACH ROW BEGIN {} END"
    record = (f"INSERT OR IGNORE INTO {n['q']} (contact_id, day, writer) SELECT "
              "{r}.contact_id, substr({r}.timestamp, 1, 10), 0 "
              f"WHERE {{r}}.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM {n['m']});")
    return [head.format("del", "DELETE", record.format(r="OLD")),
            head.format("upd", "UPDATE", record.format(r="OLD") + " " + record.format(r="NEW"))]


def postgresql_triggers() -> list[str]:
    n = _names()
    body = ("CREATE FUNCTION scoring_day_{0}() RETURNS trigger AS $$ BEGIN "
            f"INSERT INTO {n['q']} (contact_id, day, writer) SELECT DISTINCT r.contact_id, "
            "CAST((r.timestamp AT TIME ZONE 'UTC') AS DATE), pg_backend_pid() FROM ({1}) r "
            f"WHERE r.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM {n['m']}) "
            "ORDER BY 1, 2 ON CONFLICT DO NOTHING; RETURN NULL; END $$ LANGUAGE plpgsql")
    trigger = ("CREATE TRIGGER scoring_day_{0} AFTER {1} ON " + n["e"] +
               " REFERENCING {2} FOR EACH STATEMENT EXECUTE FUNCTION scoring_day_{3}()")
    return [
        body.format("rows", "SELECT contact_id, timestamp FROM changed"),
        body.format("pairs", "SELECT contact_id, timestamp FROM old_rows UNION ALL "
                    "SELECT contact_id, timestamp FROM new_rows"),
        trigger.format("ins", "INSERT", "NEW TABLE AS changed", "rows"),
        trigger.format("del", "DELETE", "OLD TABLE AS changed", "rows"),
        trigger.format("upd", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "pairs"),
    ]


def drop_statements(vendor: str) -> list[str]:
    events = _names()["e"]
    if vendor != "postgresql":
        return [f"DROP TRIGGER IF EXISTS scoring_day_{t}" for t in ("del", "upd")]
    return [*(f"DROP TRIGGER IF EXISTS scoring_day_{t} ON {events}" for t in ("ins", "del", "upd")),
            "DROP FUNCTION IF EXISTS scoring_day_rows()",
            "DROP FUNCTION IF EXISTS scoring_day_pairs()"]


def install(db: Any) -> None:
    create = postgresql_triggers() if db.vendor == "postgresql" else sqlite_triggers()
    with db.cursor() as cursor:
        for sql in [*drop_statements(db.vendor), *create]:
            cursor.execute(sql)


def uninstall(db: Any) -> None:
    with db.cursor() as cursor:
        for sql in drop_statements(db.vendor):
            cursor.execute(sql)


# ---- counting: one pass over the events in scope, a 0/1 column a matcher -------------

def _counts_sql(matchers: dict[int, Spec], scope: tuple[int, int] | None = None
                ) -> tuple[str, list[Any]]:
    """SELECT contact_id, day, c<id>... : per (contact, UTC day) each matcher's events,
    of the claimed pairs (through the contact index), or of the contacts in the id
    range `scope`."""
    columns = {f"c{pk}": Sum(Case(When(engagement_q(*spec), then=Value(1)), default=Value(0),
                                  output_field=IntegerField()))
               for pk, spec in matchers.items()}
    events = _names()["e"]
    day = "a.day" if scope is None else _event_day(events)
    rows = (Event.objects.filter(contact__isnull=False)
            .annotate(d=RawSQL(day, [], output_field=IntegerField()))
            .values("contact_id", "d").annotate(**columns).order_by())
    sql, params = rows.query.sql_with_params()
    ts = f'{events}."timestamp"'
    if scope is None:
        index = " INDEXED BY event_contact_ts" if connection.vendor == "sqlite" else ""
        sql = sql.replace(f"FROM {events}", f"FROM {APPLY} a CROSS JOIN {events}{index}", 1)
        where = f'{events}."contact_id" = a.contact_id AND {ts} >= a.lo AND {ts} < a.hi AND '
    else:
        where = f'{events}."contact_id" BETWEEN {int(scope[0])} AND {int(scope[1])} AND '
    return sql.replace(" WHERE ", f" WHERE {where}", 1), list(params)


def _event_day(events: str) -> str:
    column = f'{events}."timestamp"'
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"
    return f"substr({column}, 1, 10)"


def _store_counts(cursor: Any, matchers: dict[int, Spec], sql: str, params: list[Any]) -> None:
    """The counts of `sql` into EngagementDay, a row per matcher that counted events."""
    day_type = "DATE" if connection.vendor == "postgresql" else "TEXT"
    columns = ", ".join(f"c{pk} BIGINT" for pk in matchers)
    cursor.execute(f"DROP TABLE IF EXISTS {COUNTS}")
    cursor.execute(f"CREATE TEMPORARY TABLE {COUNTS} (contact_id BIGINT, day {day_type}, "
                   f"{columns})")
    cursor.execute(f"INSERT INTO {COUNTS} {sql}", params)
    days = quote_table(EngagementDay)
    for pk in matchers:
        cursor.execute(f"INSERT INTO {days} (contact_id, matcher_id, day, occurrences) "
                       f"SELECT contact_id, {int(pk)}, day, c{pk} FROM {COUNTS} WHERE c{pk} > 0")
    cursor.execute(f"DROP TABLE {COUNTS}")


def _matchers(ids: Iterable[int] | None = None) -> dict[int, Spec]:
    rows = EngagementMatcher.objects.all() if ids is None else \
        EngagementMatcher.objects.filter(pk__in=list(ids))
    return {m.pk: (m.event_type, m.event_name, dict(m.property_filters))
            for m in rows.order_by("pk")}


@contextmanager
def _turn() -> Iterator[Any]:
    """Applies and builds take turns: the writers' turn (SQLite) and a transaction, on
    PostgreSQL with an advisory lock held to its end."""
    with ingestion_writer_turn(), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT pg_advisory_xact_lock({LOCK})")
        yield cursor


# ---- applying the queue ---------------------------------------------------------------

def _pending(cursor: Any) -> bool:
    n = _names()
    if connection.vendor == "postgresql":
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {n['q']})")
        return bool(cursor.fetchone()[0])
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {n['q']}) OR COALESCE((SELECT MAX(id) FROM "
                   f"{n['e']}), 0) > COALESCE((SELECT upto FROM {n['mark']} WHERE id = 1), 0)")
    return bool(cursor.fetchone()[0])


def sweep_statements() -> list[str]:
    """SQLite: the pairs of the events above the mark onto the queue (when there are
    matchers to keep), the mark past them."""
    n = _names()
    upto = f"COALESCE((SELECT upto FROM {n['mark']} WHERE id = 1), 0)"
    return [
        f"INSERT OR IGNORE INTO {n['q']} (contact_id, day, writer) SELECT DISTINCT "
        f"e.contact_id, substr(e.timestamp, 1, 10), 0 FROM {n['e']} e NOT INDEXED "
        f"WHERE e.id > {upto} "  # by id (rowid), not a scan of the contact index
        f"AND +e.contact_id IS NOT NULL AND EXISTS (SELECT 1 FROM {n['m']})",
        f"INSERT INTO {n['mark']} (id, upto) SELECT 1, MAX({upto}, COALESCE(MAX(id), 0)) "
        f"FROM {n['e']} WHERE true ON CONFLICT (id) DO UPDATE SET upto = excluded.upto",
    ]


def _claim(cursor: Any) -> int:
    """Up to CHUNK queued pairs off the queue into the apply table, with their day's
    bounds (lo, hi) in the events' own time format."""
    q = _names()["q"]
    if connection.vendor == "postgresql":
        cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {APPLY} (contact_id BIGINT, day DATE, "
                       "lo TIMESTAMPTZ, hi TIMESTAMPTZ, PRIMARY KEY (contact_id, day)) "
                       "ON COMMIT DELETE ROWS")
        cursor.execute(f"DELETE FROM {APPLY}")  # inside an outer transaction too
        cursor.execute(f"WITH gone AS (DELETE FROM {q} WHERE id IN (SELECT id FROM {q} ORDER BY id "
                       f"LIMIT {CHUNK}) RETURNING contact_id, day) INSERT INTO {APPLY} "
                       "SELECT DISTINCT contact_id, day, CAST(day AS TIMESTAMP) "
                       "AT TIME ZONE 'UTC', CAST(day + 1 AS TIMESTAMP) AT TIME ZONE 'UTC' "
                       "FROM gone")
        return int(cursor.rowcount)
    cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {APPLY} (contact_id BIGINT, day TEXT, "
                   "lo TEXT, hi TEXT, PRIMARY KEY (contact_id, day))")
    cursor.execute(f"DELETE FROM {APPLY}")
    last = f"(SELECT MAX(id) FROM (SELECT id FROM {q} ORDER BY id LIMIT {CHUNK}))"
    cursor.execute(f"INSERT OR IGNORE INTO {APPLY} SELECT contact_id, day, day, "
                   f"date(day, '+1 day') FROM {q} WHERE id <= {last}")
    claimed = int(cursor.rowcount)
    cursor.execute(f"DELETE FROM {q} WHERE id <= {last}")
    return claimed


def _apply_chunk() -> set[int]:
    """One chunk of the queue: its pairs' counts deleted and counted again for every
    matcher (read in the turn: a build may have added or dropped one)."""
    days = quote_table(EngagementDay)
    with _turn() as cursor:
        if connection.vendor == "sqlite":
            for sql in sweep_statements():
                cursor.execute(sql)
        if not _claim(cursor):
            return set()
        cursor.execute(f"DELETE FROM {days} WHERE id IN (SELECT d.id FROM {APPLY} a CROSS JOIN "
                       f"{days} d WHERE d.contact_id = a.contact_id AND d.day = a.day)")
        if matchers := _matchers():
            _store_counts(cursor, matchers, *_counts_sql(matchers))
        cursor.execute(f"SELECT DISTINCT contact_id FROM {APPLY}")
        return {row[0] for row in cursor.fetchall()}


def apply() -> set[int]:
    """Recompute the counts of every queued (contact, day) pair; returns their contacts."""
    with connection.cursor() as cursor:
        if not _pending(cursor):
            return set()
    contacts = set[int]()
    while True:
        done = _apply_chunk()
        if not done:
            return contacts
        contacts |= done


# ---- building new matchers ------------------------------------------------------------

def _drop_unused(keys: set[str]) -> None:
    """The counts of matchers no model reads any more, deleted a chunk a transaction."""
    days = quote_table(EngagementDay)
    for matcher in EngagementMatcher.objects.exclude(key__in=list(keys)):
        while True:
            with _turn() as cursor:
                cursor.execute(f"DELETE FROM {days} WHERE id IN (SELECT id FROM {days} "
                               f"WHERE matcher_id = %s LIMIT 50000)", [matcher.pk])
                if cursor.rowcount < 50000:
                    EngagementMatcher.objects.filter(pk=matcher.pk).delete()
                    break


def build(spec: ModelSpec | None = None) -> int:
    """Count the events of the matchers not ready yet (the active model's), in contact id
    ranges; drop the matchers no longer read. Returns how many matchers were built."""
    from smarketing.people.models import Contact
    from smarketing.scoring.services import active_model

    spec = spec or ModelSpec.of(active_model())
    _drop_unused(set(wanted(spec)))
    matchers = _matchers(EngagementMatcher.objects.filter(ready=False).values_list("pk", flat=True))
    if not matchers:
        return 0
    bounds = Contact.objects.aggregate(low=Min("id"), high=Max("id"))
    days, ids = quote_table(EngagementDay), ", ".join(str(int(pk)) for pk in matchers)
    for low in range(bounds["low"] or 0, (bounds["high"] or -1) + 1, RANGE):
        with _turn() as cursor:
            cursor.execute(f"DELETE FROM {days} WHERE matcher_id IN ({ids}) "
                           "AND contact_id BETWEEN %s AND %s", [low, low + RANGE - 1])
            _store_counts(cursor, matchers, *_counts_sql(matchers, (low, low + RANGE - 1)))
    EngagementMatcher.objects.filter(pk__in=list(matchers)).update(ready=True)
    return len(matchers)


def run_build(payload: dict[str, Any]) -> None:
    """Job handler: build the active model's new matchers."""
    build()

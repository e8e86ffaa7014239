"""The full rescore as set-based SQL: every contact's fit and engagement computed by
the database (no loop over contacts in Python), with the same arithmetic as
engine.py (which explains a score rule by rule), written with UPDATE..FROM and
INSERT..SELECT.

Exactness: a day's decay factor is engine.decay_factor (Decimal, 6 places) given to
the database as an integer number of millionths in a small temporary (UTC day,
factor) table (0 beyond the last day whose factor is not 0); so a rule's decayed
sum is an exact integer of millionths, capped by the rule cap x 1e6 and rounded
half away from zero (Decimal ROUND_HALF_UP) by integer division: the same whole
number the explanation shows.

The statements (SQLite; PostgreSQL hashes the (contact, day) groups with one 0/1
sum a rule instead of packing):
    fit per contact (one CASE per fit rule)                       -- contacts
    one statement for the engagement (engagement_statement):
      per event: contact, UTC day, the rule flags packed in words -- one scan of events
      per (contact, day): the words summed (one sort of the events)
      per contact: per rule SUM(daily capped points x factor), rule cap, rounding; a
        contact with a day too busy for the packed counts is computed by the engine
They fill a temporary table, from which the changed contacts are updated, the score
history rows inserted (and, for some contacts, their ContactScore stamped)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Case, IntegerField, Q, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from smarketing.core.sqlite import pragmas
from smarketing.people.models import Contact, Score
from smarketing.scoring.beside import run_beside
from smarketing.scoring.engine import ModelSpec, decay_factor, scope_of_ids, score_scope
from smarketing.scoring.rules import engagement_rule_q, fit_rule_q
from smarketing.tracking.models import Event

MICRO = 1_000_000
TEMP = "scoring_rescore_tmp"
DECAY = "scoring_decay_tmp"
ENGAGEMENT = "scoring_engagement_tmp"  # PostgreSQL: the engagement before the join


def decay_rows(half_life_days: int, today: dt.date) -> list[tuple[Any, int]]:
    """(UTC day, factor in millionths) for every day up to `today` whose factor is not 0
    (none without decay: then the factor is 1 whatever the age, and the SQL uses the
    constant). Days are keyed like _day_sql: YYYYMMDD integers on SQLite, dates on
    PostgreSQL."""
    return list(_decay_rows(half_life_days, today, connection.vendor))


@lru_cache(maxsize=16)
def _decay_rows(half_life_days: int, today: dt.date, vendor: str) -> tuple[tuple[Any, int], ...]:
    """decay_rows, computed once a day and half-life (~3 ms of Python for 630 days: the
    incremental job needs them for every few contacts it scores)."""
    rows: list[tuple[Any, int]] = []
    age = 0
    while half_life_days > 0 and (factor := int(decay_factor(age, half_life_days) * MICRO)) > 0:
        day = today - dt.timedelta(days=age)
        rows.append((day if vendor == "postgresql" else int(f"{day:%Y%m%d}"), factor))
        age += 1
    return tuple(rows)


def decay_horizon(half_life_days: int, at: dt.datetime) -> dt.date | None:
    """The oldest UTC day whose decay factor is not 0 at `at` (None without decay)."""
    today = at.astimezone(dt.UTC).date()
    rows = decay_rows(half_life_days, today)
    return today - dt.timedelta(days=len(rows) - 1) if rows else None


def quote_table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _day_sql() -> str:
    """An event's UTC day, without parsing dates on SQLite: Django stores UTC text
    there ('YYYY-MM-DD HH:MM:SS...'), whose first ten characters are the day, taken as
    the integer YYYYMMDD (a one-column integer sort key and decay lookup: about 6 %
    less CPU than the text at 10M events): the dashes removed, CAST keeps the longest
    integer prefix, 'YYYYMMDD', and stops at the space (no substr: 2.2 -> 1.0 s of
    CPU for 10M events)."""
    column = f'{connection.ops.quote_name(Event._meta.db_table)}."timestamp"'
    if connection.vendor == "postgresql":
        return f"CAST(({column} AT TIME ZONE 'UTC') AS DATE)"
    return f"CAST(replace({column}, '-', '') AS INTEGER)"


def _window_q(spec: ModelSpec, i: int, at: dt.datetime) -> Q:
    rule = spec.engagement_rules[i]
    q = engagement_rule_q(rule)
    if rule.recency_days:
        q &= Q(timestamp__gt=at - dt.timedelta(days=rule.recency_days))
    return q


BITS = 10  # per rule in a packed count: up to 1,023 events of a contact a day
PER_WORD = 5  # rules per packed count (fields at bits 0..40: a sum cannot overflow
# 63 bits below 2**23 events of one contact on one day)
WIDE = (1 << BITS) - 1


def _words(spec: ModelSpec) -> list[range]:
    """The rules packed into each count word (w0, w1, ...)."""
    k = len(spec.engagement_rules)
    return [range(start, min(k, start + PER_WORD)) for start in range(0, k, PER_WORD)]


def _packed(spec: ModelSpec, rules: range, at: dt.datetime) -> Any:
    """One event's flags for `rules` packed into an integer: rule i adds 1 << (BITS*j)."""
    return Cast(sum((Case(When(_window_q(spec, i, at), then=Value(1 << (BITS * j))),
                          default=Value(0), output_field=BigIntegerField())
                     for j, i in enumerate(rules)), Value(0)), BigIntegerField())


def _event_words(spec: ModelSpec, events: Q, at: dt.datetime) -> tuple[str, list[Any]]:
    """Per event: contact, UTC day and the packed rule flags (w0, w1, ...): the one
    sequential pass; the rule conditions are evaluated here, once per event."""
    words = {f"w{w}": _packed(spec, rules, at) for w, rules in enumerate(_words(spec))}
    rows = (Event.objects.filter(events, timestamp__lte=at, contact__isnull=False)
            .annotate(day=RawSQL(_day_sql(), [], output_field=IntegerField()), **words)
            .values("contact_id", "day", *words).order_by())
    sql, params = rows.query.sql_with_params()
    table = connection.ops.quote_name(Event._meta.db_table)
    if not events:  # all events: a sequential scan, not the contact_id index range
        # that would fetch every event's row at random
        sql = sql.replace(f"FROM {table}", f"FROM {table} NOT INDEXED", 1)
    # LIMIT keeps SQLite from flattening it into the GROUP BY: the sort then holds
    # (contact, day, words), not every event's type, name and path
    return sql + " LIMIT -1", list(params)


SORT_CACHE = {"cache_size": -4096}
"""SQLite's page cache (KiB) while the events are sorted: its sorter sorts runs as
large as the page cache in memory and merges them, and runs of 4 MB take less CPU
than the 64 MB of the connection's setting (10M events: the grouping 17.4 -> 14.1 s;
the floor's own sort, benchmarks/rescore.py, 11.5 -> 7.4 s: the benchmark times its
statements both ways and counts the faster)."""


def _packed_daily(spec: ModelSpec, events: Q, at: dt.datetime) -> tuple[str, list[Any]]:
    """SQLite: per (contact, UTC day) the packed counts (w0, w1, ...) and the events (c)."""
    sql, params = _event_words(spec, events, at)
    sums = ", ".join(f"SUM(e.w{w}) AS w{w}" for w in range(len(_words(spec))))
    return (f"SELECT e.contact_id, e.day, {sums}, COUNT(*) AS c FROM ({sql}) e "
            "GROUP BY e.contact_id, e.day", params)


def _packed_counts(spec: ModelSpec) -> list[str]:
    """Rule i's events of a (contact, day) row of _packed_daily: its packed field."""
    return [f"((d.w{w} >> {BITS * j}) & {WIDE})"
            for w, rules in enumerate(_words(spec)) for j, _ in enumerate(rules)]


def daily_sums(spec: ModelSpec, events: Q, at: dt.datetime) -> tuple[str, list[Any]]:
    """Per (contact, UTC day) one 0/1 sum a rule (n0, n1, ...): PostgreSQL's grouping
    (it hashes the groups, so there is nothing to gain from packing)."""
    flags = {f"n{i}": Sum(Case(When(_window_q(spec, i, at), then=Value(1)), default=Value(0),
                               output_field=IntegerField()))
             for i in range(len(spec.engagement_rules))}
    rows = (Event.objects.filter(events, timestamp__lte=at, contact__isnull=False)
            .annotate(day=RawSQL(_day_sql(), [], output_field=IntegerField()))
            .values("contact_id", "day").annotate(**flags).order_by())
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def _capped(expression: str, cap: int) -> str:
    if not cap:
        return expression
    return (f"CASE WHEN {expression} > {cap} THEN {cap} "
            f"WHEN {expression} < -{cap} THEN -{cap} ELSE {expression} END")


def _day_points(count: str, points: int, cap: int) -> str:
    """A day's points of a rule: count x points, its magnitude capped by the daily cap
    (the count is never negative, so only the points' side of the cap can bind)."""
    value = count if points == 1 else f"{count} * {points}"
    if not cap:
        return value
    if connection.vendor == "postgresql":
        return f"LEAST({value}, {cap})" if points > 0 else f"GREATEST({value}, -{cap})"
    # SQLite: a CASE, not min()/max(), whose function call per row and rule cost more
    # (the per-contact sums at 10M events: 6.8 -> 6.3 s CPU)
    bound, over = (cap, ">") if points > 0 else (-cap, "<")
    return f"CASE WHEN {value} {over} {bound} THEN {bound} ELSE {value} END"


INT4 = 2**31 - 1


def _decayed_sum(count: str, rule: Any, factor: str) -> str:
    """A rule's SUM of day points x decay factor. PostgreSQL sums bigints in numeric;
    a daily cap of at most 2,147 keeps a day's points x factor (<= 1e6) within an
    integer, whose sum it keeps in a bigint (about 15 % less time at 100k contacts)."""
    value = f"{_day_points(count, rule.points, rule.daily_cap)} * {factor}"
    if connection.vendor == "postgresql" and rule.daily_cap and rule.daily_cap * MICRO <= INT4:
        value = f"CAST({value} AS INTEGER)"
    return f"CAST(SUM({value}) AS BIGINT)"


def _rounded(expression: str) -> str:
    """Millionths to a whole number, half away from zero (ROUND_HALF_UP)."""
    half = MICRO // 2
    return (f"(CASE WHEN {expression} >= 0 THEN ({expression} + {half}) / {MICRO} "
            f"ELSE -(({half} - {expression}) / {MICRO}) END)")


def engagement_sql(spec: ModelSpec, source: str, counts: list[str], busy: str = "0") -> str:
    """SELECT contact_id, engagement, busy from the (contact, day) rows of `source`
    (aliased d) whose rule counts are `counts`: per contact and rule SUM(daily capped
    points x the day's decay factor), the rule cap, the rounding. A day older than
    the factors table decays to 0 and is left out; `busy`: a day had more events than
    a packed count holds (SQLite's packed counts), so its counts are not to be trusted."""
    if spec.half_life_days:
        join, factor = f"JOIN {DECAY} k ON k.day = d.day", "k.factor"
        if connection.vendor == "sqlite":  # the daily rows outside, in key order
            join = join.replace("JOIN", "CROSS JOIN").replace(" ON ", " WHERE ")
    else:
        join, factor = "", str(MICRO)
    sums = ", ".join(f"{_decayed_sum(counts[i], rule, factor)} AS a{i}"
                     for i, rule in enumerate(spec.engagement_rules))
    total = " + ".join(_rounded(_capped(f"s.a{i}", rule.rule_cap * MICRO))
                       for i, rule in enumerate(spec.engagement_rules))
    return (f"SELECT s.contact_id, {total} AS engagement, s.busy FROM ("
            f"SELECT d.contact_id, {busy} AS busy, {sums} FROM {source} {join} "
            "GROUP BY d.contact_id) s")


def engagement_statement(
    spec: ModelSpec, events: Q, at: dt.datetime, packed: bool = False
) -> tuple[str, list[Any]]:
    """The engagement of the contacts with counted events as ONE statement over the
    events (contact_id, engagement, busy): per (contact, UTC day) a 0/1 sum a rule, or
    with `packed` (SQLite's rescore) the rules' counts packed into a few words, which
    makes the sort of the events narrower (busy = 1: a day too busy for them); then the
    per-contact sums over those groups. Needs the decay factors (load_decay). Also
    benchmarks/rescore.py's limit: the same sums in one statement."""
    if packed:
        daily_sql, params = _packed_daily(spec, events, at)
        return engagement_sql(spec, f"({daily_sql}) d", _packed_counts(spec),
                               f"MAX(d.c) > {WIDE}"), params
    daily_sql, params = daily_sums(spec, events, at)
    if connection.vendor == "sqlite" and not events:  # a sequential scan (_event_words)
        table = connection.ops.quote_name(Event._meta.db_table)
        daily_sql = daily_sql.replace(f"FROM {table}", f"FROM {table} NOT INDEXED", 1)
    counts = [f"d.n{i}" for i in range(len(spec.engagement_rules))]
    return engagement_sql(spec, f"({daily_sql}) d", counts), params


def _fill_engagement(spec: ModelSpec, events: Q, at: dt.datetime) -> None:
    """The engagement of the contacts with counted events into the result table; then
    the contacts with a day too busy for the packed counts (SQLite) computed exactly
    by the engine, which counts their events per day without packing."""
    sql, params = engagement_statement(spec, events, at, packed=connection.vendor == "sqlite")
    with pragmas(SORT_CACHE):
        _update_engagement(sql, params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT contact_id FROM {TEMP} WHERE busy = 1")
        busy = [row[0] for row in cursor.fetchall()]
    for start in range(0, len(busy), 500):
        _fill_exactly(spec, busy[start : start + 500], at)


def _update_engagement(sql: str, params: list[Any]) -> None:
    """The result table's engagement from a statement of (contact_id, engagement, busy)."""
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TEMP} AS t SET engagement = e.engagement, busy = e.busy "
                       f"FROM ({sql}) e WHERE t.contact_id = e.contact_id", params)


def _fill_exactly(spec: ModelSpec, ids: list[int], at: dt.datetime) -> None:
    contacts, events = scope_of_ids(ids)
    results = score_scope(spec, contacts=contacts, events=events, at=at)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {TEMP} SET engagement = %s, busy = 0 WHERE contact_id = %s",
                           [(r.engagement, r.contact_id) for r in results.values()])


def _fit_sql(spec: ModelSpec, contacts: Q) -> tuple[str, list[Any]]:
    fit: Any = Value(0)
    for rule in spec.fit_rules:
        fit = fit + Case(When(fit_rule_q(rule), then=Value(rule.points)), default=Value(0),
                         output_field=IntegerField())
    rows = Contact.objects.filter(contacts).annotate(fit_points=fit).values_list(
        "id", "fit_points").order_by()
    sql, params = rows.query.sql_with_params()
    return sql, list(params)


def create_temp_tables(half_life_days: int) -> None:
    """The result table, and the table of decay factors by UTC day (primary key: the
    join is a lookup, not a scan of the factors for every row), filled per use."""
    drop_temp_tables()
    day = "DATE" if connection.vendor == "postgresql" else "INTEGER"  # SQLite: the rowid
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {TEMP} (contact_id BIGINT PRIMARY KEY, "
                       "fit BIGINT NOT NULL, engagement BIGINT NOT NULL, busy INTEGER NOT NULL)")
        cursor.execute(f"CREATE TEMPORARY TABLE {DECAY} (day {day} PRIMARY KEY, "
                       "factor BIGINT NOT NULL)")


def load_decay(half_life_days: int, at: dt.datetime) -> None:
    """The decay factors of the days up to `at`'s UTC day."""
    rows = decay_rows(half_life_days, at.astimezone(dt.UTC).date())
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {DECAY}")
        if connection.vendor == "postgresql":  # one statement, not ~1,300 (19 ms a call)
            cursor.execute(f"INSERT INTO {DECAY} (day, factor) SELECT * FROM "
                           "unnest(%s::date[], %s::bigint[])",
                           [[day for day, _ in rows], [factor for _, factor in rows]])
        else:
            cursor.executemany(f"INSERT INTO {DECAY} (day, factor) VALUES (%s, %s)", rows)


def drop_temp_tables() -> None:
    with connection.cursor() as cursor:
        for table in (TEMP, DECAY, ENGAGEMENT):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def fill_temp_table(spec: ModelSpec, *, contacts: Q, events: Q, at: dt.datetime,
                    engagement: tuple[str, list[Any]] | None = None,
                    beside: bool = False) -> int:
    """Compute the scores in scope at `at` into the temporary table (emptied first):
    every contact's fit and the engagement of those with counted events, from `events`
    or by the given `engagement` statement (scoring.fromdays'). SQLite: the fit, then
    the engagement updated in; PostgreSQL: the engagement into a table of its own,
    analyzed, then joined to the fit (a join with the statement itself was planned on
    a guess of how many contacts have events: a nested loop of 100k x 100k)."""
    load_decay(spec.half_life_days, at)
    fit_sql, params = _fit_sql(spec, contacts)
    if connection.vendor == "postgresql" and spec.engagement_rules:
        return _fill_joined((fit_sql, params), engagement or engagement_statement(
            spec, events, at), beside=beside)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TEMP}")
        cursor.execute(f"INSERT INTO {TEMP} (contact_id, fit, engagement, busy) "
                       f"SELECT f.id, f.fit_points, 0, 0 FROM ({fit_sql}) f", params)
        count = cursor.rowcount
    _analyze_temp_tables()
    if spec.engagement_rules and engagement is not None:
        _update_engagement(*engagement)
    elif spec.engagement_rules:
        _fill_engagement(spec, events, at)
    return count


def _fill_joined(fit: tuple[str, list[Any]], engagement: tuple[str, list[Any]],
                 beside: bool = False) -> int:
    """PostgreSQL: the engagement into a table of its own (CREATE TABLE AS), then every
    contact's fit joined to it, hashed, into the result table: updating the result
    table's 1M rows from the statement instead took 7.6 s more than the statement.
    With `beside`, another connection computes the fit into an unlogged table while
    this one computes the engagement (1M contacts: ~3 s of the fit rules' CASEs,
    regex and LIKEs, off the rescore's time)."""
    fit_table = f"scoring_fit_{_backend()}" if beside else ""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {DECAY}")
        for table in filter(None, (ENGAGEMENT, fit_table)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        wait = run_beside(f"CREATE UNLOGGED TABLE {fit_table} AS {fit[0]}", fit[1]
                          ) if fit_table else None
        try:
            cursor.execute(f"CREATE TEMPORARY TABLE {ENGAGEMENT} AS {engagement[0]}",
                           engagement[1])
        finally:
            if wait:
                wait()
        cursor.execute(f"ANALYZE {ENGAGEMENT}")
        count = _join_into_result(cursor, (f"SELECT * FROM {fit_table}", []) if fit_table
                                  else fit)
        for table in filter(None, (ENGAGEMENT, fit_table)):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
    _analyze_temp_tables()
    return count


def _join_into_result(cursor: Any, fit: tuple[str, list[Any]]) -> int:
    """The result table (emptied first) from every contact's fit and the engagement
    table, in key order: the hash join's order made the key's inserts random (1M
    contacts: 4.3 s, sorted 2.3 s)."""
    cursor.execute(f"DELETE FROM {TEMP}")
    cursor.execute(
        f"INSERT INTO {TEMP} (contact_id, fit, engagement, busy) SELECT f.id, f.fit_points, "
        f"COALESCE(e.engagement, 0), COALESCE(e.busy, 0) FROM ({fit[0]}) f "
        f"LEFT JOIN {ENGAGEMENT} e ON e.contact_id = f.id ORDER BY f.id", fit[1])
    return int(cursor.rowcount)


def _backend() -> int:
    """PostgreSQL: this session's backend process id (names this run's shared tables)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return int(cursor.fetchone()[0])


def _analyze_temp_tables() -> None:
    """PostgreSQL: statistics for the temporary tables, which autovacuum never sees;
    without them the statements that join them plan on a guess of ~2,500 rows and
    scan every contact and score (14 ms a statement to score one contact of 100k)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {TEMP}, {DECAY}")


def qualifying_counts(spec: ModelSpec, at: dt.datetime, open_stages: list[str]
                      ) -> tuple[int, int, int]:
    """(contacts, qualifying, new MQLs) under `spec` at `at`, counted by the database:
    qualifying = total >= threshold or a hand-raise event, whatever the stage; new =
    of those, the ones in `open_stages` never qualified. Needs the temp tables."""
    fill_temp_table(spec, contacts=Q(), events=Q(), at=at)
    names, hit = _tables(), f"s.fit + s.engagement >= {int(spec.threshold)}"
    raise_join, params = "", list[Any]()
    if spec.hand_raise_events:
        raisers = Event.objects.filter(
            type="track", name__in=list(spec.hand_raise_events), timestamp__lte=at,
            contact__isnull=False).values("contact_id").distinct().order_by()
        raise_sql, more = raisers.query.sql_with_params()
        raise_join, params = f"LEFT JOIN ({raise_sql}) h ON h.contact_id = s.contact_id", list(more)
        hit = f"({hit} OR h.contact_id IS NOT NULL)"
    stages = ", ".join(["%s"] * len(open_stages))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*), COALESCE(SUM(CASE WHEN {hit} THEN 1 ELSE 0 END), 0), "
            f"COALESCE(SUM(CASE WHEN {hit} AND c.lifecycle_stage IN ({stages}) AND "
            f"c.became_mql_at IS NULL THEN 1 ELSE 0 END), 0) FROM {TEMP} s "
            f"JOIN {names['contact']} c ON c.id = s.contact_id {raise_join}",
            [*open_stages, *params])  # the stages come first in the text
        contacts, qualifying, new = cursor.fetchone()
    return int(contacts), int(qualifying), int(new)


def _tables() -> dict[str, str]:
    from smarketing.scoring.models import ContactScore, ScoreChange

    quote = connection.ops.quote_name
    return {"contact": quote(Contact._meta.db_table),
            "people_score": quote(Score._meta.db_table),
            "score": quote(ContactScore._meta.db_table),
            "change": quote(ScoreChange._meta.db_table)}


CHANGED = "p.fit <> t.fit OR p.engagement <> t.engagement OR p.total <> t.fit + t.engagement"


def write_from_temp_table(model: Any, at: dt.datetime, *, low: int | None = None,
                          high: int | None = None, table: str = TEMP) -> int:
    """History rows and stored scores (people.Score) for the changed contacts, of ids
    low..high for a full rescore's range (whose model and time FullRescore records),
    else of the result table, whose contacts' ContactScore rows are stamped with the
    model and time; returns how many contacts' scores changed. Run it atomically.
    `table`: the result table, or its published copy (publish_result)."""
    names = _tables()
    scope = "" if low is None else f" AND t.contact_id BETWEEN {int(low)} AND {int(high or 0)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {names['change']} (contact_id, at, model_id, fit, engagement, total, "
            f"previous_total) SELECT t.contact_id, %s, %s, t.fit, t.engagement, "
            f"t.fit + t.engagement, p.total FROM {table} t JOIN {names['people_score']} p "
            f"ON p.contact_id = t.contact_id WHERE ({CHANGED}){scope}"
            f"{scope.replace('t.', 'p.')}", [at, model.pk])  # the range on both sides:
        # PostgreSQL does not carry it over the join (a scan of every score a range)
        changed = cursor.rowcount
        if changed:  # the contacts' narrow score rows, not their wide rows
            cursor.execute(
                f"UPDATE {names['people_score']} AS p SET fit = t.fit, engagement = "
                f"t.engagement, total = t.fit + t.engagement FROM {table} t "
                f"WHERE p.contact_id = t.contact_id AND ({CHANGED}){scope}"
                f"{scope.replace('t.', 'p.')}")
        if not scope:
            _stamp_contact_scores(cursor, model, at)
    return changed


def publish_result() -> str:
    """PostgreSQL: the result table copied to an unlogged table of this run (named by
    this session's backend), which other connections can read; returns its name."""
    name = f"scoring_rescore_{_backend()}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE UNLOGGED TABLE {name} AS SELECT * FROM {TEMP}")
        cursor.execute(f"ALTER TABLE {name} ADD PRIMARY KEY (contact_id)")
        cursor.execute(f"ANALYZE {name}")
    return name


def drop_published(name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {name}")


def _stamp_contact_scores(cursor: Any, model: Any, at: dt.datetime) -> None:
    """The model and time of the result table's contacts in their ContactScore rows."""
    cursor.execute(  # WHERE: SQLite's parser needs one before an upsert's ON CONFLICT
        f"INSERT INTO {_tables()['score']} (contact_id, model_id, scored_at, factors) "
        f"SELECT contact_id, %s, %s, '[]' FROM {TEMP} WHERE 1 = 1 ON CONFLICT (contact_id) "
        "DO UPDATE SET model_id = excluded.model_id, scored_at = excluded.scored_at",
        [model.pk, at])


AGGREGATES = {"max": "MAX", "sum": "SUM", "avg": "AVG"}


def write_company_scores(aggregate: str, at: dt.datetime, company_ids: list[int] | None) -> int:
    """Each company's aggregate (max, sum or avg) of its contacts' stored scores, rounded
    half away from zero, upserted where it differs; returns the companies aggregated."""
    from smarketing.scoring.models import CompanyScore

    fn, quote = AGGREGATES[aggregate], connection.ops.quote_name
    table, contacts = quote(CompanyScore._meta.db_table), quote(Contact._meta.db_table)
    where, params = "c.company_id IS NOT NULL", list[Any]([at])
    if company_ids is not None:
        if not company_ids:
            return 0
        where += f" AND c.company_id IN ({', '.join(['%s'] * len(company_ids))})"
        params += company_ids
    columns = ", ".join(f"CAST(ROUND({fn}(p.{c})) AS BIGINT)"
                        for c in ("fit", "engagement", "total"))
    contacts += " c"
    if company_ids is None and connection.vendor == "sqlite":  # all companies: scan and
        # sort the contacts rather than fetch them at random through the company index
        contacts += " NOT INDEXED"  # (1M contacts: 0.70 -> 0.35-0.38 s CPU)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS s (company_id, fit, engagement, total, contacts, scored_at) "
            f"SELECT c.company_id, {columns}, COUNT(*), %s FROM {contacts} "
            f"JOIN {quote(Score._meta.db_table)} p ON p.contact_id = c.id WHERE {where} "
            "GROUP BY c.company_id ON CONFLICT (company_id) DO UPDATE SET fit = excluded.fit, "
            "engagement = excluded.engagement, total = excluded.total, "
            "contacts = excluded.contacts, scored_at = excluded.scored_at "
            "WHERE s.fit <> excluded.fit OR s.engagement <> excluded.engagement "
            "OR s.total <> excluded.total OR s.contacts <> excluded.contacts", params)
        return cursor.rowcount

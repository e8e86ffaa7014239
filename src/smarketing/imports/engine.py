"""The import engine: read a file as a stream, map and validate each row, write in
batches (one transaction per batch, the run's resume point committed with it).

A re-run of the same file with the same options continues after the last committed
batch (the rows before it are re-read only to know which keys the file already
used, so in-file duplicates are still reported). A dry run does everything inside
one transaction and rolls it back: its counts are exactly what a real run writes.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from smarketing.core.errors import DomainError
from smarketing.core.sqlite import pragmas
from smarketing.core.tabular import Table, open_table
from smarketing.imports.kinds import KINDS
from smarketing.imports.kinds.base import (
    CREATED,
    ERROR,
    SKIPPED,
    UPDATED,
    Context,
    Kind,
    Outcome,
    Row,
    RowError,
    validate_row,
)
from smarketing.imports.lookups import Lookups
from smarketing.imports.mapping import Column, Mapping, Resolved, resolve
from smarketing.imports.models import ImportIssue, ImportRun, ImportStatus
from smarketing.imports.values import DateReader
from smarketing.people.properties import clean_value, definitions

BATCH = 1000
TRANSACTION = 50_000  # rows a transaction holds at most (see _transaction)
Progress = Callable[[ImportRun], None]


class _DryRun(Exception):
    pass


def resolve_header(kind: Kind, header: list[str], mapping: Mapping) -> Resolved:
    if kind.header is None:
        return resolve(header, mapping, kind.known)
    pairs = {name: rule.field for name, rule in mapping.columns.items()}
    by_index = {i: Column(field=f) for i, f in kind.header(header, pairs).items()}
    ignored = [h for i, h in enumerate(header) if i not in by_index]
    return Resolved(header, by_index, ignored)


PLAIN, PROPERTY, LIST, DATED = "plain", "property", "list", "dated"


def _how(rule: Column) -> str:
    """How a column's values are read (decided once per file, not per row)."""
    if rule.field.startswith("properties."):
        return PROPERTY
    if rule.separator or rule.field.endswith(("_ids", "_emails", "participants")):
        return LIST
    return DATED if rule.date_format else PLAIN


@dataclass
class Parser:
    """Turns a row's raw values into the kind's validated model (or a RowError)."""

    kind: Kind
    ctx: Context
    props: dict[str, Any] = field(default_factory=dict)

    plan: list[tuple[int, Column, dict[str, str], str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.kind.property_object:
            self.props = definitions(self.kind.property_object)
        self.plan = [(index, rule, self.ctx.mapping.values.get(rule.field) or {}, _how(rule))
                     for index, rule in self.ctx.resolved.by_index.items()]

    def __call__(self, line: int, values: list[str]) -> Row:
        data: dict[str, Any] = {}
        properties: dict[str, Any] = {}
        width = len(values)
        for index, rule, table, how in self.plan:
            raw = values[index].strip() if index < width else ""
            if table:
                raw = table.get(raw.lower(), raw)
            if how == PLAIN:
                if raw or rule.field not in data:
                    data[rule.field] = raw
            elif how == PROPERTY:
                self._property(rule, raw, properties, index)
            elif how == LIST:
                data[rule.field] = [v.strip() for v in raw.split(rule.separator or ";")
                                    if v.strip()]
            elif raw or rule.field not in data:
                data[rule.field] = self._dated(rule, raw)
        self._defaults(data)
        if properties:
            data["properties"] = properties
        return Row(line, values, validate_row(self.kind.model, data, self.ctx))

    def _dated(self, rule: Column, raw: str) -> Any:
        if not rule.date_format or not raw:
            return raw
        try:
            return timezone.make_aware(
                dt.datetime.strptime(raw, rule.date_format))
        except ValueError as exc:
            raise RowError(self.ctx.column(rule.field),
                           f"{raw!r} does not match {rule.date_format}") from exc

    def _property(self, rule: Column, raw: str, out: dict[str, Any], index: int) -> None:
        name = rule.field.removeprefix("properties.")
        column = self.ctx.resolved.header[index]
        if name not in self.props:
            raise RowError(column, f"no custom property {name!r} (define it first)")
        if not raw:
            return
        try:
            out[name] = clean_value(self.props[name], raw)
        except DomainError as exc:
            raise RowError(column, exc.message.split(": ", 1)[-1]) from exc

    def _defaults(self, data: dict[str, Any]) -> None:
        for name, value in self.ctx.mapping.defaults.items():
            if not data.get(name):
                data[name] = value


@dataclass
class Result:
    run: ImportRun
    outcomes: list[Outcome] = field(default_factory=list)  # kept for dry runs
    ignored_columns: list[str] = field(default_factory=list)


def context_for(run: ImportRun, mapping: Mapping, kind: Kind, header: list[str]) -> Context:
    lookups = Lookups(system=mapping.system, create=mapping.create_missing, actor=run.actor)
    return Context(actor=run.actor, mapping=mapping, resolved=resolve_header(kind, header, mapping),
                   on_duplicate=run.on_duplicate, lookups=lookups,
                   dates=DateReader(mapping.date_formats))


class SeenKeys:
    """The in-file keys (email, external id) met so far with the line of each, kept
    in a private temporary SQLite file (deleted on close) instead of a dict: memory
    stays flat however long the file is; one lookup and one insert per batch."""

    def __init__(self) -> None:
        self.db = sqlite3.connect("")  # "": a private on-disk temporary database
        self.db.executescript("PRAGMA cache_size=-2048; PRAGMA journal_mode=OFF; "
                              "PRAGMA synchronous=OFF; CREATE TABLE seen "
                              "(key TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID;")

    def first_lines(self, keyed: list[tuple[str, int]]) -> dict[str, int]:
        """Each key of a batch (in file order) -> the first line that used it."""
        keys = list({key for key, _ in keyed})
        found: dict[str, int] = {}
        for start in range(0, len(keys), 900):
            chunk = keys[start:start + 900]
            marks = ",".join("?" * len(chunk))
            found.update(self.db.execute(
                f"SELECT key, line FROM seen WHERE key IN ({marks})", chunk))  # noqa: S608
        new: dict[str, int] = {}
        for key, line in keyed:
            if key not in found:
                new.setdefault(key, line)
        self.db.executemany("INSERT INTO seen VALUES (?, ?)", new.items())
        return found | new

    def close(self) -> None:
        self.db.close()


Item = tuple[Row | Outcome, list[str]]


class Batcher:
    """Parses rows, reports in-file duplicates and groups valid rows into batches."""

    def __init__(self, kind: Kind, ctx: Context) -> None:
        self.kind, self.ctx, self.parse = kind, ctx, Parser(kind, ctx)
        self.seen = SeenKeys()

    def row(self, line: int, values: list[str]) -> Row | Outcome:
        try:
            return self.parse(line, values)
        except RowError as err:
            return Outcome(line, ERROR, err.column, err.reason)

    def dedupe(self, batch: list[Item]) -> list[Item]:
        """Refuse the rows whose key an earlier line of the file already used."""
        key_of = self.kind.key
        if key_of is None:
            return batch
        keys = [key_of(item.data) if isinstance(item, Row) else "" for item, _ in batch]
        keyed = [(key, item.line) for key, (item, _) in zip(keys, batch, strict=True) if key]
        if not keyed:
            return batch
        first = self.seen.first_lines(keyed)
        column = self.ctx.column(self.kind.key_field)
        return [
            (Outcome(item.line, ERROR, column, f"duplicates line {first[key]} of this file"),
             values)
            if key and first[key] != item.line else (item, values)
            for key, (item, values) in zip(keys, batch, strict=True)
        ]

    def batches(self, rows: Iterator[tuple[int, list[str]]],
                count: int | None = None) -> Iterator[list[Item]]:
        """The next `count` rows (all: None), parsed and deduplicated, BATCH at a time."""
        batch: list[Item] = []
        for line, values in itertools.islice(rows, count):
            batch.append((self.row(line, values), values))
            if len(batch) >= BATCH:
                yield self.dedupe(batch)
                batch = []
        if batch:
            yield self.dedupe(batch)

    def replay(self, rows: Iterator[tuple[int, list[str]]], count: int) -> None:
        """Re-read the rows a crashed run committed, to know the keys they used."""
        for batch in self.batches(rows, count):
            for item, _ in batch:
                if self.kind.replay is not None and isinstance(item, Row):
                    self.kind.replay(item, self.ctx)

    def close(self) -> None:
        self.seen.close()


def _write(kind: Kind, ctx: Context, rows: list[Row]) -> list[Outcome]:
    if not rows:
        return []
    return kind.write(rows, ctx)


def _commit(run: ImportRun, kind: Kind, ctx: Context, batch: list[Item]) -> list[Outcome]:
    # No savepoint a batch: a failing batch fails its whole transaction (resumed from
    # the last commit), and a savepoint makes SQLite journal every page a batch changes.
    with transaction.atomic(savepoint=False):
        rows = [r for r, _ in batch if isinstance(r, Row)]
        outcomes = [o for o, _ in batch if isinstance(o, Outcome)] + _write(kind, ctx, rows)
        values = {item.line: raw for item, raw in batch}
        _count(run, outcomes)
        run.rows_done += len(batch)
        if not run.dry_run:
            ImportIssue.objects.bulk_create([
                ImportIssue(run=run, line=o.line, column=o.column[:200], reason=o.reason[:1000],
                            values=values.get(o.line, []))
                for o in outcomes if o.result == ERROR
            ])
            run.save()
    return sorted(outcomes, key=lambda o: o.line)


def _count(run: ImportRun, outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        if outcome.result == CREATED:
            run.created += 1
        elif outcome.result == UPDATED:
            run.updated += 1
        elif outcome.result == SKIPPED:
            run.skipped += 1
        else:
            run.errors += 1


def _loop(run: ImportRun, table: Table, batcher: Batcher, progress: Progress | None,
          keep: list[Outcome] | None) -> None:
    batches = batcher.batches(table.rows)
    more = True
    while more:
        with transaction.atomic(savepoint=False):  # nested only in a dry run
            more = _transaction(run, batcher, batches, progress, keep)


def _transaction(run: ImportRun, batcher: Batcher, batches: Iterator[list[Item]],
                 progress: Progress | None, keep: list[Outcome] | None) -> bool:
    """Write batches in one transaction until it holds as many rows as were committed
    before it (BATCH at least, TRANSACTION at most): the first rows are visible (and
    resumable) at once, a long import commits 50,000 rows at a time, so the pages
    that many batches dirty are written once. False when the file is done."""
    limit, written = min(TRANSACTION, max(BATCH, run.rows_done)), 0
    for batch in batches:
        _flush(run, batcher, batch, progress, keep)
        written += len(batch)
        if written >= limit:
            return True
    return False


def _flush(run: ImportRun, batcher: Batcher, batch: list[Item],
           progress: Progress | None, keep: list[Outcome] | None) -> None:
    if not batch:
        return
    outcomes = _commit(run, batcher.kind, batcher.ctx, batch)
    if keep is not None:
        keep.extend(outcomes)
    if progress:
        progress(run)


# SQLite settings while an import writes (restored after): a 512 MiB page cache, so the
# indexes of a large table are not read again batch after batch, and a checkpoint per
# 100,000 WAL pages (the WAL file may grow to ~400 MB meanwhile) instead of 1,000, so a
# page dirtied by many batches is copied into the database once rather than at every
# checkpoint. Memory stays bounded by the cache. temp_store MEMORY: an INSERT into a
# table with triggers (the contacts' analytics rollups) is one statement a row, each
# with a statement journal, the original of every page the row changes; in a temporary
# file that cost ~45 us a row, in memory ~9 (a statement's journal is a few pages).
# SQLite changes temp_store only outside a transaction, and an import inside someone
# else's keeps the default: under a savepoint spanning many rows the in-memory journal
# is far slower than the file (the import itself opens none: see _commit).
BULK_PRAGMAS = {"cache_size": -524288, "wal_autocheckpoint": 100000, "temp_store": 2}


def _bulk_pragmas() -> dict[str, int]:
    if connection.in_atomic_block:
        return {k: v for k, v in BULK_PRAGMAS.items() if k != "temp_store"}
    return BULK_PRAGMAS


@contextlib.contextmanager
def bulk_writes() -> Iterator[None]:
    with pragmas(_bulk_pragmas()):
        yield  # the next commit checkpoints


def execute(run: ImportRun, path: Path, mapping: Mapping,
            progress: Progress | None = None) -> Result:
    """Import `path` into `run` (resuming after its committed rows)."""
    kind = KINDS[run.kind]
    table = open_table(path)
    try:
        ctx = context_for(run, mapping, kind, table.header)
        with contextlib.closing(Batcher(kind, ctx)) as batcher:
            batcher.replay(table.rows, run.rows_done)
            keep: list[Outcome] | None = [] if run.dry_run else None
            _start(run, table, path)
            if run.dry_run:
                _dry(run, table, batcher, progress, keep)
            else:
                with bulk_writes():
                    _loop(run, table, batcher, progress, keep)
    finally:
        table.close()
    run.status, run.finished_at = ImportStatus.FINISHED, timezone.now()
    run.save()
    return Result(run, keep or [], ctx.resolved.ignored)


def _start(run: ImportRun, table: Table, path: Path) -> None:
    if run.total_rows is None:
        counted = open_table(path)
        run.total_rows = sum(1 for _ in counted.rows)
        counted.close()
    run.status, run.started_at = ImportStatus.RUNNING, run.started_at or timezone.now()
    run.encoding, run.encoding_note = table.encoding, table.encoding_note
    if not run.dry_run:
        run.save()


def _dry(run: ImportRun, table: Table, batcher: Batcher, progress: Progress | None,
         keep: list[Outcome] | None) -> None:
    try:
        with transaction.atomic():
            _loop(run, table, batcher, progress, keep)
            raise _DryRun
    except _DryRun:
        pass
    run.save()
    ImportIssue.objects.bulk_create([
        ImportIssue(run=run, line=o.line, column=o.column[:200], reason=o.reason[:1000])
        for o in keep or [] if o.result == ERROR
    ])

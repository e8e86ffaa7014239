"""A complete, versioned, portable dump of the database: `smarketing backup FILE`
and `smarketing restore FILE`.

The file is JSON Lines (gzip when FILE ends in `.gz`): a header line
`{"format": "smarketing-backup", "version": 1, ...}` with every model's row count,
then one line per row in dependency order, as Django's serializer writes it
(`{"model": "people.contact", "pk": 1, "fields": {...}}`; foreign keys by primary
key, permissions by natural key). It is database-neutral: a backup of SQLite
restores into PostgreSQL and back. Rows are streamed both ways (`iterator()` in
chunks on the way out, `bulk_create` in batches on the way in), so memory stays
flat. Restore writes everything in one transaction with constraint checks at the
end, keeps primary keys and timestamps (auto_now is suspended for the load) and
resets PostgreSQL sequences.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from smarketing import __version__
from smarketing.core.errors import Conflict, ValidationFailed

FORMAT = "smarketing-backup"
VERSION = 1
BATCH = 1000
# Rebuilt by `migrate` or transient: never part of a backup.
SKIPPED = frozenset(
    {"contenttypes.contenttype", "auth.permission", "sessions.session", "admin.logentry"}
)
NATURAL_KEYS = frozenset({"auth.user", "auth.group"})
# Kept by database triggers from other tables (analytics' web rollups from the
# events): written last and, on restore, replacing what the triggers made while
# the events were loaded, so they round-trip exactly (ids included). In this order:
# the per-quarter-hour counters are kept by triggers on the two others, so they come last,
# then the queue of visitors whose rollups are not applied yet (filled by triggers too)
# and, on SQLite, the highest event id swept onto it (the events above it are queued
# at the next apply);
# analytics' deal stage spans and per-day stage entries (triggers on deals and contacts)
# and the leads' visit buckets (triggers on contacts and on the visits, so after those);
# the per-day lifecycle moves (triggers on the stage history); each deal with its
# primary contact (triggers on deals and their contacts); on SQLite, the largest id of
# its source table each of the folding rollups has counted (the rows above it are
# counted at the next read: analytics/folds.py). First of all, the contacts' score rows
# (a trigger inserts one with each contact).
DERIVED = ("people.score", "analytics.websession", "analytics.webvisit", "analytics.webbucket",
           "analytics.webdirty", "analytics.webmark", "analytics.dealspan",
           "analytics.stageentry", "analytics.leadvisit", "analytics.stageflow",
           "analytics.dealsource", "analytics.foldmark")
# Rows that mean "this database is in use" (seeded reference rows do not count).
USER_DATA = ("auth.user", "people.contact", "people.company", "pipeline.deal")


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it rounds to milliseconds)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            return o.isoformat()
        return super().default(o)


def label(model: type[models.Model]) -> str:
    return model._meta.label_lower


def backup_models() -> list[type[models.Model]]:
    """Every concrete model worth keeping, parents before children."""
    app_list = dict.fromkeys(apps.get_app_configs())
    ordered = serializers.sort_dependencies(app_list.items(), allow_cycles=True)
    kept = [
        m for m in ordered
        if label(m) not in SKIPPED and m._meta.managed and not m._meta.proxy
    ]
    # Users name their groups (many-to-many) by natural key: groups come first.
    return sorted(kept, key=lambda m: (
        label(m) != "auth.group",
        DERIVED.index(label(m)) if label(m) in DERIVED else -1,
    ))


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return gzip.open(path, mode + "t", encoding="utf-8")  # type: ignore[return-value]
    return path.open(mode, encoding="utf-8")


def _rows(model: type[models.Model]) -> Iterator[dict[str, Any]]:
    """Rows by primary key; a user's and a group's permissions by natural key (their
    ids differ between databases), every other reference by primary key."""
    queryset = model._default_manager.order_by("pk").iterator(chunk_size=BATCH)
    natural = label(model) in NATURAL_KEYS
    yield from serializers.serialize("python", queryset, use_natural_foreign_keys=natural)


def backup(path: Path) -> dict[str, int]:
    """Write the backup to `path`; returns the row count per model."""
    chosen = backup_models()
    with transaction.atomic():  # one consistent snapshot (REPEATABLE READ on a read)
        counts = {label(m): m._default_manager.count() for m in chosen}
        header = {
            "format": FORMAT, "version": VERSION, "app_version": __version__,
            "created_at": timezone.now().isoformat(), "vendor": connection.vendor,
            "counts": counts,
        }
        with _open(path, "w") as out:
            out.write(json.dumps(header) + "\n")
            for model in chosen:
                for row in _rows(model):
                    out.write(json.dumps(row, cls=_Encoder, ensure_ascii=False) + "\n")
    return counts


def read_header(line: str) -> dict[str, Any]:
    try:
        header = json.loads(line)
    except ValueError as exc:
        raise ValidationFailed("file: not a Smarketing backup (line 1)", field="file") from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValidationFailed("file: not a Smarketing backup (line 1)", field="file")
    if header.get("version") != VERSION:
        raise ValidationFailed(
            f"version: backup format {header.get('version')} is not supported "
            f"(this version reads {VERSION})", field="version",
        )
    return header


def in_use() -> list[str]:
    return [name for name in USER_DATA if apps.get_model(name)._default_manager.exists()]


@contextmanager
def _timestamps_kept() -> Iterator[None]:
    """Suspend auto_now / auto_now_add so restored rows keep their own times."""
    flipped = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                flipped.append((f, f.auto_now, f.auto_now_add))  # type: ignore[attr-defined]
                f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, now, now_add in flipped:
            f.auto_now, f.auto_now_add = now, now_add  # type: ignore[attr-defined]


@dataclass
class _Loader:
    """Buffers deserialised rows per model and writes them in batches."""

    counts: dict[str, int] = field(default_factory=dict)
    batch: list[Any] = field(default_factory=list)

    def add(self, deserialized: Any) -> None:
        if self.batch and type(self.batch[0].object) is not type(deserialized.object):
            self.flush()
        self.batch.append(deserialized)
        if len(self.batch) >= BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.batch:
            return
        model = type(self.batch[0].object)
        if label(model) in DERIVED and label(model) not in self.counts:
            _clear(model)
        model._default_manager.bulk_create([d.object for d in self.batch])
        for d in self.batch:
            for name, values in (d.m2m_data or {}).items():
                getattr(d.object, name).set(values)
        self.counts[label(model)] = self.counts.get(label(model), 0) + len(self.batch)
        self.batch = []


def _clear(model: type[models.Model]) -> None:
    model._default_manager.all()._raw_delete(using=connection.alias)  # type: ignore[attr-defined]


def _wipe(chosen: list[type[models.Model]]) -> None:
    for model in reversed(chosen):
        _clear(model)


def _load(lines: Iterator[str], start: int) -> dict[str, int]:
    loader = _Loader()
    for number, line in enumerate(lines, start=start):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            [deserialized] = serializers.deserialize(
                "python", [row], handle_forward_references=False
            )
        except Exception as exc:  # noqa: BLE001 - the line number is what the user needs
            raise ValidationFailed(f"file: line {number}: {exc}", field="file") from exc
        loader.add(deserialized)
    loader.flush()
    for model in backup_models():  # derived rows the backup has none of: none after it
        if label(model) in DERIVED and label(model) not in loader.counts:
            _clear(model)
    return loader.counts


def reset_sequences(chosen: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def restore(path: Path, *, force: bool = False) -> dict[str, int]:
    """Load a backup into this (migrated) database; refuses one in use unless `force`,
    which first deletes every row of every backed-up model."""
    chosen = backup_models()
    with _open(path, "r") as source:
        header = read_header(source.readline())
        used = in_use()
        if used and not force:
            raise Conflict(
                f"database: not empty ({', '.join(used)} have rows); restore into an "
                "empty database or pass --force to replace everything", field="database",
            )
        with connection.constraint_checks_disabled(), transaction.atomic(), _timestamps_kept():
            _wipe(chosen)
            counts = _load(source, start=2)
            _check_counts(counts, header["counts"])
            connection.check_constraints()
            reset_sequences(chosen)
    return counts


def _check_counts(counts: dict[str, int], announced: dict[str, int]) -> None:
    """A truncated or edited file is refused (nothing is written)."""
    expected = {name: n for name, n in announced.items() if n}
    if counts != expected:
        wrong = sorted(set(counts.items()) ^ set(expected.items()))[0][0]
        raise ValidationFailed(
            f"file: {wrong} has {counts.get(wrong, 0)} rows, the header says "
            f"{expected.get(wrong, 0)} (truncated file?)", field="file",
        )

"""Writes for tracking: sources and their write keys, and the ingestion of messages.

`events_ingest` is the hot path: one SELECT for the contacts of the batch's ids, one
INSERT of every event (conflicts on (source, message_id) skipped, RETURNING the ids
stored, so the others are the duplicates; plain SQL, as building model instances
would cost more than the insert itself), then the identity work of the few identify,
alias and group messages, all in one transaction committed before the reply.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

import orjson
from django.db import connection, transaction
from django.db.models import F

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.people.models import Contact
from smarketing.tracking import stitching
from smarketing.tracking.hooks import (
    StoredBatch,
    notify_batch_stored,
    notify_events_ingested,
    notify_events_stored,
)
from smarketing.tracking.messages import Incoming, Problem
from smarketing.tracking.models import (
    DebugMessage,
    DebugStatus,
    Event,
    EventType,
    RateWindow,
    Source,
    SourceKind,
)
from smarketing.tracking.writelock import ingestion_writer_turn

log = logging.getLogger(__name__)
KEY_PREFIX = "wk_"
STITCHING_TYPES = frozenset({EventType.IDENTIFY, EventType.ALIAS, EventType.GROUP})
DEBUG_KEEP = 100


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _new_key() -> tuple[str, str, str]:
    raw = KEY_PREFIX + secrets.token_urlsafe(24)
    return raw, raw[:10], hash_key(raw)


def _clean_source(name: str, kind: str) -> tuple[str, str]:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("name: a source needs a name", field="name")
    if len(name) > 100:
        raise ValidationFailed("name: at most 100 characters", field="name")
    if kind not in SourceKind.values:
        raise ValidationFailed(f"kind: use one of {', '.join(SourceKind.values)}", field="kind")
    return name, kind


@transaction.atomic
def source_create(
    *, actor: Any, name: str, kind: str, rate_limit: int = 0
) -> tuple[Source, str]:
    """Create a source; its write key is returned once and only its hash is kept.
    `rate_limit`: the most messages accepted per minute (0: no limit)."""
    name, kind = _clean_source(name, kind)
    if rate_limit < 0:
        raise ValidationFailed("rate_limit: 0 (no limit) or more", field="rate_limit")
    raw, prefix, digest = _new_key()
    source = Source.objects.create(
        name=name, kind=kind, key_prefix=prefix, key_hash=digest, rate_limit=rate_limit,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return source, raw


def source_rate_check(*, source: Source, messages: int, now: datetime) -> int:
    """Count `messages` against the source's per-minute limit. Returns 0 when they may
    go in, else the seconds until the next minute (nothing is counted then). Concurrent
    requests may each pass the check in the same instant: the limit is approximate."""
    if not source.rate_limit:
        return 0
    minute = now.replace(second=0, microsecond=0)
    used = RateWindow.objects.filter(source=source, minute=minute).values_list(
        "messages", flat=True
    ).first()
    if (used or 0) + messages > source.rate_limit:
        return 60 - now.second
    table = connection.ops.quote_name(RateWindow._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (source_id, minute, messages) VALUES (%s, %s, %s) "
            "ON CONFLICT (source_id, minute) "
            f"DO UPDATE SET messages = {table}.messages + excluded.messages",
            [source.pk, connection.ops.adapt_datetimefield_value(minute), messages],
        )
        if used is None:  # a new minute: forget the old ones
            RateWindow.objects.filter(source=source, minute__lt=minute).delete()
    return 0


@transaction.atomic
def source_rotate_key(*, source: Source, actor: Any) -> str:
    """Replace the write key: the old one stops working at once."""
    raw, prefix, digest = _new_key()
    source.key_prefix, source.key_hash = prefix, digest
    source.save(update_fields=["key_prefix", "key_hash", "updated_at"])
    return raw


def source_set_enabled(*, source: Source, actor: Any, enabled: bool) -> Source:
    source.enabled = enabled
    source.save(update_fields=["enabled", "updated_at"])
    return source


@transaction.atomic
def source_update(
    *, source: Source, actor: Any, name: str | None = None, enabled: bool | None = None
) -> Source:
    """Rename a source and/or enable or disable it (a disabled one accepts no events)."""
    if name is not None:
        source.name, _ = _clean_source(name, source.kind)
        source.save(update_fields=["name", "updated_at"])
    if enabled is not None:
        source_set_enabled(source=source, actor=actor, enabled=enabled)
    return source


def source_for_key(raw: str) -> Source | None:
    """The source of a write key, or None (unknown key)."""
    if not raw:
        return None
    # a raw query: every tracking request makes it, and the queryset's compilation cost
    # ~140 of its ~200 us (1.4 us an event of a 100-event batch)
    sql = f"SELECT * FROM {Source._meta.db_table} WHERE key_hash = %s"
    return next(iter(Source.objects.raw(sql, [hash_key(raw)])), None)


@dataclass
class IngestResult:
    stored: int = 0
    duplicates: list[Incoming] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _split_repeats(messages: list[Incoming]) -> tuple[list[Incoming], list[Incoming]]:
    """(first occurrences, repeats): a message id seen earlier in the same batch is a
    duplicate; one already stored is found by the INSERT itself."""
    seen: set[str] = set()
    unique: list[Incoming] = []
    repeats: list[Incoming] = []
    for message in messages:
        (repeats if message.message_id in seen else unique).append(message)
        seen.add(message.message_id)
    return unique, repeats


# tracking_event's columns in the order _row() fills them (a test checks they are all).
EVENT_COLUMNS = (
    "source_id", "message_id", "type", "name", "contact_id", "anonymous_id", "user_id",
    "group_id", "previous_id", "timestamp", "sent_at", "received_at", "properties", "context",
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "referrer",
    "page_url", "page_path",
)
JSON_COLUMNS = frozenset({"properties", "context"})
ROWS_PER_STATEMENT = 1000  # 22,000 parameters: under SQLite's 32,766 and PostgreSQL's 65,535


def _sqlite_time(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime (naive UTC text), faster."""
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _row(
    source_id: int, m: Incoming, contact_id: int | None, received_at: Any, adapt: Any
) -> tuple[Any, ...]:
    page = m.page
    return (
        source_id, m.message_id, m.type, m.name, contact_id, m.anonymous_id, m.user_id,
        m.group_id, m.previous_id, adapt(m.timestamp), adapt(m.sent_at), received_at,
        _json_text(m.properties), _json_text(m.context), page.utm_source, page.utm_medium,
        page.utm_campaign, page.utm_term, page.utm_content, page.referrer, page.url, page.path,
    )


def _json_text(value: Any) -> str:
    """Compact JSON text, as Django's JSONField would store it (orjson: ~10x faster)."""
    return orjson.dumps(value).decode()


def _same(value: Any) -> Any:
    return value


# PostgreSQL: each column arrives as one array (see _insert_sql).
PG_ARRAYS = {"source_id": "bigint", "contact_id": "bigint", "timestamp": "timestamptz",
             "sent_at": "timestamptz", "received_at": "timestamptz"}


@lru_cache(maxsize=64)
def _insert_sql(vendor: str, rows: int) -> str:
    """One INSERT of every row that skips a (source, message_id) already stored (SQLite >=
    3.24 and PostgreSQL): what bulk_create(ignore_conflicts=True) does, without building
    models. SQLite's is multi-row with its native `?` marks (see _execute); PostgreSQL's
    takes one array a column (22 parameters, whatever the rows: psycopg parses a query
    of 2,200 placeholders again on every call, which cost more than the insert) and
    returns the message ids it stored."""
    columns = ", ".join(connection.ops.quote_name(c) for c in EVENT_COLUMNS)
    table = connection.ops.quote_name(Event._meta.db_table)
    conflict = "ON CONFLICT (source_id, message_id) DO NOTHING"
    if vendor == "postgresql":
        arrays = ", ".join(f"%s::{PG_ARRAYS.get(c, 'text')}[]" for c in EVENT_COLUMNS)
        q = connection.ops.quote_name
        picked = ", ".join(f"{q(c)}::jsonb" if c in JSON_COLUMNS else q(c) for c in EVENT_COLUMNS)
        names = columns
        return (f"INSERT INTO {table} ({columns}) SELECT {picked} FROM unnest({arrays}) "
                f"AS r ({names}) {conflict} RETURNING message_id")
    marks = ", ".join("?" for _ in EVENT_COLUMNS)
    values = ", ".join([f"({marks})"] * rows)
    return f"INSERT INTO {table} ({columns}) VALUES {values} {conflict}"


MESSAGE_ID = EVENT_COLUMNS.index("message_id")


def _execute(cursor: Any, sql: str, rows: list[tuple[Any, ...]]) -> list[str]:
    """Run the INSERT; returns the message ids it stored."""
    if connection.vendor == "sqlite":
        return _sqlite_execute(cursor.cursor, sql, rows)
    cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
    return [row[0] for row in cursor.fetchall()]


def _sqlite_execute(driver: sqlite3.Cursor, sql: str, rows: list[tuple[Any, ...]]) -> list[str]:
    """Straight on the driver's cursor: Django's wrapper rewrites `%s` to `?` with a regex
    on every call, which for the 2,200 marks of a 100-row INSERT costs as much as a tenth
    of the insert itself. No RETURNING: each row it hands back is a step of its own (the
    driver lets go of the GIL and takes it again around every step, under the writer's
    turn), and the row count says the same when no row was a duplicate. The ids only
    grow (AUTOINCREMENT) and this transaction is the only writer (IMMEDIATE), so the rows
    stored now are those above the sequence read first: read back only when some row
    was a duplicate."""
    sequence = driver.execute("SELECT seq FROM sqlite_sequence WHERE name = ?",
                              [Event._meta.db_table]).fetchone()
    stored = sqlite3.Cursor.execute(driver, sql, [v for row in rows for v in row]).rowcount
    if stored == len(rows):
        return [row[MESSAGE_ID] for row in rows]
    above = driver.execute(f"SELECT message_id FROM {Event._meta.db_table} WHERE id > ?",
                           [sequence[0] if sequence else 0])
    return [row[0] for row in above]


def _event_rows(
    source: Source, messages: list[Incoming], known: dict[tuple[str, str], int],
    received_at: datetime,
) -> list[tuple[Any, ...]]:
    """The INSERT's rows, in EVENT_COLUMNS order (built before the writer's turn)."""
    received = connection.ops.adapt_datetimefield_value(received_at)
    adapt = _sqlite_time if connection.vendor == "sqlite" else _same
    return [_row(source.pk, m, stitching.owner_of(known, m), received, adapt) for m in messages]


def _insert_events(rows: list[tuple[Any, ...]]) -> set[str]:
    """Insert the rows; returns the message ids stored now (the others were stored
    before: duplicates)."""
    inserted: set[str] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            chunk = rows[start : start + ROWS_PER_STATEMENT]
            sql = _insert_sql(connection.vendor, len(chunk))
            inserted.update(_execute(cursor, sql, chunk))
    return inserted


def _stitch(source: Source, message: Incoming) -> Contact | None:
    """One message's identity effect, in a savepoint: a domain rule refusing it (a value
    a service will not take) is logged and leaves the stored event as it is, rather than
    failing a batch that its client would then retry forever."""
    try:
        with transaction.atomic():
            if message.type == EventType.IDENTIFY:
                return stitching.apply_identify(message, source)
            if message.type == EventType.ALIAS:
                return stitching.apply_alias(message)
            stitching.apply_group(message, stitching.contact_ids_for([message]))
    except DomainError as exc:
        log.warning("%s %s: identity left as it was: %s", message.type, message.message_id,
                    exc.message)
    return None


def _apply_identities(source: Source, messages: list[Incoming]) -> set[int]:
    """What identify, alias, group and conversion events do to contacts, in batch order;
    returns the ids of the contacts they touched."""
    touched: set[int] = set()
    converting = []
    for message in messages:
        if message.type in STITCHING_TYPES:
            contact = _stitch(source, message)
            if contact is not None:
                touched.add(contact.pk)
        elif message.type == EventType.TRACK and stitching.is_conversion(
            message.name, message.properties
        ):
            converting.append(message)
    if converting:
        known = stitching.contact_ids_for(converting)
        owners = {stitching.owner_of(known, m) for m in converting}
        stitching.promote_contacts(c for c in owners if c is not None)
    return touched


def events_ingest(
    *, source: Source, messages: list[Incoming], problems: list[Problem],
    received_at: datetime,
) -> IngestResult:
    """Store the new messages of one request and apply their identity effects, atomically.

    One read before the write transaction (whose contacts the ids are) and the rows
    built, so that SQLite's write lock is held only for the writes; the INSERT skips a message id
    already stored (`ON CONFLICT DO NOTHING`, even one stored meanwhile by a concurrent
    request) and returns the ids it stored, so finding duplicates costs no query.
    `problems` (messages refused by validation) are recorded for the debugger.
    """
    unique, duplicates = _split_repeats(messages)
    known = stitching.contact_ids_for(unique)
    rows = _event_rows(source, unique, known, received_at)
    with ingestion_writer_turn() as turn, transaction.atomic():
        transaction.on_commit(turn.release)  # first: listeners' after-commit work runs unqueued
        inserted = _insert_events(rows) if rows else set()
        fresh = [m for m in unique if m.message_id in inserted]
        duplicates += [m for m in unique if m.message_id not in inserted]
        if fresh:
            _notify(source, fresh, known)
        if duplicates or problems:
            _record_unstored(source, duplicates, problems, received_at)
    return IngestResult(stored=len(fresh), duplicates=duplicates, problems=problems)


def _notify(source: Source, fresh: list[Incoming], known: dict[tuple[str, str], int]) -> None:
    """Apply the identity effects of the stored messages, then tell the listeners."""
    owned = [m.message_id for m in fresh if stitching.owner_of(known, m)]
    touched = {c for c in (stitching.owner_of(known, m) for m in fresh) if c}
    moved: set[int] = set()
    if any(m.type != EventType.PAGE and m.type != EventType.SCREEN for m in fresh):
        moved = _apply_identities(source, fresh)
    notify_events_ingested(touched | moved)
    notify_batch_stored(StoredBatch(source.pk, tuple(owned), tuple(sorted(moved))))
    notify_events_stored()


def _record_unstored(
    source: Source, duplicates: list[Incoming], problems: list[Problem], received_at: datetime
) -> None:
    """Log what was not stored for the debugger and count it on the source."""
    rows = [
        DebugMessage(
            source=source, received_at=received_at, status=DebugStatus.DUPLICATE,
            type=m.type, name=m.name, message_id=m.message_id,
            reason="already received: acknowledged, not stored again",
        )
        for m in duplicates[-DEBUG_KEEP:]
    ]
    rows += [
        DebugMessage(
            source=source, received_at=received_at, status=DebugStatus.REJECTED, type=p.type,
            name=p.name, message_id=p.message_id, field=p.field[:100], reason=p.reason,
            payload=p.payload,
        )
        for p in problems[-DEBUG_KEEP:]
    ]
    DebugMessage.objects.bulk_create(rows)
    Source.objects.filter(pk=source.pk).update(
        rejected_count=F("rejected_count") + len(problems),
        duplicate_count=F("duplicate_count") + len(duplicates),
    )
    _prune_debug_log(source)


def _prune_debug_log(source: Source) -> None:
    keep_from = (
        DebugMessage.objects.filter(source=source).order_by("-id")
        .values_list("id", flat=True)[DEBUG_KEEP - 1 : DEBUG_KEEP]
    )
    cutoff = next(iter(keep_from), None)
    if cutoff is not None:
        DebugMessage.objects.filter(source=source, id__lt=cutoff).delete()


def record_rejected_request(
    *, source: Source, problems: Iterable[Problem], received_at: datetime
) -> None:
    """A whole request refused (400) for a known source: log it for the debugger."""
    with transaction.atomic():
        _record_unstored(source, [], list(problems), received_at)

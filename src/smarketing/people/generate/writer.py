"""Bulk inserts with explicit ids: executemany of plain INSERTs in chunked
transactions. The rows are exactly those the services would write, including
past `created_at` values (bulk_create would overwrite them with "now")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.management.color import no_style
from django.db import models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max

from smarketing.people.models import Company, Contact, Identity, StageChange

Row = tuple[Any, ...]
EPOCH = dt.datetime(1970, 1, 1)
SQLITE_LOAD_CACHE_KIB = 512 * 1024


class DbValues:
    """Turns generated values into what the database driver expects."""

    def __init__(self, connection: BaseDatabaseWrapper) -> None:
        self.ops = connection.ops
        self.fast_sqlite = connection.vendor == "sqlite" and connection.timezone_name == "UTC"

    def dt(self, ts: int | None) -> Any:
        if ts is None:
            return None
        if self.fast_sqlite:  # what Django stores: naive UTC text
            return str(EPOCH + dt.timedelta(seconds=ts))
        return self.ops.adapt_datetimefield_value(dt.datetime.fromtimestamp(ts, dt.UTC))

    def json(self, value: Any) -> Any:
        return self.ops.adapt_json_value(value, None)


class Table:
    """An INSERT of the given fields; other concrete fields get their default."""

    def __init__(
        self, model: type[models.Model], names: Sequence[str], connection: BaseDatabaseWrapper
    ) -> None:
        meta = model._meta
        given = [f for name in names for f in meta.concrete_fields if f.name == name]
        if len(given) != len(names):
            raise LookupError(f"{meta.label}: not all of {names} are concrete fields")
        missing = [f for f in meta.concrete_fields if f.name not in names]
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in missing)
        qn = connection.ops.quote_name
        columns = ", ".join(qn(str(f.column)) for f in [*given, *missing])
        marks = ", ".join(["%s"] * (len(given) + len(missing)))
        self.sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"

    def insert(self, cursor: Any, rows: list[Row], batch_size: int) -> None:
        if self.defaults:
            rows = [row + self.defaults for row in rows]
        for start in range(0, len(rows), batch_size):
            cursor.executemany(self.sql, rows[start : start + batch_size])


COMPANY_FIELDS = (
    "id", "created_at", "updated_at", "name", "domain", "industry", "employee_count",
    "annual_revenue", "country", "region", "owner", "properties",
)
CONTACT_FIELDS = (
    "id", "created_at", "updated_at", "email", "first_name", "last_name", "title", "phone",
    "company", "owner", "lifecycle_stage", "lead_status", "lead_status_reason",
    "original_source", "original_campaign", "latest_source", "latest_campaign", "properties",
    "became_subscriber_at", "became_lead_at", "became_mql_at", "became_sql_at",
    "became_opportunity_at", "became_customer_at", "became_evangelist_at",
)
IDENTITY_FIELDS = ("id", "created_at", "updated_at", "contact", "kind", "value")
CHANGE_FIELDS = ("id", "contact", "from_stage", "to_stage", "at", "actor", "cause", "reason")
MODELS: tuple[tuple[type[models.Model], tuple[str, ...]], ...] = (
    (Company, COMPANY_FIELDS), (Contact, CONTACT_FIELDS),
    (Identity, IDENTITY_FIELDS), (StageChange, CHANGE_FIELDS),
)


@dataclass
class Chunk:
    """Rows of one transaction, in insert order (parents first)."""

    rows: dict[type[models.Model], list[Row]] = field(
        default_factory=lambda: {model: [] for model, _ in MODELS}
    )


class Ids:
    """Explicit primary keys, continuing after the rows already there."""

    def __init__(self) -> None:
        self.next = {
            model: (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
            for model, _ in MODELS
        }

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class BulkWriter:
    def __init__(self, connection: BaseDatabaseWrapper, batch_size: int = 5000) -> None:
        self.connection = connection
        self.batch_size = batch_size
        self.tables = {model: Table(model, names, connection) for model, names in MODELS}

    def write(self, chunk: Chunk) -> None:
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            for model, rows in chunk.rows.items():
                self.tables[model].insert(cursor, rows, self.batch_size)

    def reset_sequences(self) -> None:
        """PostgreSQL sequences must move past the explicit ids (SQLite needs nothing)."""
        statements = self.connection.ops.sequence_reset_sql(no_style(), [m for m, _ in MODELS])
        with self.connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


@contextmanager
def load_tuning(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """A bigger SQLite page cache while loading: index pages stay in memory."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size=-{SQLITE_LOAD_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(previous)}")

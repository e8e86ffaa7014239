"""Set-based INSERTs for the hot path of an import: one `executemany` per table and
batch, only the values that need it converted (datetimes, JSON), once per column
(Django's bulk_create prepares every value through its field, which costs more than
the database does)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

Convert = Callable[[Any], Any]


def _datetime_converter() -> Convert:
    if connection.vendor != "sqlite":
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: None if v is None else adapt(v)
    zone = connection.timezone  # what Django's SQLite backend stores: naive text in it

    def to_text(value: Any) -> Any:
        if value is None or value.tzinfo is None:
            return None if value is None else str(value)
        return str(value.astimezone(zone).replace(tzinfo=None))
    return to_text


def _converter(field: models.Field[Any, Any]) -> Convert | None:
    if isinstance(field, models.DateTimeField):
        return _datetime_converter()
    if isinstance(field, models.JSONField):  # what get_db_prep_save does for a dict
        adapt, encoder = connection.ops.adapt_json_value, field.encoder
        empty = adapt({}, encoder)  # most imported rows have no custom properties
        return lambda v: empty if v == {} and isinstance(empty, str) else adapt(v, encoder)
    return None


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert_values(model: type[models.Model], names: list[str],
                  rows: Sequence[Sequence[Any]]) -> None:
    """INSERT plain value rows into the columns of the fields `names` (attnames);
    timestamps with auto_now(_add) are filled in, datetimes and JSON converted."""
    if not rows:
        return
    by_name = {f.attname: f for f in _columns(model)}
    stamped = [f for f in by_name.values() if f.attname not in names
               and (getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False))]
    fields = [by_name[n] for n in names] + stamped
    stamps = (connection.ops.adapt_datetimefield_value(timezone.now()),) * len(stamped)
    converters = [(i, convert) for i, f in enumerate(fields[: len(names)])
                  if (convert := _converter(f)) is not None]
    values = []
    for row in rows:
        converted = list(row)
        for index, convert in converters:
            if converted[index] is not None:
                converted[index] = convert(converted[index])
        values.append((*converted, *stamps))
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _copy(cursor, f"COPY {table} ({columns}) FROM STDIN", values)
            return
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})",
            values)


def insert_ids(model: type[models.Model], names: list[str],
               rows: Sequence[Sequence[Any]], key: str) -> list[int]:
    """insert_values, then the new rows' primary keys in the order of `rows`. On SQLite
    the rows of one INSERT under the write lock get consecutive ids (AUTOINCREMENT),
    the last being last_insert_rowid(): no read-back. Elsewhere they are read back by
    the unique field `key` (the attname at the same position in `names`)."""
    insert_values(model, names, rows)
    if not rows:
        return []
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
        return list(range(last - len(rows) + 1, last + 1))
    position = names.index(key)
    ids = ids_by(model, key, [row[position] for row in rows])
    return [ids[row[position]] for row in rows]


def _copy(cursor: Any, sql: str, values: list[tuple[Any, ...]]) -> None:
    """PostgreSQL's bulk load (psycopg's COPY FROM STDIN): the server parses one stream
    instead of executing the INSERT once a row; constraints and triggers apply as for
    an INSERT."""
    with cursor.cursor.copy(sql) as copy:
        for row in values:
            copy.write_row(row)


def ids_by(model: type[models.Model], field: str, keys: Sequence[str]) -> dict[str, int]:
    """key -> primary key of the rows whose `field` is one of `keys` (plain SQL: an
    ORM `__in` prepares every key through the field, which costs more than the query)."""
    by_name = {f.name: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    table, column = quote(model._meta.db_table), quote(str(by_name[field].column))
    pk = quote(str(by_name["id"].column))
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(keys), 900):
            chunk = list(keys[start:start + 900])
            cursor.execute(f"SELECT {column}, {pk} FROM {table} "  # noqa: S608 - quoted names
                           f"WHERE {column} IN ({', '.join(['%s'] * len(chunk))})", chunk)
            found.update(cursor.fetchall())
    return found

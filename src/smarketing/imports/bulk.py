"""Set-based INSERTs for the hot path of an import: one `executemany` per table and
batch, values converted once per column type (Django's bulk_create prepares every
value through its field, which costs more than the database does)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

Convert = Callable[[Any], Any]


def _converter(field: models.Field[Any, Any]) -> Convert:
    if isinstance(field, models.DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda v: None if v is None else adapt(v)
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return lambda v: v


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT the unsaved `objects` (their primary keys are not read back)."""
    if not objects:
        return
    fields = _columns(model)
    now = timezone.now()
    stamped = [f for f in fields if getattr(f, "auto_now", False)
               or getattr(f, "auto_now_add", False)]
    for obj in objects:
        for field in stamped:
            setattr(obj, field.attname, now)
    converters = [(f.attname, _converter(f)) for f in fields]
    rows = [tuple(convert(getattr(obj, name)) for name, convert in converters)
            for obj in objects]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(str(f.column)) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


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
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    converters = [_converter(f) for f in fields[: len(names)]]
    values = [(*(convert(v) for convert, v in zip(converters, row, strict=True)),
               *([now] * len(stamped))) for row in rows]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(str(f.column)) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)

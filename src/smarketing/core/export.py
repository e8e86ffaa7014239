"""Streaming CSV export: the one helper every list's export uses (UI and API).

`queryset_csv(filename, qs, columns)` streams a filtered queryset as CSV with
StreamingHttpResponse: rows come from `values_list(...).iterator()` in chunks,
so memory stays flat however large the table. A Column names its header and
the ORM path it reads (`company__name`), with an optional formatter.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import StreamingHttpResponse

CHUNK = 2000
PLAIN = frozenset({str, int, float, bool})


@dataclass(frozen=True)
class Column:
    header: str
    path: str = ""  # ORM path; defaults to the header
    format: Callable[[Any], Any] | None = None

    @property
    def lookup(self) -> str:
        return self.path or self.header


def cell(value: Any) -> Any:
    """A CSV cell: ISO dates, plain decimals, JSON for dicts and lists, '' for None."""
    if type(value) in PLAIN:  # most cells: written as they are, no conversion to find
        return value
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return value


class _Echo:
    """A file-like object whose write returns the line, for csv.writer."""

    def write(self, value: str) -> str:
        return value


LINES_PER_WRITE = 500  # lines joined per chunk: one socket write each, not one per line


def csv_lines(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(headers)
    lines: list[str] = []
    for row in rows:
        lines.append(writer.writerow([cell(value) for value in row]))
        if len(lines) == LINES_PER_WRITE:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)


def csv_response(
    filename: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """A streamed CSV download: rows are written as they are read, never all in memory."""
    response = StreamingHttpResponse(
        csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def queryset_rows(qs: QuerySet[Any], columns: Sequence[Column]) -> Iterator[list[Any]]:
    values = qs.values_list(*(c.lookup for c in columns)).iterator(chunk_size=CHUNK)
    for row in values:
        yield [c.format(v) if c.format else v for c, v in zip(columns, row, strict=True)]


def queryset_csv(
    filename: str, qs: QuerySet[Any], columns: Sequence[Column]
) -> StreamingHttpResponse:
    return csv_response(filename, [c.header for c in columns], queryset_rows(qs, columns))

"""List ordering and pagination shared by every app's lists: a `sort` parameter checked
against a whitelist that maps each accepted value to its ORDER BY columns, and
`limit`/`offset` pages answered as {"items", "count"} (the API's list shape)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from django.db.models import QuerySet

from smarketing.core.errors import ValidationFailed


def check_sort(sort: str, allowed: Mapping[str, Sequence[Any]]) -> tuple[Any, ...]:
    """The ORDER BY columns of `sort` (names, or expressions such as
    `F("closed_at").desc(nulls_last=True)` where NULLs must sort alike on SQLite and
    PostgreSQL); a value outside `allowed` is a 422 naming `sort`."""
    if sort not in allowed:
        raise ValidationFailed(f"sort: use one of {', '.join(allowed)}", field="sort")
    return tuple(allowed[sort])


def both_ways(*columns: str) -> dict[str, tuple[str, ...]]:
    """`sort` values `name` and `-name` for each column (for check_sort), the id
    breaking ties the same way (a stable page order)."""
    sorts: dict[str, tuple[str, ...]] = {}
    for name in columns:
        tie = () if name == "id" else ("id",)
        sorts[name] = (name, *tie)
        sorts[f"-{name}"] = (f"-{name}", *(f"-{column}" for column in tie))
    return sorts


MAX_LIMIT = 500


def page(qs: QuerySet[Any], *, limit: int, offset: int) -> tuple[list[Any], bool]:
    """One page and whether another follows, without counting the whole table."""
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationFailed(f"limit: use 1 to {MAX_LIMIT}", field="limit")
    if offset < 0:
        raise ValidationFailed("offset: must be >= 0", field="offset")
    rows = list(qs[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


def listing(
    qs: QuerySet[Any], *, limit: int, offset: int, count_cap: int | None = None
) -> dict[str, Any]:
    """A list answer: {"items": one page, "count": the matching rows}.

    With `count_cap` (for tables too large to count on every page, such as events)
    counting stops at the cap: `count` is then at most `count_cap` and
    `count_exact` tells whether it is the whole number.
    """
    items, _ = page(qs, limit=limit, offset=offset)
    if count_cap is None:
        return {"items": items, "count": qs.count()}
    counted = qs.order_by()[: count_cap + 1].count()
    return {"items": items, "count": min(counted, count_cap), "count_exact": counted <= count_cap}


def matching(qs: QuerySet[Any], **equals: Any) -> QuerySet[Any]:
    """Rows whose columns equal the given values; a value of None filters nothing (a
    list parameter left out)."""
    return qs.filter(**{column: value for column, value in equals.items() if value is not None})


def in_range(
    qs: QuerySet[Any], column: str, start: date | None, end: date | None
) -> QuerySet[Any]:
    """Rows whose `column` lies in [start, end) (a side left out is open): dates for a
    date column, times for a time column (a time given without a zone is UTC); an `end`
    not after `start` is a 422 naming `end`."""
    start, end = _utc(start), _utc(end)
    if start is not None and end is not None and end <= start:
        raise ValidationFailed("end: must be after start", field="end")
    if start is not None:
        qs = qs.filter(**{f"{column}__gte": start})
    return qs if end is None else qs.filter(**{f"{column}__lt": end})


def _utc(value: date | None) -> date | None:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value

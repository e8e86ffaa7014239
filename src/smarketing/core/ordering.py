"""List ordering shared by every app's list selectors: a `sort` parameter checked
against a whitelist that maps each accepted value to its ORDER BY columns."""

from __future__ import annotations

from collections.abc import Mapping

from smarketing.core.errors import ValidationFailed


def check_sort(sort: str, allowed: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The ORDER BY columns of `sort`; a value outside `allowed` is a 422 naming `sort`."""
    if sort not in allowed:
        raise ValidationFailed(f"sort: use one of {', '.join(allowed)}", field="sort")
    return allowed[sort]

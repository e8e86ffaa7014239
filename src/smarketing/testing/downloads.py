"""Reading a streamed CSV export in tests: its header checked, its rows as dicts."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from typing import Any

from smarketing.core.export import Column


def csv_rows(response: Any, columns: Sequence[Column]) -> list[dict[str, str]]:
    """The rows of a 200 text/csv streamed response whose header row is `columns`'."""
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert next(csv.reader(lines[:1])) == [c.header for c in columns]
    return list(csv.DictReader(lines))

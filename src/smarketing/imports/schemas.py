"""REST shapes of imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema


class ImportOut(Schema):
    id: int
    kind: str
    file_name: str
    preset: str
    status: str
    dry_run: bool
    on_duplicate: str
    encoding: str
    encoding_note: str
    total_rows: int | None
    rows_done: int
    created: int
    updated: int
    skipped: int
    errors: int
    message: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ImportList(Schema):
    items: list[ImportOut]
    count: int


class IssueOut(Schema):
    line: int
    column: str
    reason: str


class PreviewRow(Schema):
    line: int
    error: str
    values: dict[str, Any]


class PreviewOut(Schema):
    kind: str
    preset: str
    encoding: str
    encoding_note: str
    columns: dict[str, str]
    ignored: list[str]
    rows: list[PreviewRow]

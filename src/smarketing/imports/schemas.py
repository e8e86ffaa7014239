"""REST shapes of imports."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema

from smarketing.core.schemas import PageQuery
from smarketing.imports.models import ImportKind, ImportStatus


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


class ImportQuery(PageQuery):
    status: ImportStatus | None = None
    kind: ImportKind | None = None
    dry_run: bool | None = None
    q: str = Field("", description="File name contains (any case).")
    sort: str = Field("-created_at", description="created_at, file_name, errors, "
                      "finished_at (unfinished last); - descends")


class IssueOut(Schema):
    line: int
    column: str
    reason: str


class IssueList(Schema):
    items: list[IssueOut]
    count: int


class IssueQuery(PageQuery):
    column: str | None = Field(None, description="The file's column (exact); empty: the "
                               "issues of a whole row")
    line_from: int | None = Field(None, description="First line (included)")
    line_to: int | None = Field(None, description="Last line (included)")
    q: str = Field("", description="Reason contains (any case).")
    sort: str = Field("line", description="line or column; - descends")


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

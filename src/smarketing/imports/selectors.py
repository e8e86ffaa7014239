"""Reads for import runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import F, QuerySet

from smarketing.core.errors import NotFound, ValidationFailed
from smarketing.core.ordering import both_ways, check_sort, matching
from smarketing.core.roles import is_admin
from smarketing.imports.models import ImportIssue, ImportRun

# newest first by default; runs not finished yet sort last by finished_at either way
RUN_SORTS: dict[str, tuple[Any, ...]] = {
    **both_ways("created_at", "file_name", "errors"),
    "finished_at": (F("finished_at").asc(nulls_last=True), "id"),
    "-finished_at": (F("finished_at").desc(nulls_last=True), "-id"),
}


def runs_for(
    user: Any, *, status: str = "", kind: str = "", dry_run: bool | None = None,
    q: str = "", sort: str = "-created_at",
) -> QuerySet[ImportRun]:
    """Admins see every import; others see the ones they started (newest first by
    default); `q`: the file name contains it (any case)."""
    runs = ImportRun.objects.order_by(*check_sort(sort, RUN_SORTS))
    if q.strip():
        runs = runs.filter(file_name__icontains=q.strip())
    if status:
        runs = runs.filter(status=status)
    if kind:
        runs = runs.filter(kind=kind)
    if dry_run is not None:
        runs = runs.filter(dry_run=dry_run)
    return runs if is_admin(user) else runs.filter(actor=user)


def run_get_for_user(*, user: Any, run_id: int) -> ImportRun:
    run = runs_for(user).filter(pk=run_id).first()
    if run is None:
        raise NotFound("import: no such import", field="id")
    return run


ISSUE_SORTS = {
    "line": ("line", "id"), "-line": ("-line", "-id"),
    "column": ("column", "line", "id"), "-column": ("-column", "-line", "-id"),
}


def issue_list(
    run: ImportRun, *, column: str | None = None, line_from: int | None = None,
    line_to: int | None = None, q: str = "", sort: str = "line",
) -> QuerySet[ImportIssue]:
    """The run's rejected rows: of one file `column` (exact; "" the row-level ones), on
    the lines `line_from` to `line_to` (both included), whose reason contains `q` (any
    case); a range ending before it starts is a 422 naming `line_to`."""
    if line_from is not None and line_to is not None and line_to < line_from:
        raise ValidationFailed("line_to: must not be before line_from", field="line_to")
    qs = matching(run.issues.order_by(*check_sort(sort, ISSUE_SORTS)), column=column,
                  line__gte=line_from, line__lte=line_to)
    return qs.filter(reason__icontains=q.strip()) if q.strip() else qs


def failed_rows(run: ImportRun) -> Iterator[list[str]]:
    """The header, then each rejected row's values with an `error` column added."""
    from pathlib import Path

    from smarketing.core.tabular import open_table

    header: list[str] = []
    path = Path(run.file_path)
    if path.is_file():
        table = open_table(path)
        header = table.header
        table.close()
    yield [*header, "error"]
    for issue in run.issues.order_by("line", "id").iterator():
        values = list(issue.values)[: len(header)] if header else list(issue.values)
        values += [""] * (len(header) - len(values))
        yield [*values, f"line {issue.line}, column {issue.column}: {issue.reason}"]


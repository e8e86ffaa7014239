"""/api/v1/imports: upload a file to import (run by the worker), watch its progress,
download its failed rows as CSV, or preview the first rows with the mapping applied."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from smarketing.imports.downloads import errors_csv
from smarketing.imports.models import ImportRun
from smarketing.imports.permissions import check_can_import
from smarketing.imports.preview import preview
from smarketing.imports.schemas import (
    ImportList,
    ImportOut,
    ImportQuery,
    IssueList,
    IssueQuery,
    PreviewOut,
)
from smarketing.imports.selectors import issue_list, run_get_for_user, runs_for
from smarketing.imports.services import (
    choose_mapping,
    import_queue,
    parse_mapping,
    store_upload,
)

router = Router(tags=["imports"])


@router.post("", response={201: ImportOut}, summary="Upload a file and queue its import")
def imports_create(
    request: HttpRequest, file: File[UploadedFile], kind: Form[str] = "",
    mapping: Form[str] = "", on_duplicate: Form[str] = "update", dry_run: Form[bool] = False,
) -> Any:
    """`kind` may be empty when a preset recognises the header; `mapping` is the
    mapping YAML (docs/import.md). The worker (`smarketing worker`) runs the import."""
    check_can_import(request.user)
    path = store_upload(name=file.name or "upload.csv", chunks=file.chunks())
    run = import_queue(actor=request.user, path=path, kind=kind, mapping_text=mapping,
                       on_duplicate=on_duplicate, dry_run=dry_run,
                       file_name=file.name or path.name)
    return Status(201, run)


@router.post("/preview", response=PreviewOut, summary="Preview the first rows, mapped")
def imports_preview(request: HttpRequest, file: File[UploadedFile], kind: Form[str] = "",
                    mapping: Form[str] = "") -> Any:
    check_can_import(request.user)
    path = store_upload(name=file.name or "upload.csv", chunks=file.chunks())
    try:
        chosen, resolved = choose_mapping(path, kind, parse_mapping(mapping))
        return preview(path=path, kind=chosen, mapping=resolved, actor=request.user)
    finally:
        path.unlink(missing_ok=True)


@router.get("", response=ImportList, summary="List imports (newest first; filters, sort)")
def imports_list(request: HttpRequest, query: Query[ImportQuery]) -> Any:
    filters = query.filters()
    filters.update(status=query.status or "", kind=query.kind or "")
    return query.page_of(runs_for(request.user, **filters))


@router.get("/{run_id}", response=ImportOut, summary="An import's progress and result")
def imports_get(request: HttpRequest, run_id: int) -> ImportRun:
    return run_get_for_user(user=request.user, run_id=run_id)


@router.get("/{run_id}/issues", response=IssueList,
           summary="Rejected rows (filters: column, lines, reason; sort)")
def imports_issues(request: HttpRequest, run_id: int, query: Query[IssueQuery]) -> Any:
    run = run_get_for_user(user=request.user, run_id=run_id)
    return query.page_of(issue_list(run, **query.filters()))


@router.get("/{run_id}/errors.csv", summary="The failed rows as CSV, with an error column")
def imports_errors_csv(request: HttpRequest, run_id: int) -> StreamingHttpResponse:
    run = run_get_for_user(user=request.user, run_id=run_id)
    return errors_csv(run)

"""Import pages: upload with options, preview with the mapping applied, run (by the
worker), live progress (HTMX polling), failed rows download."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from smarketing.core.errors import DomainError, NotFound
from smarketing.imports.downloads import errors_csv
from smarketing.imports.kinds import KINDS
from smarketing.imports.models import ImportRun, ImportStatus, OnDuplicate
from smarketing.imports.permissions import can_import
from smarketing.imports.preview import preview
from smarketing.imports.selectors import run_get_for_user, runs_for
from smarketing.imports.services import import_draft, import_start, mapping_of, store_upload


def _require_importer(request: HttpRequest) -> None:
    if not can_import(request.user):
        raise PermissionDenied("Your role may not import data.")


def _run(request: HttpRequest, run_id: int) -> ImportRun:
    try:
        return run_get_for_user(user=request.user, run_id=run_id)
    except NotFound as exc:
        raise Http404(str(exc)) from exc


def _page(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "imports/import_list.html", {
        "runs": runs_for(request.user)[:50], "kinds": list(KINDS), "error": error,
    }, status=status)


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    if request.method != "POST":
        return _page(request)
    upload = request.FILES.get("file")
    if upload is None:
        return _page(request, "file: choose a CSV or XLSX file", 400)
    path = store_upload(name=upload.name or "upload.csv", chunks=upload.chunks())
    try:
        run = import_draft(actor=request.user, path=path, kind=request.POST.get("kind", ""),
                           mapping_text=request.POST.get("mapping", ""),
                           file_name=upload.name or "")
    except DomainError as exc:
        path.unlink(missing_ok=True)
        return _page(request, exc.message, 400)
    return redirect("imports:detail", run_id=run.pk)


def _preview(run: ImportRun, actor: Any) -> Any:
    from pathlib import Path

    try:
        return preview(path=Path(run.file_path), kind=run.kind, mapping=mapping_of(run),
                       actor=actor)
    except DomainError:
        return None


@login_required
@require_GET
def import_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    shown = _preview(run, request.user) if run.status == ImportStatus.DRAFT else None
    return render(request, "imports/import_detail.html", {
        "run": run, "preview": shown, "choices": OnDuplicate.choices,
        "issues": run.issues.all()[:100],
    })


@login_required
@require_POST
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    _require_importer(request)
    run = _run(request, run_id)
    try:
        run = import_start(run=run, actor=request.user,
                           on_duplicate=request.POST.get("on_duplicate", OnDuplicate.UPDATE),
                           dry_run=request.POST.get("dry_run") == "on")
    except DomainError as exc:
        raise Http404(exc.message) from exc
    return redirect("imports:detail", run_id=run.pk)


@login_required
@require_GET
def import_progress(request: HttpRequest, run_id: int) -> HttpResponse:
    run = _run(request, run_id)
    return render(request, "imports/_progress.html", {
        "run": run, "issues": run.issues.all()[:100]})


@login_required
@require_GET
def import_errors_csv(request: HttpRequest, run_id: int) -> StreamingHttpResponse:
    run = _run(request, run_id)
    return errors_csv(run)

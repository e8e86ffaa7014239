"""Starting, resuming and running imports."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from smarketing.core.errors import ValidationFailed
from smarketing.core.events import publish
from smarketing.core.jobs import enqueue
from smarketing.core.tabular import inspect_file, open_table
from smarketing.imports.engine import Progress, Result, execute
from smarketing.imports.kinds import KINDS
from smarketing.imports.mapping import Mapping, mapping_from_dict, mapping_from_yaml
from smarketing.imports.models import ImportRun, ImportStatus, OnDuplicate
from smarketing.imports.presets import BY_NAME, detect

UPLOADS = "imports"


def choose_mapping(path: Path, kind: str, mapping: Mapping | None) -> tuple[str, Mapping]:
    """The kind and mapping to use: the given mapping, else a preset for the header."""
    if mapping is not None:
        chosen = kind or mapping.kind
    else:
        table = open_table(path)
        table.close()
        preset = detect(table.header)
        mapping = preset.mapping() if preset and (not kind or preset.kind == kind) else Mapping()
        chosen = kind or mapping.kind
    if chosen not in KINDS:
        raise ValidationFailed(
            f"kind: give one of {', '.join(KINDS)} (no preset recognised the header)",
            field="kind")
    return chosen, mapping


def parse_mapping(text: str | dict[str, Any] | None) -> Mapping | None:
    if text is None or text == "":
        return None
    return mapping_from_dict(text) if isinstance(text, dict) else mapping_from_yaml(text)


def _check_options(on_duplicate: str) -> None:
    if on_duplicate not in OnDuplicate.values:
        raise ValidationFailed(f"on_duplicate: use one of {', '.join(OnDuplicate.values)}",
                               field="on_duplicate")


@transaction.atomic
def import_prepare(*, actor: Any, path: Path, kind: str = "", mapping: Mapping | None = None,
                   on_duplicate: str = OnDuplicate.UPDATE, dry_run: bool = False,
                   file_name: str = "") -> tuple[ImportRun, Mapping]:
    """The run for this file and options: an unfinished one to resume, or a new one."""
    _check_options(on_duplicate)
    if not path.is_file():
        raise ValidationFailed(f"file: {path} does not exist", field="file")
    facts = inspect_file(path)
    kind, mapping = choose_mapping(path, kind, mapping)
    key = mapping.key(kind, on_duplicate)
    if not dry_run:
        unfinished = ImportRun.objects.filter(
            file_sha256=facts.sha256, kind=kind, options_key=key, dry_run=False,
            status__in=[ImportStatus.RUNNING, ImportStatus.QUEUED, ImportStatus.FAILED],
        ).order_by("-id").first()
        if unfinished is not None:
            return unfinished, mapping
    run = ImportRun.objects.create(
        kind=kind, file_name=file_name or path.name, file_path=str(path),
        file_sha256=facts.sha256, options_key=key, preset=mapping.preset,
        mapping=mapping.as_dict(), on_duplicate=on_duplicate, dry_run=dry_run,
        encoding=facts.encoding, actor=actor if getattr(actor, "pk", None) else None,
    )
    return run, mapping


def import_file(*, actor: Any, path: Path, kind: str = "", mapping: Mapping | None = None,
                on_duplicate: str = OnDuplicate.UPDATE, dry_run: bool = False,
                progress: Progress | None = None) -> Result:
    """Import (or resume importing) a file; returns the run and, for a dry run, each
    row's outcome."""
    run, mapping = import_prepare(actor=actor, path=path, kind=kind, mapping=mapping,
                                  on_duplicate=on_duplicate, dry_run=dry_run)
    return run_import(run=run, mapping=mapping, progress=progress)


def run_import(*, run: ImportRun, mapping: Mapping, progress: Progress | None = None) -> Result:
    try:
        result = execute(run, Path(run.file_path), mapping, progress)
    except ValidationFailed as exc:
        ImportRun.objects.filter(pk=run.pk).update(status=ImportStatus.FAILED,
                                                   message=exc.message[:1000])
        run.refresh_from_db()
        _announce(run)
        raise
    _announce(run)
    return result


def _announce(run: ImportRun) -> None:
    """The `import.finished` event of a run that ended (finished or failed)."""
    publish("import.finished", f"import.finished:{run.pk}", {
        "import_id": run.pk, "kind": run.kind, "file_name": run.file_name,
        "status": run.status, "dry_run": run.dry_run, "rows": run.total_rows,
        "created": run.created, "updated": run.updated, "skipped": run.skipped,
        "errors": run.errors, "started_at": _iso(run.started_at),
        "finished_at": _iso(run.finished_at), "actor_id": run.actor_id,
    })


def _iso(at: Any) -> str | None:
    return at.isoformat() if at else None


def store_upload(*, name: str, chunks: Any) -> Path:
    """Keep an uploaded file under the data directory (imports run from files)."""
    folder = Path(settings.MEDIA_ROOT) / UPLOADS
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c for c in Path(name).name if c.isalnum() or c in "._-")[-100:] or "upload"
    path = folder / f"{uuid.uuid4().hex}-{safe}"
    with path.open("wb") as out:
        for chunk in chunks:
            out.write(chunk)
    return path


def import_queue(*, actor: Any, path: Path, kind: str = "", mapping_text: str = "",
                 on_duplicate: str = OnDuplicate.UPDATE, dry_run: bool = False,
                 file_name: str = "") -> ImportRun:
    """Prepare a run for the worker (smarketing worker runs it: job imports.run)."""
    mapping = parse_mapping(mapping_text)
    run, _ = import_prepare(actor=actor, path=path, kind=kind, mapping=mapping,
                            on_duplicate=on_duplicate, dry_run=dry_run, file_name=file_name)
    enqueue("imports.run", {"run_id": run.pk}, dedupe_key=f"import-{run.pk}-{run.rows_done}")
    return run


def mapping_of(run: ImportRun) -> Mapping:
    """The mapping a run was prepared with (as stored on it)."""
    data = dict(run.mapping)
    if data.get("preset") in BY_NAME:
        return BY_NAME[data["preset"]].mapping()
    columns = dict(data.get("columns") or {})
    return mapping_from_dict({
        "columns": {k: {"field": c["field"], "separator": c.get("separator", ""),
                        "date_format": c.get("date_format", "")} for k, c in columns.items()},
        "values": data.get("values") or {}, "defaults": data.get("defaults") or {},
        "date_formats": data.get("date_formats") or [],
        "create_missing": data.get("create_missing") or [], "system": data.get("system"),
        "kind": data.get("kind") or "",
    })


@transaction.atomic
def import_draft(*, actor: Any, path: Path, kind: str = "", mapping_text: str = "",
                 file_name: str = "") -> ImportRun:
    """An uploaded file waiting for its options (the page previews it first)."""
    mapping = parse_mapping(mapping_text)
    facts = inspect_file(path)
    kind, mapping = choose_mapping(path, kind, mapping)
    return ImportRun.objects.create(
        kind=kind, file_name=file_name or path.name, file_path=str(path),
        file_sha256=facts.sha256, options_key="", preset=mapping.preset,
        mapping=mapping.as_dict(), encoding=facts.encoding, status=ImportStatus.DRAFT,
        actor=actor if getattr(actor, "pk", None) else None,
    )


@transaction.atomic
def import_start(*, run: ImportRun, actor: Any, on_duplicate: str = OnDuplicate.UPDATE,
                 dry_run: bool = False) -> ImportRun:
    """Queue a draft with its options; an unfinished run of the same file and options
    is resumed instead (the draft is dropped)."""
    _check_options(on_duplicate)
    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.status != ImportStatus.DRAFT:
        raise ValidationFailed("status: this import has started already", field="status")
    key = mapping_of(run).key(run.kind, on_duplicate)
    unfinished = None if dry_run else ImportRun.objects.filter(
        file_sha256=run.file_sha256, kind=run.kind, options_key=key, dry_run=False,
        status__in=[ImportStatus.RUNNING, ImportStatus.QUEUED, ImportStatus.FAILED],
    ).order_by("-id").first()
    if unfinished is not None:
        run.delete()
        run = unfinished
    else:
        run.on_duplicate, run.dry_run, run.options_key = on_duplicate, dry_run, key
        run.status = ImportStatus.QUEUED
        run.save()
    enqueue("imports.run", {"run_id": run.pk}, dedupe_key=f"import-{run.pk}-{run.rows_done}")
    return run

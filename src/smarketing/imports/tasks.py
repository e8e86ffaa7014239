"""The worker job that runs an import prepared by the UI or the API."""

from __future__ import annotations

from typing import Any

from smarketing.imports.models import ImportRun, ImportStatus
from smarketing.imports.services import mapping_of, run_import


def run_import_job(payload: dict[str, Any]) -> None:
    run = ImportRun.objects.filter(pk=payload["run_id"]).first()
    if run is None or run.status in (ImportStatus.FINISHED, ImportStatus.DRAFT):
        return
    run_import(run=run, mapping=mapping_of(run))

"""The failed rows of an import as a download (the API and the import page share it)."""

from __future__ import annotations

from django.http import StreamingHttpResponse

from smarketing.core.export import csv_response
from smarketing.imports.models import ImportRun
from smarketing.imports.selectors import failed_rows


def errors_csv(run: ImportRun) -> StreamingHttpResponse:
    """The rejected rows with an `error` column, streamed, ready to fix and import again."""
    rows = failed_rows(run)
    header = next(rows)
    return csv_response(f"import-{run.pk}-errors.csv", header, rows)

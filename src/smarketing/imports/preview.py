"""The first rows of a file with the mapping applied (the page and the API show it
before an import runs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from smarketing.core.tabular import open_table
from smarketing.imports.engine import Batcher, context_for
from smarketing.imports.kinds import KINDS
from smarketing.imports.kinds.base import Outcome
from smarketing.imports.mapping import Mapping
from smarketing.imports.models import ImportRun


@dataclass
class Preview:
    kind: str
    preset: str
    encoding: str
    encoding_note: str
    columns: dict[str, str]  # file column -> field
    ignored: list[str]
    rows: list[dict[str, Any]] = field(default_factory=list)


def _shown(data: Any) -> dict[str, Any]:
    values = data.model_dump(exclude_defaults=True)
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


def preview(*, path: Path, kind: str, mapping: Mapping, actor: Any, limit: int = 10) -> Preview:
    """Map and validate the first `limit` rows (nothing is written)."""
    table = open_table(path)
    try:
        run = ImportRun(kind=kind, actor=actor if getattr(actor, "pk", None) else None)
        ctx = context_for(run, mapping, KINDS[kind], table.header)
        batcher = Batcher(KINDS[kind], ctx)
        rows = []
        for _, (line, values) in zip(range(limit), table.rows, strict=False):
            item = batcher.row(line, values)
            rows.append({"line": line, "error": f"{item.column}: {item.reason}",
                         "values": {}} if isinstance(item, Outcome) else
                        {"line": line, "error": "", "values": _shown(item.data)})
    finally:
        table.close()
    columns = {ctx.resolved.header[i]: rule.field for i, rule in ctx.resolved.by_index.items()}
    return Preview(kind=kind, preset=mapping.preset, encoding=table.encoding,
                   encoding_note=table.encoding_note, columns=columns,
                   ignored=ctx.resolved.ignored, rows=rows)

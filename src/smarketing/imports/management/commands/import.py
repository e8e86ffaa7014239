"""smarketing import KIND FILE [--mapping MAPPING.yaml] [--dry-run] [--on-duplicate ...]"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from smarketing.core.errors import DomainError
from smarketing.imports.kinds import KINDS
from smarketing.imports.models import ImportRun, OnDuplicate
from smarketing.imports.selectors import failed_rows
from smarketing.imports.services import import_file, parse_mapping

AUTO = "auto"


class Command(BaseCommand):
    help = ("Import companies, contacts, deals, line items, activities, campaigns, campaign "
            "costs or channel metrics from CSV or XLSX (resumable; see docs/import.md).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[AUTO, *KINDS],
                            help="What the file holds ('auto': recognise a preset's header).")
        parser.add_argument("file", type=Path)
        parser.add_argument("--mapping", type=Path, help="A mapping YAML file.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Report what would happen row by row; write nothing.")
        parser.add_argument("--on-duplicate", default=OnDuplicate.UPDATE,
                            choices=OnDuplicate.values)
        parser.add_argument("--user", default="", help="Acting user (default: first admin).")
        parser.add_argument("--errors", type=Path,
                            help="Write the failed rows (with an error column) to this CSV.")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        mapping = None
        if options["mapping"]:
            try:
                mapping = parse_mapping(options["mapping"].read_text(encoding="utf-8"))
            except OSError as exc:
                raise CommandError(f"{options['mapping']}: {exc.strerror}") from exc
        bar = self._bar(options)
        try:
            result = import_file(
                actor=_actor(options["user"]), path=options["file"],
                kind="" if options["kind"] == AUTO else options["kind"], mapping=mapping,
                on_duplicate=options["on_duplicate"], dry_run=options["dry_run"],
                progress=bar.update if bar else None,
            )
        except DomainError as exc:
            raise CommandError(f"{options['file']}: {exc.message}; nothing imported") from exc
        finally:
            if bar:
                bar.close()
        self._report(result.run, result.outcomes, options)

    def _bar(self, options: dict[str, Any]) -> _Bar | None:
        return None if options["no_progress"] else _Bar()

    def _report(self, run: ImportRun, outcomes: list[Any], options: dict[str, Any]) -> None:
        if run.dry_run:
            for o in outcomes:
                detail = f" {o.column}: {o.reason}" if o.column else (
                    f" {o.reason}" if o.reason else "")
                self.stdout.write(f"line {o.line}: {o.result}{detail}")
        if run.encoding_note:
            self.stdout.write(f"Encoding: {run.encoding_note}")
        what = "Would import" if run.dry_run else "Imported"
        self.stdout.write(
            f"{what} {run.kind} from {run.file_name} (run {run.pk}"
            f"{', preset ' + run.preset if run.preset else ''}): {run.created:,} created, "
            f"{run.updated:,} updated, {run.skipped:,} skipped, {run.errors:,} errors.")
        if not run.dry_run:
            for issue in run.issues.all()[:20]:
                self.stdout.write(f"  line {issue.line}, column {issue.column}: {issue.reason}")
        if options["errors"] and not run.dry_run:
            with options["errors"].open("w", newline="", encoding="utf-8") as out:
                writer = csv.writer(out)
                for values in failed_rows(run):
                    writer.writerow(values)
            self.stdout.write(f"Failed rows written to {options['errors']}.")


class _Bar:
    """tqdm over data rows: rows/s and ETA."""

    def __init__(self) -> None:
        self.bar: tqdm[Any] | None = None
        self.started = time.monotonic()

    def update(self, run: ImportRun) -> None:
        if self.bar is None:
            self.bar = tqdm(total=run.total_rows, unit="rows", file=sys.stderr,
                            initial=0, dynamic_ncols=True)
        self.bar.n = run.rows_done
        self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _actor(username: str) -> Any:
    users = get_user_model().objects
    if username:
        user = users.filter(username=username).first()
        if user is None:
            raise CommandError(f"--user: no user {username!r}")
        return user
    return users.filter(is_superuser=True).order_by("id").first()

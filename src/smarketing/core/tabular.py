"""Reading tabular files as a stream of rows: the one CSV/XLSX reader of the project.

- Encodings: UTF-8 (with or without BOM), UTF-16 (Excel's "Unicode text", with or
  without BOM); anything that is not valid UTF-8 is read as cp1252 (latin-1 when a
  byte is undefined in cp1252) and the table says so (`fallback`), so callers can
  report the guess.
- Delimiters: `,` `;` tab `|`, found by csv.Sniffer on the first lines (falling back
  to the most frequent one in the header); quoted newlines, CRLF and trailing
  delimiters (empty last header cells) are handled by the csv module.
- XLSX: the first sheet, streamed by openpyxl in read-only mode; dates become ISO
  text, whole floats become integers.
Every row comes with the line number where its record starts (line 1 is the
header; a quoted newline makes the next record start further down).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from smarketing.core.errors import ValidationFailed

DELIMITERS = ",;\t|"
SAMPLE_BYTES = 64 * 1024
CHUNK = 1 << 20
CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    """A header and the rows after it: (line number, values) pairs."""

    header: list[str]
    rows: Iterator[tuple[int, list[str]]]
    encoding: str = "utf-8"
    fallback: bool = False
    delimiter: str = ","
    closers: list[IO[Any]] = field(default_factory=list)

    def close(self) -> None:
        for handle in self.closers:
            handle.close()

    @property
    def encoding_note(self) -> str:
        if self.fallback:
            return f"not UTF-8: read as {self.encoding} (check accented letters)"
        return ""


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    encoding: str
    fallback: bool
    xlsx: bool


def _bom_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] != 0:
        return "utf-16-be"
    return ""


def inspect_file(path: Path) -> FileFacts:
    """Hash the file and find its encoding in one streaming pass."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, undefined = True, False
    with path.open("rb") as handle:
        head = handle.read(4)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            if utf8:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8 = False
            if not utf8 and not undefined:
                undefined = any(b in CP1252_UNDEFINED for b in chunk)
    if head.startswith(ZIP_MAGIC):
        return FileFacts(digest.hexdigest(), "xlsx", False, True)
    encoding = _bom_encoding(head)
    if encoding or utf8:
        return FileFacts(digest.hexdigest(), encoding or "utf-8", False, False)
    return FileFacts(digest.hexdigest(), "latin-1" if undefined else "cp1252", True, False)


def _delimiter(sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first = sample.split("\n", 1)[0]
        return max(DELIMITERS, key=first.count) if any(d in first for d in DELIMITERS) else ","


def _records(reader: Any) -> Iterator[tuple[int, list[str]]]:
    start = reader.line_num + 1
    for values in reader:
        if "".join(values).strip():  # not a blank line (any(v.strip()...), faster)
            yield start, values
        start = reader.line_num + 1


def _csv_table(handle: IO[str], encoding: str, fallback: bool) -> Table:
    sample = handle.read(SAMPLE_BYTES)
    handle.seek(0)
    delimiter = _delimiter(sample.lstrip("\ufeff"))
    reader = csv.reader(handle, delimiter=delimiter)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ValidationFailed(f"line 1: {exc}", field="file") from exc
    if not header:
        raise ValidationFailed("line 1: the file is empty", field="file")
    header = [h.strip().lstrip("\ufeff") for h in header]
    while header and not header[-1]:
        header.pop()
    return Table(header, _records(reader), encoding, fallback, delimiter, [handle])


def table_from_text(text: str) -> Table:
    """A CSV already decoded (an API body, a form field)."""
    return _csv_table(io.StringIO(text.lstrip("\ufeff"), newline=None), "utf-8", False)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _xlsx_table(path: Path) -> Table:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one error
        raise ValidationFailed(f"file: not a readable XLSX workbook ({exc})", field="file") from exc
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()
    if not header:
        book.close()
        raise ValidationFailed("line 1: the sheet is empty", field="file")

    def records() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in values]
            if any(cells):
                yield number, cells
        book.close()

    return Table(header, records(), "xlsx", False, "")


def open_table(path: Path, facts: FileFacts | None = None) -> Table:
    """Open a CSV or XLSX file for streaming (the caller closes the table)."""
    facts = facts or inspect_file(path)
    if facts.xlsx:
        return _xlsx_table(path)
    handle = path.open(encoding=facts.encoding, newline="")
    try:
        return _csv_table(handle, facts.encoding, facts.fallback)
    except Exception:
        handle.close()
        raise

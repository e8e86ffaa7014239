"""Docs that can't rot: every event name the code relies on is in docs/tracking.md."""

from __future__ import annotations

import re
from pathlib import Path

from smarketing.tracking import names

ROOT = Path(__file__).resolve().parents[4]
DOC = ROOT / "docs" / "tracking.md"
# A quoted Title Case name of two or more words ending in a past participle
# ("Form Submitted", "Email Link Clicked"): how Segment spec event names look; not a
# dict key (`"Date Saved": "created_at"` is an import file's column header).
EVENT_LITERAL = re.compile(r"[\"']((?:[A-Z][a-z]+ )+(?:[A-Z][a-z]+ed|Up))[\"'](?!\s*:)")


def _documented() -> set[str]:
    section = DOC.read_text().split("## Standard event names", 1)[1]
    return {row.split("|")[1].strip() for row in section.splitlines() if row.startswith("| ")}


def _names_in_code() -> set[str]:
    files = [p for p in (ROOT / "src" / "smarketing").rglob("*") if p.suffix in {".py", ".js"}]
    found: set[str] = set()
    for path in files:
        if "tests" not in path.parts:
            found |= set(EVENT_LITERAL.findall(path.read_text()))
    return found


def test_every_standard_event_constant_is_documented() -> None:
    missing = sorted(set(names.STANDARD_EVENTS) - _documented())
    assert missing == [], f"add these to docs/tracking.md ## Standard event names: {missing}"


def test_every_conversion_event_is_a_standard_event() -> None:
    assert names.CONVERSION_EVENTS.issubset(names.STANDARD_EVENTS)


def test_every_event_name_written_in_the_code_is_documented() -> None:
    in_code = _names_in_code()
    assert {names.FORM_SUBMITTED, names.SIGNED_UP} <= in_code  # the scan itself works
    missing = sorted(in_code - _documented())
    assert missing == [], f"add these to docs/tracking.md ## Standard event names: {missing}"

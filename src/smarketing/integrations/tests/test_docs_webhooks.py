"""Every domain event has its payload documented in docs/webhooks.md."""

from __future__ import annotations

import re
from pathlib import Path

from smarketing.core.events import EVENTS

DOC = Path(__file__).resolve().parents[4] / "docs" / "webhooks.md"


def test_every_event_has_a_documented_payload() -> None:
    headings = " ".join(re.findall(r"^### (.+)$", DOC.read_text(), flags=re.MULTILINE))
    missing = [event for event in EVENTS if event not in headings]
    assert missing == [], f"no '### {missing}' section with a payload in docs/webhooks.md"

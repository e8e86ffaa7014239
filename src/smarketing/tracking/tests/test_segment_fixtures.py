"""analytics-go's expected request bodies (../shared/data/segment_fixtures), posted raw."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from smarketing.tracking.models import Event

FIXTURES = Path(__file__).resolve().parents[4].parent / "shared" / "data" / "segment_fixtures"
FILES = sorted(FIXTURES.glob("*.json")) if FIXTURES.is_dir() else []


@pytest.mark.skipif(not FILES, reason=f"Segment fixtures not found in {FIXTURES}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_each_analytics_go_fixture_is_accepted_and_stored_as_its_type(
    tracker: Any, path: Path
) -> None:
    body = path.read_bytes()
    messages = json.loads(body)["batch"]
    response = tracker.post("batch", body)
    assert response.status_code == 200, response.content
    distinct = {m["messageId"]: m["type"] for m in messages}
    assert response.json()["errors"] == []
    assert response.json()["stored"] == len(distinct)
    assert response.json()["duplicates"] == len(messages) - len(distinct)
    stored = dict(Event.objects.values_list("message_id", "type"))
    assert stored == distinct


def test_the_fixtures_folder_is_where_the_workspace_keeps_it() -> None:
    if not FIXTURES.is_dir():
        pytest.skip(f"Segment fixtures not found in {FIXTURES} (outside the workspace)")
    assert len(FILES) >= 12

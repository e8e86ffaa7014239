"""The nesting limit of a request body, checked in one orjson pass, agrees with
counting the levels one by one, for lists, objects and mixed documents."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.tracking.messages import MAX_DEPTH, _depth, _too_deep


def nested(levels: int, kind: str) -> Any:
    value: Any = "leaf"
    for level in range(levels):
        use_list = kind == "list" or (kind == "mixed" and level % 2)
        value = [value] if use_list else {"k": value}
    return value


@pytest.mark.parametrize("kind", ["list", "object", "mixed"])
@pytest.mark.parametrize("levels", [0, 1, MAX_DEPTH - 1, MAX_DEPTH, MAX_DEPTH + 1, 300])
def test_a_document_is_too_deep_exactly_when_it_nests_more_than_the_limit(
    kind: str, levels: int,
) -> None:
    document = {"batch": [nested(levels, kind)] * 3}
    assert _too_deep(document) == (_depth(document) > MAX_DEPTH)
    assert _depth(document) == levels + 2

"""The permission-matrix check shared by every app's write-matrix test."""

from __future__ import annotations

from typing import Any


def assert_write_case(spec: Any, api: Any, world: Any, role: str, case: str) -> None:
    """`spec.act` answers `spec.expected[role]`; an allowed call changed what
    `spec.observe` sees, a refused one changed nothing."""
    expected = spec.expected[role]
    before = spec.observe(world)
    response = spec.act(api, world)
    assert response.status_code == expected, (case, role, response.content)
    after = spec.observe(world)
    if expected < 300:
        assert after != before, f"{case} as {role} answered {expected} but changed nothing"
    else:
        assert after == before, f"{case} as {role} was refused but changed something"

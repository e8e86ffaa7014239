"""Settings read from the environment: a bad value names the variable."""

from __future__ import annotations

import pytest

from smarketing.core.env import SettingError, env_int


def test_an_integer_setting_reads_its_variable_or_the_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOME_INTEGER", raising=False)
    assert env_int("SOME_INTEGER", 2, minimum=1) == 2
    monkeypatch.setenv("SOME_INTEGER", "3")
    assert env_int("SOME_INTEGER", 2, minimum=1) == 3


@pytest.mark.parametrize(("raw", "message"), [
    ("two", "SOME_INTEGER: expected an integer, got 'two'"),
    ("0", "SOME_INTEGER: expected an integer of at least 1, got '0'"),
])
def test_a_bad_integer_setting_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, raw: str, message: str
) -> None:
    monkeypatch.setenv("SOME_INTEGER", raw)
    with pytest.raises(SettingError) as error:
        env_int("SOME_INTEGER", 2, minimum=1)
    assert str(error.value) == message

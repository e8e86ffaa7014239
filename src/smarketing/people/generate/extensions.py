"""Other apps add their demo rows to `smarketing generate` without people knowing them
(apps depend downward): each registers an extension in its AppConfig.ready().

An extension's `generate(context)` runs after the contacts are written and
returns summary lines; its `clear()` runs first in `generate --force`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class GenerateContext:
    seed: int
    start: int  # the window, Unix seconds
    end: int
    contacts: int


@dataclass(frozen=True)
class Extension:
    generate: Callable[[GenerateContext], list[str]]
    clear: Callable[[], None]


_EXTENSIONS: dict[str, Extension] = {}


def register_generate_extension(name: str, extension: Extension) -> None:
    _EXTENSIONS[name] = extension


def generate_extensions() -> list[Extension]:
    return [_EXTENSIONS[name] for name in sorted(_EXTENSIONS)]

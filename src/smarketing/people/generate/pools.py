"""Pools of real-looking names drawn once from Faker (seeded), then combined
with a seeded random.Random: Faker per row would be far too slow at 1M rows."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from faker import Faker

from smarketing.people.generate.reference import COUNTRIES

POOL_SIZE = 400
LEGAL_SUFFIXES: dict[str, str] = {
    "US": "Inc.", "CA": "Inc.", "GB": "Ltd", "IE": "Ltd", "DE": "GmbH", "FR": "SA",
    "NL": "B.V.", "ES": "S.L.", "IT": "S.p.A.", "SE": "AB", "PL": "Sp. z o.o.", "DK": "A/S",
    "AU": "Pty Ltd", "NZ": "Ltd", "JP": "K.K.", "IN": "Pvt Ltd", "SG": "Pte Ltd",
    "BR": "Ltda.", "MX": "S.A. de C.V.", "AR": "S.A.", "CO": "S.A.S.", "CL": "SpA",
}
BRAND_HEADS: tuple[str, ...] = (
    "Bright", "Blue", "Clear", "Data", "Nova", "Peak", "Signal", "True", "Next", "Core",
    "Ever", "Open", "Swift", "Sky", "Iron", "Green", "North", "Vertex", "Apex", "Lumen",
    "Cobalt", "Amber", "Silver", "Quantum", "Harbor", "Summit", "Pioneer", "Atlas",
)
BRAND_TAILS: tuple[str, ...] = (
    "path", "wave", "line", "stack", "forge", "works", "point", "bridge", "scale", "loop",
    "leaf", "spark", "grid", "field", "ly", "hub", "mind", "flow", "base", "sight",
)
_FOLD = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "ł": "l", "Ł": "l", "đ": "d",
    "œ": "oe", "å": "a", "Å": "a", "ı": "i",
})


def ascii_slug(text: str) -> str:
    """Lower-case ASCII letters and digits only, accents dropped: 'Müller-Lüd' -> 'mullerlud'."""
    folded = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(ch for ch in folded.encode("ascii", "ignore").decode().lower() if ch.isalnum())


@dataclass(frozen=True)
class NamePool:
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


def _draw(fake: Faker, method: str) -> tuple[str, ...]:
    names = (getattr(fake, method)() for _ in range(POOL_SIZE))
    return tuple(name for name in names if ascii_slug(name))


def _pool_for(locale: str, seed: int) -> NamePool:
    fake = Faker(locale)
    fake.seed_instance(seed)
    if locale == "ja_JP":
        return NamePool(_draw(fake, "first_romanized_name"), _draw(fake, "last_romanized_name"))
    return NamePool(_draw(fake, "first_name"), _draw(fake, "last_name"))


def name_pools(seed: int) -> dict[str, NamePool]:
    """One pool per country, from that country's Faker locale."""
    by_locale: dict[str, NamePool] = {}
    pools: dict[str, NamePool] = {}
    for countries in COUNTRIES.values():
        for code, locale, *_ in countries:
            if locale not in by_locale:
                by_locale[locale] = _pool_for(locale, seed)
            pools[code] = by_locale[locale]
    return pools

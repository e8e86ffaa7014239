"""Companies: region and country, industry, size, revenue, a unique domain, an owner."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from smarketing.people.generate import reference as ref
from smarketing.people.generate.pools import (
    BRAND_HEADS,
    BRAND_TAILS,
    LEGAL_SUFFIXES,
    NamePool,
    ascii_slug,
)
from smarketing.people.generate.random_tools import Picker

EMAIL_STYLES = (("first.last", 60), ("flast", 20), ("first", 8), ("first_last", 7), ("firstl", 5))
MEAN_CONTACTS_LOG = math.log(8.0) - 0.2  # log-normal contacts per company, mean about 8


@dataclass(slots=True)
class CompanyDraft:
    region: str
    country: str
    pool: NamePool
    calling_code: str
    name: str
    domain: str
    industry: str
    employees: int
    revenue: Decimal
    tier: str
    crm: str
    owner: int
    email_style: str
    contacts: int


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    pool: NamePool
    calling_code: str
    tld: str


def tier_of(employees: int) -> str:
    return next(tier for bound, tier in ref.TIERS if employees < bound)


class CompanyMaker:
    def __init__(
        self, rng: random.Random, pools: dict[str, NamePool], reps: dict[str, list[int]]
    ) -> None:
        self.rng = rng
        self.reps = reps
        self.domains: set[str] = set()
        self.regions = Picker(rng, ref.REGION_WEIGHTS.items())
        self.countries = {
            region: Picker(rng, ((Country(c, pools[c], cc, tld), w) for c, _, cc, tld, w in rows))
            for region, rows in ref.COUNTRIES.items()
        }
        self.industries = Picker(rng, ((name, w) for name, (w, _) in ref.INDUSTRIES.items()))
        self.crms = Picker(rng, ref.CRM_SYSTEMS.items())
        self.styles = Picker(rng, EMAIL_STYLES)

    def make(self) -> CompanyDraft:
        rng = self.rng
        region = self.regions()
        country = self.countries[region]()
        industry = self.industries()
        employees = max(2, min(250_000, int(math.exp(rng.gauss(4.2, 1.6)))))
        name, domain = self._name(country, industry)
        return CompanyDraft(
            region=region, country=country.code, pool=country.pool,
            calling_code=country.calling_code, name=name, domain=domain, industry=industry,
            employees=employees, revenue=Decimal(int(employees * rng.uniform(60, 300)) * 1000),
            tier=tier_of(employees), crm=self.crms(), owner=rng.choice(self.reps[region]),
            email_style=self.styles(),
            contacts=max(1, round(rng.lognormvariate(MEAN_CONTACTS_LOG, 0.75))),
        )

    def _name(self, country: Country, industry: str) -> tuple[str, str]:
        rng = self.rng
        word = rng.choice(ref.INDUSTRIES[industry][1])
        last, other = rng.choice(country.pool.last_names), rng.choice(country.pool.last_names)
        style = rng.random()
        if style < 0.2:
            base = rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
        elif style < 0.6:
            base = f"{last} {word}"
        elif style < 0.8 and other != last:
            base = f"{last} & {other}"
        else:
            base = f"{last}-{other}" if other != last else f"{last} Group"
        tld = "io" if style < 0.05 else country.tld
        domain = self._unique_domain(ascii_slug(base), ascii_slug(word), tld)
        legal = rng.random() < 0.35
        return (f"{base} {LEGAL_SUFFIXES[country.code]}" if legal else base), domain

    def _unique_domain(self, slug: str, word: str, tld: str) -> str:
        domain = next(d for d in _domains(slug, word, tld) if d not in self.domains)
        self.domains.add(domain)
        return domain


def _domains(slug: str, word: str, tld: str) -> Iterator[str]:
    yield f"{slug}.{tld}"
    yield f"{slug}{word}.{tld}"
    yield f"{slug}-{word}.{tld}"
    yield from (f"{slug}{n}.{tld}" for n in itertools.count(2))

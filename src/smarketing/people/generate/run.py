"""generate(): the whole data set, chunk by chunk, one transaction per chunk."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from smarketing.people.generate.companies import CompanyMaker
from smarketing.people.generate.contacts import ContactMaker, Tally
from smarketing.people.generate.extensions import GenerateContext, generate_extensions
from smarketing.people.generate.journey import Walker
from smarketing.people.generate.pools import name_pools
from smarketing.people.generate.roster import build_roster, define_properties
from smarketing.people.generate.timeline import CreationTimes, Window
from smarketing.people.generate.writer import BulkWriter, Chunk, DbValues, Ids, load_tuning
from smarketing.people.models import (
    ORDERED_STAGES,
    Company,
    Contact,
    ContactMerge,
    Identity,
    Stage,
    StageChange,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class GenerateOptions:
    contacts: int
    seed: int = 42
    months: int = 12
    end: dt.datetime | None = None
    chunk_contacts: int = 100_000


@dataclass
class GenerateResult:
    tally: Tally
    users: list[User]
    window: Window
    seconds: float
    extra: list[str] = field(default_factory=list)

    def summary(self) -> list[str]:
        t = self.tally
        lines = [
            f"Generated {t.companies:,} companies, {t.contacts:,} contacts, "
            f"{t.stage_changes:,} stage changes and {len(self.users)} users "
            f"in {self.seconds:.1f} s.",
            f"{'stage':<12} {'now':>10} {'reached':>10} {'from previous':>14}",
        ]
        previous = 0
        for stage in ORDERED_STAGES:
            reached = t.reached.get(stage, 0)
            rate = f"{reached / previous:.1%}" if previous else ""
            lines.append(f"{stage:<12} {t.stages.get(stage, 0):>10,} {reached:>10,} {rate:>14}")
            previous = reached
        lines.append(f"{Stage.OTHER:<12} {t.stages.get(Stage.OTHER, 0):>10,}")
        return lines + self.extra


def people_data_exists() -> bool:
    return Contact.objects.exists() or Company.objects.exists()


def clear_people_data(batch: int = 20_000) -> None:
    """Delete companies and contacts with their history (for `generate --force`).

    Through the ORM (so every cascade of every app applies), in pk ranges so that
    a million contacts never sit in memory at once.
    """
    for extension in generate_extensions():
        extension.clear()
    for model in (StageChange, Identity, ContactMerge, Contact, Company):
        top = model.objects.aggregate(top=Max("pk"))["top"] or 0
        for start in range(0, top + 1, batch):
            with transaction.atomic():
                model.objects.filter(pk__gte=start, pk__lt=start + batch).delete()


def generate(options: GenerateOptions, progress: Progress | None = None) -> GenerateResult:
    """Write a deterministic data set: the same seed (and end) gives the same rows."""
    started = time.monotonic()
    window = Window.ending(options.end or timezone.now(), options.months)
    pools = name_pools(options.seed)
    roster = build_roster(random.Random(f"{options.seed}:roster"), pools["US"], options.contacts)
    define_properties()
    rng = random.Random(f"{options.seed}:data")
    companies = CompanyMaker(rng, pools, roster.reps_by_region)
    maker = ContactMaker(
        rng, Walker(rng, window.end, roster.marketing_user), DbValues(connection), Ids(),
        CreationTimes(rng, window),
    )
    writer = BulkWriter(connection)
    with load_tuning(connection):
        _write_all(options, companies, maker, writer, progress)
    writer.reset_sequences()
    context = GenerateContext(options.seed, window.start, window.end, options.contacts)
    extra = [line for ext in generate_extensions() for line in ext.generate(context)]
    return GenerateResult(maker.tally, roster.users, window, time.monotonic() - started, extra)


def _write_all(
    options: GenerateOptions, companies: CompanyMaker, maker: ContactMaker,
    writer: BulkWriter, progress: Progress | None,
) -> None:
    remaining = options.contacts
    while remaining > 0:
        chunk, quota = Chunk(), min(remaining, options.chunk_contacts)
        made = 0
        while made < quota:
            company = companies.make()
            count = min(company.contacts, remaining - made)
            maker.add_company(company, count, chunk)
            made += count
        writer.write(chunk)
        remaining -= made
        if progress is not None:
            progress(options.contacts - remaining, options.contacts)

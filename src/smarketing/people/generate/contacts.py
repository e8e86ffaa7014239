"""Contacts of a company: names, email, title, source, and their funnel history,
as the rows of Contact, Identity (email) and StageChange."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from smarketing.people.generate import reference as ref
from smarketing.people.generate.companies import CompanyDraft
from smarketing.people.generate.journey import Journey, Move, Prospect, Walker, lead_status
from smarketing.people.generate.pools import ascii_slug
from smarketing.people.generate.random_tools import Picker
from smarketing.people.generate.timeline import CreationTimes
from smarketing.people.generate.writer import Chunk, DbValues, Ids, Row
from smarketing.people.models import (
    ORDERED_STAGES,
    Cause,
    Company,
    Contact,
    Identity,
    IdentityKind,
    SourceChannel,
    Stage,
    StageChange,
)

RANK = {stage: index for index, stage in enumerate(ORDERED_STAGES)}
IMPORTED_CHANNELS = (SourceChannel.IMPORT, SourceChannel.OFFLINE, SourceChannel.EVENT)
LOCAL_PARTS = {
    "first.last": lambda f, last: f"{f}.{last}",
    "flast": lambda f, last: f"{f[0]}{last}",
    "first": lambda f, last: f,
    "first_last": lambda f, last: f"{f}_{last}",
    "firstl": lambda f, last: f"{f}{last[0]}",
}


@dataclass
class Tally:
    companies: int = 0
    contacts: int = 0
    stage_changes: int = 0
    stages: Counter[str] = field(default_factory=Counter)
    reached: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class Person:
    first: str
    last: str
    email: str
    title: str
    phone: str
    properties: dict[str, str]
    personal: bool


def reached_times(moves: list[Move]) -> list[int | None]:
    """became_<stage>_at by the monotone funnel rule: first time at or beyond each stage."""
    reached: list[int | None] = [None] * len(ORDERED_STAGES)
    for move in moves:
        for index in range(RANK.get(move.to_stage, -1) + 1):
            if reached[index] is None:
                reached[index] = move.at
    return reached


class ContactMaker:
    def __init__(
        self, rng: random.Random, walker: Walker, values: DbValues, ids: Ids,
        times: CreationTimes,
    ) -> None:
        self.rng, self.walker, self.values, self.ids, self.times = rng, walker, values, ids, times
        self.personas = Picker(rng, ((p, w) for p, (w, _) in ref.PERSONAS.items()))
        self.seniorities = Picker(rng, enumerate(ref.SENIORITY_WEIGHTS))
        self.channels = Picker(rng, ((c, spec[0]) for c, spec in ref.CHANNELS.items()))
        self.tally = Tally()

    def add_company(self, company: CompanyDraft, count: int, chunk: Chunk) -> None:
        company_id = self.ids.take(Company)
        times = self.times.draw(count)
        chunk.rows[Company].append(self._company_row(company_id, min(times), company))
        used: Counter[str] = Counter()
        for created in times:
            self._add_contact(company, company_id, created, used, chunk)
        self.tally.companies += 1

    def _company_row(self, company_id: int, created: int, c: CompanyDraft) -> Row:
        at = self.values.dt(created)
        properties = self.values.json({"tier": c.tier, "crm_system": c.crm})
        return (
            company_id, at, at, c.name, c.domain, c.industry, c.employees, c.revenue,
            c.country, c.region, c.owner, properties,
        )

    def _add_contact(
        self, company: CompanyDraft, company_id: int, created: int, used: Counter[str],
        chunk: Chunk,
    ) -> None:
        contact_id = self.ids.take(Contact)
        person = self._person(company, contact_id, used)
        channel = self.channels()
        journey = self.walker.walk(self._prospect(company, person, created, channel))
        reached = reached_times(journey.moves)
        chunk.rows[Contact].append(
            self._contact_row(contact_id, company_id, company, person, channel, journey)
            + tuple(self.values.dt(at) for at in reached)
        )
        at = self.values.dt(created)
        chunk.rows[Identity].append(
            (self.ids.take(Identity), at, at, contact_id, IdentityKind.EMAIL, person.email)
        )
        chunk.rows[StageChange].extend(self._change_rows(contact_id, journey.moves))
        self._count(journey, reached)

    def _person(self, company: CompanyDraft, contact_id: int, used: Counter[str]) -> Person:
        rng, pool = self.rng, company.pool
        first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
        f, s = ascii_slug(first), ascii_slug(last)
        personal = rng.random() < ref.P_NO_COMPANY
        if personal:
            email = f"{f}.{s}{contact_id}@{rng.choice(ref.PERSONAL_DOMAINS)}"
        else:
            local = LOCAL_PARTS[company.email_style](f, s)
            used[local] += 1
            suffix = str(used[local]) if used[local] > 1 else ""
            email = f"{local}{suffix}@{company.domain}"
        persona, seniority = self.personas(), self.seniorities()
        title = ref.PERSONAS[persona][1][seniority]
        phone = self._phone(company) if rng.random() < ref.P_PHONE else ""
        props = {"persona": persona, "seniority": ref.SENIORITIES[seniority]}
        return Person(first, last, email, title, phone, props, personal)

    def _phone(self, company: CompanyDraft) -> str:
        rng = self.rng
        return (
            f"+{company.calling_code} {rng.randrange(200, 1000)} "
            f"{rng.randrange(100, 1000)} {rng.randrange(1000, 10000)}"
        )

    def _prospect(
        self, company: CompanyDraft, person: Person, created: int, channel: str
    ) -> Prospect:
        _, subscriber_share, channel_factor, _ = ref.CHANNELS[channel]
        tier = "" if person.personal else company.tier
        fit = ref.TIER_FIT[tier] * ref.SENIORITY_FIT[person.properties["seniority"]]
        entry = Stage.SUBSCRIBER if self.rng.random() < subscriber_share else Stage.LEAD
        cause, actor = Cause.TRACKING, None
        if channel in IMPORTED_CHANNELS:
            cause = Cause.IMPORT
        elif channel == SourceChannel.SALES:
            cause, actor = Cause.MANUAL, company.owner
        return Prospect(
            created=created, entry=entry, entry_cause=cause, entry_actor=actor,
            rep=company.owner, mql_factor=fit * channel_factor, fit=fit,
            win_factor=ref.TIER_WIN[tier], cycle_days=ref.TIER_CYCLE_DAYS[tier],
        )

    def _contact_row(
        self, contact_id: int, company_id: int, company: CompanyDraft, person: Person,
        channel: str, journey: Journey,
    ) -> Row:
        dt, rng = self.values.dt, self.rng
        campaign = rng.choice(ref.CHANNELS[channel][3])
        latest, latest_campaign = channel, campaign
        if rng.random() < 0.3:
            latest = self.channels()
            latest_campaign = rng.choice(ref.CHANNELS[latest][3])
        moves = journey.moves
        return (
            contact_id, dt(moves[0].at), dt(moves[-1].at), person.email, person.first,
            person.last, person.title, person.phone, None if person.personal else company_id,
            company.owner if journey.reached_sql else None, journey.stage,
            lead_status(rng, journey), journey.recycle_reason, channel, campaign, latest,
            latest_campaign, self.values.json(person.properties),
        )

    def _change_rows(self, contact_id: int, moves: list[Move]) -> list[Row]:
        dt, take = self.values.dt, self.ids.take
        return [
            (take(StageChange), contact_id, m.from_stage, m.to_stage, dt(m.at), m.actor,
             m.cause, m.reason)
            for m in moves
        ]

    def _count(self, journey: Journey, reached: list[int | None]) -> None:
        tally = self.tally
        tally.contacts += 1
        tally.stage_changes += len(journey.moves)
        tally.stages[journey.stage] += 1
        for stage, at in zip(ORDERED_STAGES, reached, strict=True):
            if at is not None:
                tally.reached[stage] += 1

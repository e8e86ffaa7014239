"""A contact's walk through the funnel: the StageChange rows a real history would
have written (same causes, actors and reasons as the services), ending at "now"."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias

from smarketing.people.generate import reference as ref
from smarketing.people.generate.random_tools import delay_seconds
from smarketing.people.models import Cause, LeadStatus, Stage


@dataclass(slots=True)
class Move:
    from_stage: str
    to_stage: str
    at: int
    cause: str
    actor: int | None
    reason: str


@dataclass(slots=True)
class Prospect:
    """What the walk needs to know about one contact."""

    created: int
    entry: str
    entry_cause: str
    entry_actor: int | None
    rep: int
    mql_factor: float
    fit: float
    win_factor: float
    cycle_days: float


@dataclass(slots=True)
class Journey:
    moves: list[Move] = field(default_factory=list)
    recycles: int = 0
    recycle_reason: str = ""
    lost: bool = False

    @property
    def stage(self) -> str:
        return self.moves[-1].to_stage

    @property
    def reached_sql(self) -> bool:
        return any(move.to_stage == Stage.SQL for move in self.moves)


Step: TypeAlias = Callable[["Walker", Journey, Prospect], "Step | None"]


class Walker:
    """Walks prospects through the funnel with the rates of reference.py."""

    def __init__(self, rng: random.Random, end: int, marketing_user: int) -> None:
        self.rng = rng
        self.end = end
        self.marketing_user = marketing_user

    def walk(self, p: Prospect) -> Journey:
        journey = Journey([Move("", p.entry, p.created, p.entry_cause, p.entry_actor, "")])
        step = STEPS.get(p.entry)
        while step is not None:
            step = step(self, journey, p)
        return journey

    def advance(
        self, j: Journey, to_stage: str, median_days: float, cause: str,
        actor: int | None = None, reason: str = "",
    ) -> bool:
        """Append a move after a random delay; False (nothing added) when it would be future."""
        at = j.moves[-1].at + delay_seconds(self.rng, median_days)
        if at >= self.end:
            return False
        j.moves.append(Move(j.stage, to_stage, at, cause, actor, reason))
        return True

    def recycle(self, j: Journey, p: Prospect) -> Step | None:
        reason = self.rng.choice(ref.RECYCLE_REASONS)
        if not self.advance(j, Stage.LEAD, ref.DAYS_RECYCLE, Cause.RECYCLE, p.rep, reason):
            return None
        j.recycles += 1
        j.recycle_reason = reason
        return from_lead


def from_subscriber(w: Walker, j: Journey, p: Prospect) -> Step | None:
    if w.rng.random() >= ref.P_SUBSCRIBER_TO_LEAD:
        return None
    ok = w.advance(j, Stage.LEAD, ref.DAYS_SUBSCRIBER_TO_LEAD, Cause.TRACKING)
    return from_lead if ok else None


def from_lead(w: Walker, j: Journey, p: Prospect) -> Step | None:
    roll = w.rng.random()
    if roll < ref.P_LEAD_TO_OTHER and not j.recycles:
        reason = w.rng.choice(ref.OTHER_REASONS)
        w.advance(j, Stage.OTHER, ref.DAYS_TO_OTHER, Cause.MANUAL, w.marketing_user, reason)
        return None
    chance = ref.P_REQUALIFY if j.recycles else min(0.9, ref.P_LEAD_TO_MQL * p.mql_factor)
    days = ref.DAYS_REQUALIFY if j.recycles else ref.DAYS_LEAD_TO_MQL
    if roll >= ref.P_LEAD_TO_OTHER + chance:
        return None
    return from_mql if w.advance(j, Stage.MQL, days, Cause.SCORING) else None


def from_mql(w: Walker, j: Journey, p: Prospect) -> Step | None:
    roll = w.rng.random()
    accept = min(0.85, ref.P_MQL_ACCEPT * p.fit)
    if roll < accept:
        ok = w.advance(j, Stage.SQL, ref.DAYS_MQL_DECISION, Cause.HANDOFF, p.rep)
        return from_sql if ok else None
    if roll < accept + ref.P_MQL_RECYCLE and j.recycles < 2:
        return w.recycle(j, p)
    return None


def from_sql(w: Walker, j: Journey, p: Prospect) -> Step | None:
    roll = w.rng.random()
    if roll < ref.P_SQL_TO_OPPORTUNITY:
        ok = w.advance(j, Stage.OPPORTUNITY, ref.DAYS_SQL_TO_OPPORTUNITY, Cause.PIPELINE)
        return from_opportunity if ok else None
    if roll < ref.P_SQL_TO_OPPORTUNITY + ref.P_SQL_RECYCLE and j.recycles < 2:
        return w.recycle(j, p)
    return None


def from_opportunity(w: Walker, j: Journey, p: Prospect) -> Step | None:
    roll = w.rng.random()
    won = min(0.6, ref.P_OPPORTUNITY_WON * p.win_factor)
    if roll < won:
        ok = w.advance(j, Stage.CUSTOMER, p.cycle_days, Cause.PIPELINE)
        return from_customer if ok else None
    j.lost = roll < won + ref.P_OPPORTUNITY_LOST
    return None


def from_customer(w: Walker, j: Journey, p: Prospect) -> Step | None:
    if w.rng.random() < ref.P_EVANGELIST:
        w.advance(j, Stage.EVANGELIST, ref.DAYS_TO_EVANGELIST, Cause.MANUAL, p.rep)
    return None


STEPS: dict[str, Step] = {
    Stage.SUBSCRIBER: from_subscriber,
    Stage.LEAD: from_lead,
}


SQL_STATUSES = (
    LeadStatus.IN_PROGRESS, LeadStatus.CONNECTED, LeadStatus.ATTEMPTED_TO_CONTACT,
    LeadStatus.BAD_TIMING,
)


def lead_status(rng: random.Random, j: Journey) -> str:
    """The status the services and a rep's later edits would have left."""
    stage, last = j.stage, j.moves[-1]
    if stage == Stage.SUBSCRIBER:
        return ""
    if last.cause == Cause.RECYCLE or (stage in {Stage.LEAD, Stage.MQL} and j.recycles):
        return LeadStatus.RECYCLED
    if stage in {Stage.LEAD, Stage.MQL}:
        return LeadStatus.OPEN if rng.random() < 0.12 else LeadStatus.NEW
    if stage == Stage.OTHER:
        return LeadStatus.UNQUALIFIED
    if stage == Stage.SQL:
        return rng.choice(SQL_STATUSES)
    if stage == Stage.OPPORTUNITY and j.lost:
        return LeadStatus.BAD_TIMING if rng.random() < 0.6 else LeadStatus.UNQUALIFIED
    return LeadStatus.OPEN_DEAL

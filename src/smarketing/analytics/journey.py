"""The customer journey view of shared/KPI.md: the lifecycle stage seen as five phases.

awareness = anonymous visitors and subscribers; interest = lead; consideration = mql,
sql; decision = opportunity; retention = customer, evangelist (`other` is outside).

- **in the phase at the end of P:** contacts whose stage at the end of P maps to the
  phase: per stage, the moves into it before the end of P minus the moves out of it (a
  contact's first history row comes from "", so contacts created later drop out), read
  from the exact per-day counts of the moves (analytics/stageflows.py). Awareness adds
  the anonymous visitors: distinct anonymous ids with a page view in P not (yet) tied
  to a contact (from the exact web rollup's visit rows, webrollup.anonymous_visitors,
  for a quarter-hour aligned period; directly from the events otherwise).
- **flows in P:** stage moves in P between two different phases, counted by phase pair
  ("new" when a contact was created in P), from the same per-day counts.
Every figure drills down to its rows (`phase_contacts`, `flow_changes`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from smarketing.analytics import stageflows, webrollup
from smarketing.core.periods import Period
from smarketing.people.models import Contact, Stage, StageChange
from smarketing.tracking.models import Event, EventType

PHASES = ("awareness", "interest", "consideration", "decision", "retention")
NEW = "new"
PHASE_OF: dict[str, str] = {
    Stage.SUBSCRIBER: "awareness", Stage.LEAD: "interest", Stage.MQL: "consideration",
    Stage.SQL: "consideration", Stage.OPPORTUNITY: "decision", Stage.CUSTOMER: "retention",
    Stage.EVANGELIST: "retention",
}


def stages_of(phase: str) -> list[str]:
    return [stage for stage, p in PHASE_OF.items() if p == phase]


@dataclass(frozen=True)
class Journey:
    contacts: dict[str, int]  # phase -> contacts in it at the end of P
    anonymous_visitors: int
    flows: list[tuple[str, str, int]]  # (from phase or "new", to phase, contacts moved)

    def count(self, phase: str) -> int:
        extra = self.anonymous_visitors if phase == "awareness" else 0
        return self.contacts[phase] + extra


def anonymous_visitors(period: Period) -> int:
    start, end = period.bounds()
    counted = webrollup.anonymous_visitors(start, end)
    return anonymous_visitors_direct(start, end) if counted is None else counted


def anonymous_visitors_direct(start: dt.datetime, end: dt.datetime) -> int:
    """The definition, from the events: distinct anonymous ids with a page view in
    [start, end) and no contact."""
    return (Event.objects.filter(timestamp__gte=start, timestamp__lt=end, type=EventType.PAGE,
                                 contact__isnull=True)
            .exclude(anonymous_id="").values("anonymous_id").distinct().count())


def _phase_flows(period: Period) -> list[tuple[str, str, int]]:
    flows: Counter[tuple[str, str]] = Counter()
    for (from_stage, to_stage), n in stageflows.moves(*period.bounds()).items():
        source = PHASE_OF.get(from_stage, NEW if not from_stage else "")
        target = PHASE_OF.get(to_stage, "")
        if source and target and source != target:
            flows[(source, target)] += n
    order = {p: i for i, p in enumerate((NEW, *PHASES))}
    return sorted(((s, t, n) for (s, t), n in flows.items()),
                  key=lambda f: (order[f[0]], order[f[1]]))


def journey(period: Period) -> Journey:
    counts = stageflows.stage_counts_at(period.bounds()[1])
    contacts = {phase: sum(counts[s] for s in stages_of(phase)) for phase in PHASES}
    return Journey(contacts, anonymous_visitors(period), _phase_flows(period))


def phase_contacts(phase: str, period: Period) -> QuerySet[Contact]:
    """The contacts whose stage at the end of P lies in `phase` (their last move before it)."""
    end = period.bounds()[1]
    last = (StageChange.objects.filter(contact=OuterRef("pk"), at__lt=end)
            .order_by("-at", "-id").values("to_stage")[:1])
    return (Contact.objects.annotate(stage_at_end=Subquery(last))
            .filter(stage_at_end__in=stages_of(phase)).order_by("id"))


def flow_changes(source: str, target: str, period: Period) -> QuerySet[StageChange]:
    """The stage moves in P behind one flow."""
    start, end = period.bounds()
    from_stages = [""] if source == NEW else stages_of(source)
    return (StageChange.objects.filter(at__gte=start, at__lt=end, from_stage__in=from_stages,
                                       to_stage__in=stages_of(target))
            .select_related("contact").order_by("at", "id"))


def journey_rows(data: Journey) -> dict[str, Any]:
    """The view's two tables as plain rows."""
    return {
        "phases": [(p, data.contacts[p], data.anonymous_visitors if p == "awareness" else 0,
                    data.count(p)) for p in PHASES],
        "flows": data.flows,
    }

"""The customer journey view of shared/KPI.md: the lifecycle stage seen as five phases.

awareness = anonymous visitors and subscribers; interest = lead; consideration = mql,
sql; decision = opportunity; retention = customer, evangelist (`other` is outside).

- **in the phase at the end of P:** contacts whose stage at the end of P maps to the
  phase. Set-based: today's count per stage, with every stage move since the end of P
  undone (one GROUP BY over Contact, one over StageChange after P; a contact's first
  history row comes from "" so contacts created later drop out). Awareness adds the
  anonymous visitors: distinct anonymous ids with a page view in P not (yet) tied to a
  contact.
- **flows in P:** stage moves in P between two different phases, counted by phase pair
  ("new" when a contact was created in P).
Every figure drills down to its rows (`phase_contacts`, `flow_changes`).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery

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


def stage_counts_at(moment: dt.datetime) -> Counter[str]:
    """Contacts per lifecycle stage at `moment`: today's counts with later moves undone."""
    counts: Counter[str] = Counter(dict(
        Contact.objects.values_list("lifecycle_stage").annotate(n=Count("id")).order_by()
    ))
    later = (StageChange.objects.filter(at__gte=moment)
             .values_list("from_stage", "to_stage").annotate(n=Count("id")).order_by())
    for from_stage, to_stage, n in later:
        counts[to_stage] -= n
        if from_stage:
            counts[from_stage] += n
    return counts


def anonymous_visitors(period: Period) -> int:
    start, end = period.bounds()
    return (Event.objects.filter(timestamp__gte=start, timestamp__lt=end, type=EventType.PAGE,
                                 contact__isnull=True)
            .exclude(anonymous_id="").values("anonymous_id").distinct().count())


def _phase_flows(period: Period) -> list[tuple[str, str, int]]:
    start, end = period.bounds()
    moves = (StageChange.objects.filter(at__gte=start, at__lt=end)
             .values_list("from_stage", "to_stage").annotate(n=Count("id")).order_by())
    flows: Counter[tuple[str, str]] = Counter()
    for from_stage, to_stage, n in moves:
        source = PHASE_OF.get(from_stage, NEW if not from_stage else "")
        target = PHASE_OF.get(to_stage, "")
        if source and target and source != target:
            flows[(source, target)] += n
    order = {p: i for i, p in enumerate((NEW, *PHASES))}
    return sorted(((s, t, n) for (s, t), n in flows.items()),
                  key=lambda f: (order[f[0]], order[f[1]]))


def journey(period: Period) -> Journey:
    counts = stage_counts_at(period.bounds()[1])
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

"""The MQL threshold planned from sales capacity.

- Capacity per period: the sum of the sales reps' capacities (their profiles' "most
  open MQLs at once"), or a number typed in.
- Flow per period: contacts active in the last `period_days` (created or with an
  event) that are subscribers or leads never qualified, by their stored score.
- For each candidate threshold t (steps of `step`): `mqls` = those with score >= t
  (what the period would hand to sales), and `sql_rate` = among past MQLs that had
  `period_days` to be worked, the share that reached SQL, for those whose stored
  score is >= t (the current score stands in for the score at qualification: an
  approximation, said so in the output).
- The plan: the lowest threshold whose MQLs fit the capacity.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone

from smarketing.core.models import Profile, Role
from smarketing.people.models import Contact, Score, Stage
from smarketing.people.scores import ensure_rows
from smarketing.tracking.models import Event


@dataclass(frozen=True)
class Candidate:
    threshold: int
    mqls: int
    sql_rate: float | None


@dataclass(frozen=True)
class Plan:
    capacity: int
    period_days: int
    recommended: int | None
    candidates: list[Candidate]
    note: str = "sql_rate uses each past MQL's current score as its score at qualification"


def rep_capacity() -> int:
    total = Profile.objects.filter(role=Role.SALES_REP, user__is_active=True).aggregate(
        c=Sum("capacity"))["c"]
    return int(total or 0)


def _flow(since: dt.datetime) -> dict[int, int]:
    active = Exists(Event.objects.filter(contact=OuterRef("pk"), timestamp__gte=since))
    rows = (Contact.objects.filter(Q(created_at__gte=since) | active)
            .filter(lifecycle_stage__in=[Stage.SUBSCRIBER, Stage.LEAD], became_mql_at=None)
            .values("scores__total").annotate(n=Count("id")).values_list("scores__total", "n"))
    return dict(rows)


def _sql_rate(threshold: int, before: dt.datetime) -> float | None:
    past = Contact.objects.filter(became_mql_at__lt=before,
                                  scores__total__gte=threshold).aggregate(
        n=Count("id"), sql=Count("id", filter=Q(became_sql_at__isnull=False)))
    return round(past["sql"] / past["n"], 4) if past["n"] else None


def threshold_plan(
    *, capacity: int | None = None, period_days: int = 30, step: int = 5,
    now: dt.datetime | None = None,
) -> Plan:
    now = now or timezone.now()
    ensure_rows()
    since = now - dt.timedelta(days=period_days)
    capacity = rep_capacity() if capacity is None else capacity
    flow = _flow(since)
    top = max(max(flow, default=0), Score.objects.aggregate(m=Max("total"))["m"] or 0)
    candidates = [
        Candidate(t, sum(n for s, n in flow.items() if s >= t), _sql_rate(t, since))
        for t in range(0, max(top, 0) + step + 1, step)
    ]
    fitting = [c.threshold for c in candidates if c.mqls <= capacity]
    return Plan(capacity=capacity, period_days=period_days,
                recommended=min(fitting) if fitting else None, candidates=candidates)

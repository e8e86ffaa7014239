"""The scoring engine: fit, engagement with caps and decay, explanations, MQL.

Score at time t (`at`), for a model:
- fit = the sum of the points of the fit rules the contact matches (SQL, rules.py);
- engagement, per rule: the rule's matching events with timestamp <= t (and within
  its recency window) are counted per UTC day in SQL; a day's points are
  occurrences x points, capped in magnitude by the daily cap; each day decays by
  0.5 ** (age_days / half_life), age_days = whole UTC days from that day to t's day
  (Decimal, 6 places); the rule's decayed sum is capped in magnitude by the rule cap
  and rounded half-up to an integer: that integer is the rule's contribution;
- engagement = the sum of the rules' integer contributions; total = fit + engagement.
So the explanation (one line per rule) sums exactly to the stored score, and the
score changes at most once a UTC day through decay.

The full rescore, the incremental update after ingestion and the live preview all
run `score_scope`: three set-based queries per batch of contacts (one for all fit
rules, ONE aggregate scan of the events for all engagement rules grouped by
contact, day and a 0/1 column per rule, one for hand-raises), a reduction of the
per-(contact, rule, day) counts, and bulk writes.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.db.models.functions import TruncDate

from smarketing.people.models import Contact
from smarketing.scoring.models import EngagementRule, FitRule, ScoringModel
from smarketing.scoring.rules import engagement_rule_q, fit_rule_q
from smarketing.tracking.models import Event, EventType

SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class ModelSpec:
    """What scoring needs from a model: a saved one or an unsaved draft."""

    threshold: int
    half_life_days: int
    hand_raise_events: tuple[str, ...]
    fit_rules: tuple[FitRule, ...]
    engagement_rules: tuple[EngagementRule, ...]
    version: int | None = None

    @classmethod
    def of(cls, model: ScoringModel) -> ModelSpec:
        return cls(
            threshold=model.threshold, half_life_days=model.half_life_days,
            hand_raise_events=tuple(model.hand_raise_events),
            fit_rules=tuple(model.fit_rules.all()),
            engagement_rules=tuple(model.engagement_rules.all()),
            version=model.version,
        )


@dataclass(frozen=True)
class Contribution:
    family: str  # "fit" or "engagement"
    rule_id: int | None
    label: str
    occurrences: int
    points_before_decay: int
    points_after_decay: Decimal
    points: int


@dataclass
class ContactResult:
    contact_id: int
    fit: int = 0
    engagement: int = 0
    items: list[Contribution] = field(default_factory=list)
    hand_raise: str = ""
    stage: str = ""
    became_mql: bool = False
    company_id: int | None = None

    @property
    def total(self) -> int:
        return self.fit + self.engagement


@lru_cache(maxsize=4096)
def decay_factor(age_days: int, half_life_days: int) -> Decimal:
    """0.5 ** (age / half-life), to 6 places; 1 for today, the future, or no decay."""
    if half_life_days <= 0 or age_days <= 0:
        return Decimal(1)
    exponent = Decimal(age_days) / Decimal(half_life_days)
    return (Decimal("0.5") ** exponent).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def _capped(value: Any, cap: int) -> Any:
    if cap and abs(value) > cap:
        return type(value)(cap) if value > 0 else -type(value)(cap)
    return value


def engagement_contribution(
    rule: EngagementRule, days: Iterable[tuple[dt.date, int]], today: dt.date,
    half_life_days: int,
) -> Contribution:
    """One rule's contribution from its per-day occurrence counts (see module doc)."""
    occurrences, before, after = 0, 0, Decimal(0)
    for day, count in days:
        points = _capped(count * rule.points, rule.daily_cap)
        occurrences += count
        before += points
        after += points * decay_factor((today - day).days, half_life_days)
    before = _capped(before, rule.rule_cap)
    after = _capped(after, rule.rule_cap)
    rounded = int(after.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Contribution(
        "engagement", rule.pk, str(rule), occurrences, before, after, rounded
    )


def _fit_annotations(spec: ModelSpec) -> dict[str, Case]:
    return {
        f"fit_{i}": Case(When(fit_rule_q(r), then=Value(1)), default=Value(0),
                         output_field=IntegerField())
        for i, r in enumerate(spec.fit_rules)
    }


def _fit_results(spec: ModelSpec, contacts: Q) -> dict[int, ContactResult]:
    """One query: every contact in scope with one 0/1 column per fit rule."""
    annotations = _fit_annotations(spec)
    rows = (
        Contact.objects.filter(contacts).annotate(**annotations)
        .values("id", "lifecycle_stage", "became_mql_at", "company_id", *annotations)
        .order_by("id")
    )
    results = {}
    for row in rows:
        result = ContactResult(
            row["id"], stage=row["lifecycle_stage"],
            became_mql=row["became_mql_at"] is not None, company_id=row["company_id"],
        )
        for i, rule in enumerate(spec.fit_rules):
            if row[f"fit_{i}"]:
                result.items.append(Contribution(
                    "fit", rule.pk, str(rule), 1, rule.points, Decimal(rule.points), rule.points
                ))
                result.fit += rule.points
        results[row["id"]] = result
    return results


def _window_q(rule: EngagementRule, at: dt.datetime) -> Q:
    q = engagement_rule_q(rule)
    if rule.recency_days:
        q &= Q(timestamp__gt=at - dt.timedelta(days=rule.recency_days))
    return q


def _all_rule_days(
    spec: ModelSpec, events: Q, at: dt.datetime
) -> list[dict[int, list[tuple[dt.date, int]]]]:
    """ONE scan of the events in scope: a 0/1 column per rule (its SQL conditions),
    grouped by (contact, UTC day, those columns) with a count; split per rule here."""
    columns = {
        f"rule_{i}": Case(When(_window_q(r, at), then=Value(1)), default=Value(0),
                          output_field=IntegerField())
        for i, r in enumerate(spec.engagement_rules)
    }
    rows = (
        Event.objects.filter(events, timestamp__lte=at)
        .annotate(day=TruncDate("timestamp", tzinfo=dt.UTC), **columns)
        .values("contact_id", "day", *columns).annotate(n=Count("id"))
        .values_list("contact_id", "day", "n", *columns).order_by()
    )
    # a day may come in several rows (one per combination of the rule columns): its
    # counts are added up before the daily cap applies
    counts: list[dict[int, Counter[dt.date]]] = [defaultdict(Counter) for _ in columns]
    for contact_id, day, n, *flags in rows:
        for i, flag in enumerate(flags):
            if flag:
                counts[i][contact_id][day] += n
    return [{c: list(by_day.items()) for c, by_day in rule.items()} for rule in counts]


def _add_engagement(
    spec: ModelSpec, results: dict[int, ContactResult], events: Q, at: dt.datetime
) -> None:
    today = at.astimezone(dt.UTC).date()
    per_rule = _all_rule_days(spec, events, at)
    for i, rule in enumerate(spec.engagement_rules):
        for contact_id, days in per_rule[i].items():
            result = results.get(contact_id)
            if result is None:
                continue
            item = engagement_contribution(rule, sorted(days), today, spec.half_life_days)
            result.items.append(item)
            result.engagement += item.points


def add_hand_raises(
    spec: ModelSpec, results: dict[int, ContactResult], events: Q, at: dt.datetime
) -> None:
    if not spec.hand_raise_events:
        return
    rows = (  # sorted here: an ORDER BY timestamp lets SQLite walk the timestamp index
        # of every event instead of fetching the few in scope
        Event.objects.filter(
            events, type=EventType.TRACK, name__in=spec.hand_raise_events, timestamp__lte=at
        ).values_list("timestamp", "id", "contact_id", "name").order_by()
    )
    for _, _, contact_id, name in sorted(rows, reverse=True):
        if contact_id in results:
            results[contact_id].hand_raise = name  # the earliest one wins (last written)


def score_scope(
    spec: ModelSpec, *, contacts: Q, events: Q, at: dt.datetime
) -> dict[int, ContactResult]:
    """Scores at `at` of the contacts matching `contacts` (whose events match `events`)."""
    results = _fit_results(spec, contacts)
    if results:
        _add_engagement(spec, results, events, at)
        add_hand_raises(spec, results, events, at)
    return results


MAX_EVENT_IDS = 5000


def scope_of_ids(ids: Sequence[int]) -> tuple[Q, Q]:
    """A few contacts: their events by primary key (found through the contact index),
    so that each rule's query cannot wander onto the (type, name) index and scan every
    event of that type; contacts with very long histories fall back to contact_id."""
    event_ids = list(
        Event.objects.filter(contact_id__in=ids).values_list("id", flat=True)[
            : MAX_EVENT_IDS + 1]
    )
    if len(event_ids) > MAX_EVENT_IDS:
        return Q(id__in=ids), Q(contact_id__in=ids)
    return Q(id__in=ids), Q(pk__in=event_ids)


def scope_of_range(low: int, high: int) -> tuple[Q, Q]:
    return Q(id__gte=low, id__lte=high), Q(contact_id__gte=low, contact_id__lte=high)

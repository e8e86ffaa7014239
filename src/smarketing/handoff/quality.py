"""Lead quality for marketing: what sales decided on the MQLs, over decisions taken
in a period (accepted, rejected and disqualified; acceptance rate = accepted /
(accepted + rejected), null when none), by original campaign, source channel,
score band (the contact's current score in bands of 20) and scoring rule.

By scoring rule: the active scoring model's rules that had fired on the MQL when
it was handed to sales (fit rules the contact matches; engagement rules with at
least one matching event at or before the assignment; the hand-raise event), so
marketing sees which rules most often fire on rejected MQLs (`share_of_rejected`).
Computed by the scoring engine in one `score_scope` over the decided contacts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from smarketing.core.periods import Period
from smarketing.handoff.models import Assignment, Outcome
from smarketing.handoff.scorecard import ratio
from smarketing.scoring.engine import ContactResult, ModelSpec, score_scope
from smarketing.scoring.services import active_model

BAND = 20
DECIDED = (Outcome.ACCEPTED, Outcome.REJECTED, Outcome.DISQUALIFIED)
Row = tuple[str, str, str]  # (key, outcome, rejection reason label)


def _band(score: int) -> str:
    low = max(score, 0) // BAND * BAND
    return f"{low}-{low + BAND - 1}"


def _decided(period: Period) -> QuerySet[Assignment]:
    start, end = period.bounds()
    return Assignment.objects.filter(
        decided_at__gte=start, decided_at__lt=end, outcome__in=DECIDED
    )


def _table(rows: Iterable[Row]) -> list[dict[str, Any]]:
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for key, outcome, reason in rows:
        outcomes[key][outcome] += 1
        if outcome == Outcome.REJECTED and reason:
            reasons[key][reason] += 1
    table = []
    for key, counts in outcomes.items():
        accepted, rejected = counts[Outcome.ACCEPTED], counts[Outcome.REJECTED]
        table.append({
            "key": key, "accepted": accepted, "rejected": rejected,
            "disqualified": counts[Outcome.DISQUALIFIED],
            "acceptance_rate": ratio(accepted, accepted + rejected),
            "top_reasons": reasons[key].most_common(3),
        })
    return sorted(table, key=lambda r: (-(r["accepted"] + r["rejected"]), r["key"]))


def _fired(result: ContactResult) -> set[str]:
    labels = {f"{item.family}: {item.label}" for item in result.items if item.occurrences}
    if result.hand_raise:
        labels.add(f"hand-raise: {result.hand_raise}")
    return labels


def by_scoring_rule(period: Period) -> list[dict[str, Any]]:
    """Decisions by the scoring rules that had fired when the MQL was handed off,
    the rules firing on the most rejected MQLs first (fewer accepted first on a tie)."""
    latest = {
        contact_id: (pk, outcome, reason or "")
        for pk, contact_id, outcome, reason in _decided(period).order_by("decided_at", "pk")
        .values_list("pk", "contact_id", "outcome", "reason__label")
    }
    if not latest:
        return []
    handed_off = Assignment.objects.filter(
        pk__in=[pk for pk, _, _ in latest.values()], contact_id=OuterRef("contact_id"),
        assigned_at__gte=OuterRef("timestamp"),
    )
    ids = list(latest)
    results = score_scope(
        ModelSpec.of(active_model()), contacts=Q(id__in=ids),
        events=Q(contact_id__in=ids) & Q(Exists(handed_off)),
        at=min(period.bounds()[1], timezone.now()),
    )
    rows = [
        (label, latest[contact_id][1], latest[contact_id][2])
        for contact_id, result in results.items() for label in _fired(result)
    ]
    rejected = sum(1 for _, outcome, _ in latest.values() if outcome == Outcome.REJECTED)
    table = _table(rows)
    for row in table:
        row["share_of_rejected"] = ratio(row["rejected"], rejected)
    return sorted(table, key=lambda r: (-r["rejected"], r["accepted"], r["key"]))


def lead_quality(period: Period) -> dict[str, Any]:
    rows = list(_decided(period).values_list(
        "outcome", "contact__original_campaign", "contact__original_source",
        "contact__scores__total", "reason__label",
    ))

    def keyed(index: int) -> list[Row]:
        return [(str(row[index] or "(none)"), row[0], row[4] or "") for row in rows]

    bands = [(_band(row[3] or 0), row[0], row[4] or "") for row in rows]  # no row: 0
    return {
        "by_campaign": _table(keyed(1)),
        "by_source": _table(keyed(2)),
        "by_score_band": sorted(_table(bands), key=lambda r: int(r["key"].split("-")[0])),
        "by_scoring_rule": by_scoring_rule(period),
    }

"""Lead quality for marketing: what sales decided on the MQLs, by campaign, source
channel and score band, over decisions taken in a period (accepted, rejected and
disqualified; acceptance rate = accepted / (accepted + rejected), null when none).
The score band is the contact's current score in bands of 20."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from smarketing.handoff.models import Assignment, Outcome
from smarketing.handoff.scorecard import Period, ratio

BAND = 20


def _band(score: int) -> str:
    low = max(score, 0) // BAND * BAND
    return f"{low}-{low + BAND - 1}"


def _rows(period: Period) -> list[tuple[str, str, str, str, str]]:
    start, end = period.bounds()
    decided = Assignment.objects.filter(
        decided_at__gte=start,
        decided_at__lt=end,
        outcome__in=[Outcome.ACCEPTED, Outcome.REJECTED, Outcome.DISQUALIFIED],
    )
    return [
        (outcome, campaign or "(none)", source or "(none)", _band(score), reason or "")
        for outcome, campaign, source, score, reason in decided.values_list(
            "outcome",
            "contact__original_campaign",
            "contact__original_source",
            "contact__score",
            "reason__label",
        )
    ]


def _table(rows: list[tuple[str, str, str, str, str]], index: int) -> list[dict[str, Any]]:
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        outcomes[row[index]][row[0]] += 1
        if row[0] == Outcome.REJECTED and row[4]:
            reasons[row[index]][row[4]] += 1
    table = []
    for key, counts in outcomes.items():
        accepted, rejected = counts[Outcome.ACCEPTED], counts[Outcome.REJECTED]
        table.append(
            {
                "key": key,
                "accepted": accepted,
                "rejected": rejected,
                "disqualified": counts[Outcome.DISQUALIFIED],
                "acceptance_rate": ratio(accepted, accepted + rejected),
                "top_reasons": reasons[key].most_common(3),
            }
        )
    return sorted(table, key=lambda r: (-(r["accepted"] + r["rejected"]), r["key"]))


def lead_quality(period: Period) -> dict[str, Any]:
    rows = _rows(period)
    return {
        "by_campaign": _table(rows, 1),
        "by_source": _table(rows, 2),
        "by_score_band": sorted(_table(rows, 3), key=lambda r: int(r["key"].split("-")[0])),
    }

"""Handoff read paths over a period: the SLA scorecard (each side), lead quality (by
campaign/source/band and by scoring rule), every open breach and a rep's inbox,
against the raw database reading the same assignment rows (the lower bound: one
aggregate over the period's assignments with their first follow-up activity).

    .venv/bin/python benchmarks/handoff.py --data-dir /var/tmp/smk-50k \
        [--start 2025-12-01 --end 2026-12-01] [--repeat 3]

Uses an existing data set (`smarketing generate --contacts N` first: its handoff
extension writes the SLA, rules and assignments); read-only. Prints figures and
ratios, asserts nothing (benchmarks are not tests).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import database_label, setup_django  # noqa: E402

RAW = """
SELECT COUNT(*), SUM(CASE WHEN f.first_at <= a.due_at THEN 1 ELSE 0 END)
FROM handoff_assignment a
LEFT JOIN (
    SELECT contact_id, MIN(at) AS first_at FROM pipeline_activity
    WHERE kind IN ('call', 'email', 'meeting') GROUP BY contact_id
) f ON f.contact_id = a.contact_id
WHERE a.assigned_at >= %s AND a.assigned_at < %s
"""


def best_of(repeat: int, action: Callable[[], Any]) -> float:
    """The fastest of `repeat` runs, in seconds (the least disturbed by other load)."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def raw_seconds(period: Any, repeat: int) -> float:
    from django.db import connection

    start, end = (connection.ops.adapt_datetimefield_value(b) for b in period.bounds())

    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(RAW, [start, end])
            cursor.fetchone()

    return best_of(repeat, run)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--start", default="")
    parser.add_argument("--end", default="")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django(args.data_dir)
    from django.contrib.auth.models import User
    from django.db.models import Count
    from django.utils import timezone

    from smarketing.core.periods import Period, preset
    from smarketing.handoff import quality, scorecard
    from smarketing.handoff.models import Assignment
    from smarketing.handoff.selectors import inbox

    period = (Period(dt.date.fromisoformat(args.start), dt.date.fromisoformat(args.end))
              if args.start else Period(preset("last-year").start, timezone.localdate()))
    start, end = period.bounds()
    rows = Assignment.objects.filter(assigned_at__gte=start, assigned_at__lt=end).count()
    busiest = (Assignment.objects.filter(outcome="open").values("rep").annotate(n=Count("id"))
               .order_by("-n").first())
    rep = User.objects.get(pk=busiest["rep"]) if busiest else None
    now = timezone.now()
    raw = raw_seconds(period, args.repeat)
    print(f"{database_label()}: {period.start}..{period.end}, {rows:,} assignments in the "
          f"period, {Assignment.objects.count():,} in all; raw aggregate {raw * 1000:.1f} ms")
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("scorecard: marketing side", lambda: scorecard.marketing_side(period, now)),
        ("scorecard: sales side", lambda: scorecard.sales_side(period, now)),
        ("scorecard: decisions side", lambda: scorecard.decisions_side(period)),
        ("scorecard: whole", lambda: scorecard.scorecard(period, now)),
        ("lead quality: whole", lambda: quality.lead_quality(period)),
        ("lead quality: by scoring rule", lambda: quality.by_scoring_rule(period)),
        ("every open breach", lambda: scorecard.all_open_breaches(now)),
    ]
    if rep is not None:
        cases.append((f"inbox of {rep.username}", lambda: list(inbox(rep, now))))
    print(f"{'read':<32} {'ms':>10} {'x raw':>8}")
    for label, action in cases:
        seconds = best_of(args.repeat, action)
        print(f"{label:<32} {seconds * 1000:>10.1f} {seconds / raw:>8.1f}")


if __name__ == "__main__":
    main()

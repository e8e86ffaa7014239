"""Moments and periods around UTC midnights, shared by the rollup proofs that keep
per-UTC-day counts (stageentries, stageflows) or read any range (dealsources): a
period in a zone far from UTC then starts and ends inside a UTC day."""

from __future__ import annotations

import datetime as dt
import random

from smarketing.core.periods import Period

BASE = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
PERIODS = [Period(dt.date(2026, 3, 1), dt.date(2026, 4, 1)),
           Period(dt.date(2026, 2, 27), dt.date(2026, 3, 3)),
           Period(dt.date(2026, 3, 5), dt.date(2026, 3, 6))]
ZONES = ("UTC", "America/New_York", "Asia/Kolkata")


def near_utc_midnight(rng: random.Random, first: int = -4, last: int = 33) -> dt.datetime:
    """A moment `first`..`last` days from BASE, at an hour near a UTC midnight or not."""
    return BASE + dt.timedelta(days=rng.randint(first, last),
                               hours=rng.choice([0, 1, 4, 12, 19, 23]),
                               minutes=rng.choice([0, 15, 44]))

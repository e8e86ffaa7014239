"""Seeded sampling helpers: weighted picks and skewed delays, fast enough for 1M rows."""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")
DAY = 86_400
MIN_DELAY = 600  # ten minutes between two moves of one contact at least


class Picker(Generic[T]):
    """Pick an item with probability proportional to its weight."""

    def __init__(self, rng: random.Random, weighted: Iterable[tuple[T, float]]) -> None:
        pairs = list(weighted)
        self.items = tuple(item for item, _ in pairs)
        self.cum = list(accumulate(weight for _, weight in pairs))
        self.total = self.cum[-1]
        self.rng = rng

    def __call__(self) -> T:
        return self.items[bisect_right(self.cum, self.rng.random() * self.total)]


def delay_seconds(rng: random.Random, median_days: float, sigma: float = 0.9) -> int:
    """A log-normal delay: most moves come soon, a long tail comes late."""
    return max(MIN_DELAY, int(median_days * DAY * math.exp(sigma * rng.gauss(0.0, 1.0))))

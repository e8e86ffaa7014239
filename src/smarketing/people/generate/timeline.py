"""The time window of the data set and when contacts appear in it (seasonality)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from itertools import accumulate

from smarketing.people.generate.random_tools import DAY, Picker
from smarketing.people.generate.reference import (
    ANNUAL_GROWTH,
    HOUR_WEIGHTS,
    MONTH_FACTORS,
    WEEKDAY_FACTORS,
)

DAYS_PER_MONTH = 30.44


@dataclass(frozen=True)
class Window:
    """[start, end) in Unix seconds; start is a UTC midnight, end is "now"."""

    start: int
    end: int

    @classmethod
    def ending(cls, end: dt.datetime, months: int) -> Window:
        end_ts = int(end.timestamp())
        days = max(1, round(months * DAYS_PER_MONTH))
        start_day = (end_ts // DAY) - days
        return cls(start=start_day * DAY, end=end_ts)

    @property
    def days(self) -> int:
        """Whole days before the day of `end`: contacts are created in them."""
        return max(1, (self.end // DAY) - (self.start // DAY))


def day_weights(window: Window) -> list[float]:
    """Weekday and month effects times a steady growth trend."""
    weights = []
    for index in range(window.days):
        day = dt.datetime.fromtimestamp(window.start + index * DAY, dt.UTC)
        growth = 1.0 + ANNUAL_GROWTH * index / window.days
        weights.append(WEEKDAY_FACTORS[day.weekday()] * MONTH_FACTORS[day.month - 1] * growth)
    return weights


class CreationTimes:
    """Draws contact creation times with seasonality, in business-ish hours."""

    def __init__(self, rng: random.Random, window: Window) -> None:
        self.rng = rng
        self.window = window
        self.cum = list(accumulate(day_weights(window)))
        self.hours = Picker(rng, enumerate(HOUR_WEIGHTS))

    def draw(self, count: int) -> list[int]:
        rng, start = self.rng, self.window.start
        days = rng.choices(range(len(self.cum)), cum_weights=self.cum, k=count)
        return [
            start + day * DAY + self.hours() * 3600 + rng.randrange(3600) for day in days
        ]

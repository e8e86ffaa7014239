"""One timeline per contact, assembled from every app that has something to say.

Apps depend downward only, so `people` cannot know about events or deals.
Instead each app registers a provider in its AppConfig.ready():

    register_timeline_provider("tracking.events", events_for_timeline)

A provider takes (contact_id, before, limit) and returns at most `limit`
TimelineItems strictly older than `before` (or the newest, when before is
None), newest first. `contact_timeline` merges them into one page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Provider = Callable[[int, datetime | None, int], list["TimelineItem"]]
_PROVIDERS: dict[str, Provider] = {}


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    kind: str  # "stage_change", "event", "activity", "deal", ...
    title: str
    detail: str = ""
    actor: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimelinePage:
    items: list[TimelineItem]
    next_before: datetime | None


def register_timeline_provider(name: str, provider: Provider) -> None:
    _PROVIDERS[name] = provider


def timeline_providers() -> dict[str, Provider]:
    return dict(_PROVIDERS)


def contact_timeline(
    contact_id: int, *, before: datetime | None = None, limit: int = 50
) -> TimelinePage:
    """The newest `limit` items older than `before`, across every provider."""
    merged: list[TimelineItem] = []
    for provider in _PROVIDERS.values():
        merged.extend(provider(contact_id, before, limit + 1))
    merged.sort(key=lambda item: item.at, reverse=True)
    page = merged[:limit]
    more = len(merged) > limit
    return TimelinePage(items=page, next_before=page[-1].at if more and page else None)

"""Building blocks for scoring tests: events stored as ingestion stores them, and
small models built through the versioning service."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from smarketing.people.models import Contact
from smarketing.scoring.models import ScoringModel
from smarketing.scoring.services import model_change
from smarketing.tracking.models import Event, Source, SourceKind

_ids = itertools.count(1)
NOW = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)


def source() -> Source:
    found = Source.objects.filter(name="Scoring tests").first()
    return found or Source.objects.create(
        name="Scoring tests", kind=SourceKind.SERVER, key_prefix="sk_test", key_hash="x" * 64
    )


def event(
    contact: Contact | None, kind: str = "track", name: str = "", *,
    at: dt.datetime = NOW, page_path: str = "", **properties: Any,
) -> Event:
    n = next(_ids)
    return Event.objects.create(
        source=source(), message_id=f"m{n}", type=kind, name=name, contact=contact,
        anonymous_id=f"anon-{n}", timestamp=at, received_at=at, page_path=page_path,
        properties=properties,
    )


def a_model(
    actor: Any, *, fit: list[dict[str, Any]] | None = None,
    engagement: list[dict[str, Any]] | None = None, **settings: Any,
) -> ScoringModel:
    """A new active version with exactly these rules and settings."""
    return model_change(
        actor=actor, settings=settings, fit_rules=fit or [], engagement_rules=engagement or [],
        note="test model",
    )

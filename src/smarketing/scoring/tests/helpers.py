"""Building blocks for scoring tests: events stored as ingestion stores them, and
small models built through the versioning service."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncDate

from smarketing.people.models import Contact
from smarketing.scoring.models import EngagementDay, EngagementMatcher, ScoringModel
from smarketing.scoring.rules import engagement_q
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


def direct_counts() -> set[tuple[int, int, dt.date, int]]:
    """Every matcher's events per (contact, UTC day), counted from the events."""
    rows = set()
    for matcher in EngagementMatcher.objects.all():
        found = (Event.objects.filter(engagement_q(matcher.event_type, matcher.event_name,
                                                   matcher.property_filters),
                                      contact__isnull=False)
                 .annotate(day=TruncDate("timestamp", tzinfo=dt.UTC))
                 .values("contact_id", "day").annotate(n=Count("id"))
                 .values_list("contact_id", "day", "n").order_by())
        rows |= {(contact, matcher.pk, day, n) for contact, day, n in found}
    return rows


def stored_counts() -> set[tuple[int, int, dt.date, int]]:
    return set(EngagementDay.objects.values_list("contact_id", "matcher_id", "day", "occurrences"))

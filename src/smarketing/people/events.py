"""Domain events of contacts (core.events): `contact.created`, `contact.stage_changed`."""

from __future__ import annotations

from typing import Any

from smarketing.core.events import publish, publish_many
from smarketing.people.models import Contact, StageChange


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def contact_data(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_id": contact.company_id,
        "owner_id": contact.owner_id,
        "lifecycle_stage": contact.lifecycle_stage,
        "lead_status": contact.lead_status,
        "original_source": contact.original_source,
        "original_campaign": contact.original_campaign,
        "score": contact.score,
        "created_at": _iso(contact.created_at),
    }


def publish_stage_change(contact: Contact, change: StageChange) -> None:
    """A contact's first history row is `contact.created`; every later one a stage change."""
    publish(*_stage_event(contact, change))


def publish_stage_changes(contacts: dict[int, Contact], changes: list[StageChange]) -> None:
    """publish_stage_change for a bulk move, one publish_many per event name."""
    by_event: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for change in changes:
        event, event_id, data = _stage_event(contacts[change.contact_id], change)
        by_event.setdefault(event, []).append((event_id, data))
    for event, items in by_event.items():
        publish_many(event, items)


def _stage_event(contact: Contact, change: StageChange) -> tuple[str, str, dict[str, Any]]:
    if not change.from_stage:
        return "contact.created", f"contact.created:{contact.pk}", contact_data(contact)
    return (
        "contact.stage_changed",
        f"contact.stage_changed:{change.pk}",
        {
            "contact": contact_data(contact),
            "stage_change_id": change.pk,
            "from_stage": change.from_stage,
            "to_stage": change.to_stage,
            "cause": change.cause,
            "reason": change.reason,
            "actor_id": change.actor_id,
            "at": _iso(change.at),
        },
    )

"""contact_merge: fold a duplicate contact into a primary one, losing nothing.

Every row of any app that points at the duplicate (identities, stage history,
events, deals, activities, ...) is re-pointed at the primary through Django's
relation metadata, so apps added later are covered without people knowing them.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import (
    ORDERED_STAGES,
    Cause,
    Contact,
    ContactMerge,
    Score,
    StageChange,
    stage_rank,
)
from smarketing.people.scores import ensure_rows

FILLABLE = (
    "email", "first_name", "last_name", "title", "phone", "company", "owner",
    "original_source", "original_campaign", "latest_source", "latest_campaign",
)


def _snapshot(contact: Contact) -> dict[str, Any]:
    data = model_to_dict(contact)
    data["id"] = contact.pk
    data["created_at"] = contact.created_at
    data["updated_at"] = contact.updated_at
    data.update(score=contact.score, fit_score=contact.fit_score,
                engagement_score=contact.engagement_score)
    data["identities"] = [
        f"{kind}:{value}" for kind, value in contact.identities.values_list("kind", "value")
    ]
    encoder = DjangoJSONEncoder()
    return {key: encoder.default(v) if _needs_encoding(v) else v for key, v in data.items()}


def _needs_encoding(value: Any) -> bool:
    return not isinstance(value, str | int | float | bool | list | dict | type(None))


def _repoint_relations(primary: Contact, duplicate: Contact) -> None:
    for relation in Contact._meta.related_objects:
        if relation.related_model is Score:  # each has its own: _combine_scores
            continue
        if relation.one_to_many or relation.one_to_one:
            field = relation.field.name
            manager = relation.related_model._default_manager
            manager.filter(**{field: duplicate}).update(**{field: primary})
        elif relation.many_to_many:
            through = relation.through._default_manager  # type: ignore[attr-defined]
            column = relation.field.m2m_reverse_field_name()  # type: ignore[attr-defined]
            through.filter(**{column: duplicate}).update(**{column: primary})


def _combine_fields(primary: Contact, duplicate: Contact) -> None:
    """Primary's values win; its empty ones are filled from the duplicate."""
    for field in FILLABLE:
        if not getattr(primary, field) and getattr(duplicate, field):
            setattr(primary, field, getattr(duplicate, field))
    primary.properties = {**duplicate.properties, **primary.properties}
    for stage in ORDERED_STAGES:
        name = f"became_{stage}_at"
        dates = [d for d in (getattr(primary, name), getattr(duplicate, name)) if d]
        setattr(primary, name, min(dates) if dates else None)


def _combine_scores(primary: Contact, duplicate: Contact) -> None:
    """The higher of each score (the next scoring recomputes them from both histories)."""
    ensure_rows()
    row, other = Score.objects.get(contact=primary), Score.objects.get(contact=duplicate)
    row.fit, row.engagement = max(row.fit, other.fit), max(row.engagement, other.engagement)
    row.total = max(row.total, other.total)
    row.save(update_fields=["fit", "engagement", "total"])


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _adopt_further_stage(primary: Contact, duplicate: Contact, actor: Any) -> None:
    """Take the duplicate's stage when it is further, recording the move in history."""
    if stage_rank(duplicate.lifecycle_stage) <= stage_rank(primary.lifecycle_stage):
        return
    StageChange.objects.create(
        contact=primary, from_stage=primary.lifecycle_stage, to_stage=duplicate.lifecycle_stage,
        at=timezone.now(), actor=_user_or_none(actor),
        cause=Cause.MERGE, reason=f"merged contact {duplicate.pk}",
    )
    primary.lifecycle_stage = duplicate.lifecycle_stage
    primary.lead_status = duplicate.lead_status
    primary.lead_status_reason = duplicate.lead_status_reason


@transaction.atomic
def contact_merge(*, primary: Contact, duplicate: Contact, actor: Any) -> Contact:
    """Merge `duplicate` into `primary`; the duplicate is deleted, a record is kept."""
    if primary.pk == duplicate.pk:
        raise ValidationFailed(
            "duplicate: a contact cannot be merged into itself", field="duplicate"
        )
    primary = Contact.objects.select_for_update().get(pk=primary.pk)
    duplicate = Contact.objects.select_for_update().get(pk=duplicate.pk)
    snapshot = _snapshot(duplicate)
    _combine_scores(primary, duplicate)
    _repoint_relations(primary, duplicate)
    email = duplicate.email
    _combine_fields(primary, duplicate)
    _adopt_further_stage(primary, duplicate, actor)
    if primary.email == email:
        duplicate.email = ""
        duplicate.save(update_fields=["email"])
    duplicate.delete()
    primary.save()
    ContactMerge.objects.create(
        primary=primary, merged_contact_id=snapshot["id"], merged_email=email,
        snapshot=snapshot, actor=_user_or_none(actor), at=timezone.now(),
    )
    return primary

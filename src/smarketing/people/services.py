"""Writes for companies, contacts, identities and custom property definitions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from smarketing.core.errors import Conflict, ValidationFailed
from smarketing.core.models import Region
from smarketing.people.lifecycle import check_transition, record_entry
from smarketing.people.models import (
    Cause,
    Company,
    Contact,
    Identity,
    IdentityKind,
    LeadStatus,
    PropertyDefinition,
    PropertyObject,
    SourceChannel,
    Stage,
)
from smarketing.people.properties import clean_properties, validate_definition

CONTACT_FIELDS = frozenset({
    "email", "first_name", "last_name", "title", "phone", "company", "owner",
    "lead_status", "original_source", "original_campaign", "latest_source", "latest_campaign",
    "properties",
})
COMPANY_FIELDS = frozenset({
    "name", "domain", "industry", "employee_count", "annual_revenue", "country", "region",
    "owner", "properties",
})
# Text columns are never NULL: a None from a caller means "clear it".
CONTACT_TEXT = CONTACT_FIELDS - {"company", "owner", "properties"}
COMPANY_TEXT = frozenset({"name", "domain", "industry", "country", "region"})


def normalize_email(raw: str) -> str:
    email = raw.strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except DjangoValidationError as exc:
        raise ValidationFailed(f"email: {raw!r} is not a valid address", field="email") from exc
    return email


def _refuse_unknown(fields: dict[str, Any], known: frozenset[str], kind: str) -> None:
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a {kind} field", field=unknown[0])


def _check_choice(field: str, value: str, allowed: list[str]) -> None:
    if value and value not in allowed:
        allowed_text = ", ".join(allowed)
        raise ValidationFailed(f"{field}: {value!r} is not one of {allowed_text}", field=field)


def _clean_contact_fields(fields: dict[str, Any], current: Contact | None) -> dict[str, Any]:
    _refuse_unknown(fields, CONTACT_FIELDS, "contact")
    cleaned = _blank_nulls(fields, CONTACT_TEXT)
    if "email" in cleaned:
        cleaned["email"] = normalize_email(cleaned["email"])
    _check_choice("lead_status", cleaned.get("lead_status", ""), LeadStatus.values)
    for source in ("original_source", "latest_source"):
        _check_choice(source, cleaned.get(source, ""), SourceChannel.values)
    if "properties" in cleaned:
        cleaned["properties"] = clean_properties(
            object_type=PropertyObject.CONTACT, values=cleaned["properties"] or {},
            current=current.properties if current else None,
        )
    return cleaned


def _blank_nulls(fields: dict[str, Any], text_fields: frozenset[str]) -> dict[str, Any]:
    return {k: ("" if v is None and k in text_fields else v) for k, v in fields.items()}


def _taken(obj: Contact | Company, field: str) -> bool:
    value = getattr(obj, field)
    others = type(obj)._default_manager.filter(**{field: value}).exclude(pk=obj.pk)
    return bool(value) and others.exists()


def _save_unique(obj: Contact | Company, field: str) -> None:
    """Save, reporting a clash on the unique `field` as an error naming it."""
    value = getattr(obj, field)
    if _taken(obj, field):
        raise ValidationFailed(f"{field}: {value!r} is already taken", field=field)
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        if not _taken(obj, field):
            raise
        raise ValidationFailed(f"{field}: {value!r} is already taken", field=field) from exc


def _identity_value(kind: str, value: str) -> str:
    if not (value or "").strip():
        raise ValidationFailed("value: an identity needs a value", field="value")
    if kind == IdentityKind.EMAIL:
        try:
            return normalize_email(value)
        except ValidationFailed as exc:
            message = f"value: {value!r} is not a valid email address"
            raise ValidationFailed(message, field="value") from exc
    return value.strip()


@transaction.atomic
def identity_add(
    *, contact: Contact, kind: str, value: str, field: str = "value"
) -> Identity:
    """Attach an identity; refuses one that already belongs to another contact.

    `field` names the input the value came from, for the error.
    """
    if kind not in IdentityKind.values:
        raise ValidationFailed(f"kind: use one of {', '.join(IdentityKind.values)}", field="kind")
    identity, created = Identity.objects.get_or_create(
        kind=kind, value=_identity_value(kind, value), defaults={"contact": contact}
    )
    if not created and identity.contact_id != contact.pk:
        raise ValidationFailed(
            f"{field}: {kind} {identity.value!r} already identifies contact "
            f"{identity.contact_id}",
            field=field,
        )
    return identity


@transaction.atomic
def contact_create(
    *, actor: Any, stage: str = Stage.LEAD, cause: str = Cause.MANUAL,
    reason: str = "", at: datetime | None = None, **fields: Any,
) -> Contact:
    """Create a contact in `stage`, writing its first stage history row."""
    check_transition(current="", to_stage=stage, cause=cause, actor=actor)
    contact = Contact(**_clean_contact_fields(fields, None), lifecycle_stage=stage)
    _save_unique(contact, "email")
    if contact.email:
        identity_add(
            contact=contact, kind=IdentityKind.EMAIL, value=contact.email, field="email"
        )
    record_entry(
        contact=contact, from_stage="", to_stage=stage, cause=cause, actor=actor,
        reason=reason, at=at or timezone.now(),
    )
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor: Any, **fields: Any) -> Contact:
    """Change a contact's fields (not its stage: that is contact_transition)."""
    cleaned = _clean_contact_fields(fields, contact)
    for name, value in cleaned.items():
        setattr(contact, name, value)
    _save_unique(contact, "email")
    if cleaned.get("email"):
        identity_add(
            contact=contact, kind=IdentityKind.EMAIL, value=contact.email, field="email"
        )
    return contact


def contact_delete(*, contact: Contact, actor: Any) -> None:
    contact.delete()


def _clean_company_fields(fields: dict[str, Any], current: Company | None) -> dict[str, Any]:
    _refuse_unknown(fields, COMPANY_FIELDS, "company")
    cleaned = _blank_nulls(fields, COMPANY_TEXT)
    if "name" in cleaned and not cleaned["name"].strip():
        raise ValidationFailed("name: a company needs a name", field="name")
    if "domain" in cleaned:
        cleaned["domain"] = cleaned["domain"].strip().lower().removeprefix("www.")
    _check_choice("region", cleaned.get("region", ""), Region.values)
    country = cleaned.get("country") or ""
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationFailed("country: use a two-letter ISO code", field="country")
    if country:
        cleaned["country"] = country.upper()
    if (cleaned.get("annual_revenue") or 0) < 0:
        raise ValidationFailed("annual_revenue: must be >= 0", field="annual_revenue")
    if "properties" in cleaned:
        cleaned["properties"] = clean_properties(
            object_type=PropertyObject.COMPANY, values=cleaned["properties"] or {},
            current=current.properties if current else None,
        )
    return cleaned


@transaction.atomic
def company_create(*, actor: Any, **fields: Any) -> Company:
    if not (fields.get("name") or "").strip():
        raise ValidationFailed("name: a company needs a name", field="name")
    company = Company(**_clean_company_fields(fields, None))
    _save_unique(company, "domain")
    return company


@transaction.atomic
def company_update(*, company: Company, actor: Any, **fields: Any) -> Company:
    for name, value in _clean_company_fields(fields, company).items():
        setattr(company, name, value)
    _save_unique(company, "domain")
    return company


def company_delete(*, company: Company, actor: Any) -> None:
    company.delete()


@transaction.atomic
def property_define(
    *, actor: Any, object_type: str, name: str, label: str, type: str,
    choices: list[str] | None = None, description: str = "",
) -> PropertyDefinition:
    validate_definition(
        name=name, type=type, choices=choices or [], object_type=object_type
    )
    if PropertyDefinition.objects.filter(object_type=object_type, name=name).exists():
        raise ValidationFailed(f"name: {object_type}.{name} already exists", field="name")
    return PropertyDefinition.objects.create(
        object_type=object_type, name=name, label=label or name, type=type,
        choices=list(choices or []), description=description,
    )


@transaction.atomic
def identity_remove(*, identity: Identity, actor: Any) -> None:
    """Forget one way of recognising a contact (not the email the contact carries:
    change the contact's email first)."""
    if identity.kind == IdentityKind.EMAIL and identity.value == identity.contact.email:
        raise Conflict(
            f"identity_id: {identity.value!r} is the contact's email; change the "
            "contact's email first", field="identity_id")
    identity.delete()


def _property_model(definition: PropertyDefinition) -> type[Contact] | type[Company]:
    return Contact if definition.object_type == PropertyObject.CONTACT else Company


@transaction.atomic
def property_update(
    *, definition: PropertyDefinition, actor: Any, label: str | None = None,
    description: str | None = None, choices: list[str] | None = None,
) -> PropertyDefinition:
    """Relabel, redescribe or change the choices of a property (its name and type
    stay: records hold values by name); a choice still held by a record stays."""
    if choices is not None:
        validate_definition(name=definition.name, type=definition.type, choices=choices,
                            object_type=definition.object_type)
        for dropped in sorted(set(definition.choices) - set(choices)):
            held = _property_model(definition).objects.filter(
                **{f"properties__{definition.name}": dropped}).count()
            if held:
                raise Conflict(f"choices: {held} records hold {dropped!r}; change them first",
                               field="choices")
        definition.choices = list(choices)
    if label is not None:
        definition.label = label.strip() or definition.name
    if description is not None:
        definition.description = description
    definition.save()
    return definition


@transaction.atomic
def property_delete(*, definition: PropertyDefinition, actor: Any) -> int:
    """Delete a property and its values on every record; returns how many records
    held one (rewritten in chunks of 2,000)."""
    manager: Any = _property_model(definition).objects
    holders = manager.filter(properties__has_key=definition.name).only("pk", "properties")
    changed, batch = 0, []
    for record in holders.iterator(chunk_size=2000):
        record.properties.pop(definition.name, None)
        batch.append(record)
        if len(batch) == 2000:
            manager.bulk_update(batch, ["properties"])
            changed, batch = changed + len(batch), []
    manager.bulk_update(batch, ["properties"])
    definition.delete()
    return changed + len(batch)

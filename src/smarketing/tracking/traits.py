"""The documented mapping of Segment traits to contact and company fields (docs/tracking.md).

Values that do not fit (a malformed email, a custom property value of the wrong
type) are left out: the event itself keeps every trait as it came.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import PropertyObject
from smarketing.people.properties import clean_value, definitions
from smarketing.people.services import normalize_email

log = logging.getLogger(__name__)

CONTACT_TRAITS: dict[str, str] = {
    "firstName": "first_name", "first_name": "first_name", "firstname": "first_name",
    "lastName": "last_name", "last_name": "last_name", "lastname": "last_name",
    "title": "title", "jobTitle": "title", "job_title": "title",
    "phone": "phone", "phoneNumber": "phone", "phone_number": "phone",
}
COMPANY_TRAITS: dict[str, str] = {
    "name": "name", "industry": "industry",
    "employees": "employee_count", "employee_count": "employee_count",
    "employeeCount": "employee_count",
    "domain": "domain", "website": "domain",
}
CONTACT_LIMITS = {"first_name": 100, "last_name": 100, "title": 200, "phone": 50}
COMPANY_LIMITS = {"name": 200, "industry": 100, "domain": 200}
# Traits that are never custom properties (they are mapped above or are structural).
RESERVED = frozenset({"email", "name", "company", "company_name", "companyName", "id", "userId"})


def _text(value: Any, limit: int) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()[:limit]


def trait_email(traits: dict[str, Any]) -> str:
    """The normalised email trait, or "" when absent or not an address."""
    raw = traits.get("email")
    if not isinstance(raw, str) or not raw.strip():
        return ""
    try:
        return normalize_email(raw)
    except ValidationFailed:
        return ""


def contact_fields(traits: dict[str, Any]) -> dict[str, Any]:
    """Standard contact fields named by the traits (`name` is split when first/last are not
    given); custom contact properties whose definition name equals the trait's."""
    fields: dict[str, Any] = {}
    for trait, field in CONTACT_TRAITS.items():
        value = _text(traits.get(trait), CONTACT_LIMITS[field])
        if value and field not in fields:
            fields[field] = value
    full = _text(traits.get("name"), 201)
    if full and not ({"first_name", "last_name"} & set(fields)):
        first, _, last = full.partition(" ")
        fields["first_name"], fields["last_name"] = first[:100], last.strip()[:100]
    properties = custom_properties(PropertyObject.CONTACT, traits, set(CONTACT_TRAITS))
    if properties:
        fields["properties"] = properties
    return fields


def custom_properties(
    object_type: str, traits: dict[str, Any], mapped: set[str]
) -> dict[str, Any]:
    """Traits named like a defined custom property, with values of its type."""
    defs = definitions(object_type)
    found: dict[str, Any] = {}
    for name, value in traits.items():
        if name in mapped or name in RESERVED or name not in defs or value in (None, ""):
            continue
        try:
            found[name] = clean_value(defs[name], value)
        except ValidationFailed as exc:
            log.info("trait %s left out: %s", name, exc.message)
    return found


def company_traits(traits: dict[str, Any]) -> dict[str, Any]:
    """The company named in identify traits: `company` as text or object, or `company_name`."""
    company = traits.get("company")
    if isinstance(company, dict):
        return company
    name = company if isinstance(company, str) else (
        traits.get("company_name") or traits.get("companyName")
    )
    return {"name": name} if isinstance(name, str) and name.strip() else {}


def company_fields(traits: dict[str, Any]) -> dict[str, Any]:
    """Company fields from group traits (or an identify trait `company` object)."""
    fields: dict[str, Any] = {}
    for trait, field in COMPANY_TRAITS.items():
        if field in fields or traits.get(trait) in (None, ""):
            continue
        if field == "employee_count":
            count = _count(traits[trait])
            if count is not None:
                fields[field] = count
        elif field == "domain":
            domain = domain_of(_text(traits[trait], 300))
            if domain:
                fields[field] = domain
        else:
            value = _text(traits[trait], COMPANY_LIMITS[field])
            if value:
                fields[field] = value
    properties = custom_properties(PropertyObject.COMPANY, traits, set(COMPANY_TRAITS))
    if properties:
        fields["properties"] = properties
    return fields


def _count(value: Any) -> int | None:
    try:
        number = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return number if 0 <= number < 2**31 else None


def domain_of(text: str) -> str:
    """`https://www.Acme.com/about` -> `acme.com`."""
    text = text.strip().lower()
    if not text:
        return ""
    host = urlsplit(text if "//" in text else f"//{text}").hostname or ""
    host = host.removeprefix("www.")
    return host if "." in host and len(host) <= 200 else ""

"""Bulk create / upsert of up to 1,000 records per call, all or nothing.

Each item goes through the same handler as the single-record endpoint (the same
schema, permission checks and service), inside a savepoint, so every refused item
is reported by its index; if any is refused the whole call is rolled back. With
`upsert_by` an item whose key matches an existing record updates it (the single
PATCH handler), the others are created.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pydantic
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja import Schema

from smarketing.core.errors import DomainError, ValidationFailed
from smarketing.people import api as people_api
from smarketing.people.models import Company, Contact
from smarketing.people.schemas import CompanyIn, CompanyPatch, ContactIn, ContactPatch
from smarketing.pipeline import api as pipeline_api
from smarketing.pipeline.models import Activity, Deal
from smarketing.pipeline.schemas import ActivityIn, DealIn, DealPatch

MAX_ITEMS = 1000


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    create_schema: type[Schema]
    create: Callable[..., Any]
    patch_schema: type[Schema] | None = None
    patch: Callable[..., Any] | None = None
    keys: dict[str, Callable[[Any], QuerySet[Any]]] = field(default_factory=dict)


def _by_email(value: Any) -> QuerySet[Any]:
    return Contact.objects.filter(email=str(value).strip().lower())


def _by_domain(value: Any) -> QuerySet[Any]:
    return Company.objects.filter(domain=str(value).strip().lower())


KINDS: dict[str, Kind] = {
    "contacts": Kind(
        Contact, ContactIn, people_api.contacts_create, ContactPatch, people_api.contacts_patch,
        {"id": lambda v: Contact.objects.filter(pk=v), "email": _by_email},
    ),
    "companies": Kind(
        Company, CompanyIn, people_api.companies_create, CompanyPatch,
        people_api.companies_patch,
        {"id": lambda v: Company.objects.filter(pk=v), "domain": _by_domain},
    ),
    "deals": Kind(
        Deal, DealIn, pipeline_api.deals_create, DealPatch, pipeline_api.deals_patch,
        {"id": lambda v: Deal.objects.filter(pk=v)},
    ),
    "activities": Kind(Activity, ActivityIn, pipeline_api.activities_create),
}


class _Refused(Exception):
    pass


def _error(index: int, exc: Exception) -> dict[str, Any]:
    if isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        name = ".".join(str(part) for part in first["loc"]) or "item"
        return {"index": index, "field": name, "detail": f"{name}: {first['msg']}",
                "code": "invalid"}
    assert isinstance(exc, DomainError)
    return {"index": index, "field": exc.field, "detail": exc.message, "code": exc.code}


def _existing(kind: Kind, upsert_by: str, item: dict[str, Any]) -> Model | None:
    value = item.get(upsert_by)
    if upsert_by == "" or value in (None, ""):
        return None
    return kind.keys[upsert_by](value).first()


def _one(request: HttpRequest, kind: Kind, upsert_by: str, item: dict[str, Any]) -> tuple[int, str]:
    if not isinstance(item, dict):
        raise ValidationFailed("item: must be an object", field="item")
    current = _existing(kind, upsert_by, item)
    data = {k: v for k, v in item.items() if k != "id"}
    if current is not None and kind.patch and kind.patch_schema:
        kind.patch(request, current.pk, kind.patch_schema.model_validate(data))
        return int(current.pk), "updated"
    if upsert_by == "id" and item.get("id") not in (None, ""):
        raise ValidationFailed(f"id: no record {item['id']} to update", field="id")
    created = kind.create(request, kind.create_schema.model_validate(data)).value
    return int(created.pk), "created"


def check_call(kind_name: str, upsert_by: str, items: list[Any]) -> Kind:
    kind = KINDS[kind_name]
    if not 1 <= len(items) <= MAX_ITEMS:
        raise ValidationFailed(f"items: send 1 to {MAX_ITEMS} items", field="items")
    if upsert_by and upsert_by not in kind.keys:
        allowed = ", ".join(kind.keys) or "nothing (create only)"
        raise ValidationFailed(f"upsert_by: {kind_name} upsert by {allowed}", field="upsert_by")
    return kind


def bulk_apply(
    *, request: HttpRequest, kind_name: str, items: list[Any], upsert_by: str = ""
) -> dict[str, Any]:
    """Create or update every item in one transaction; raises BulkRefused with the
    refused items (nothing written) when any item is refused."""
    kind = check_call(kind_name, upsert_by, items)
    results: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    try:
        with transaction.atomic():
            for index, item in enumerate(items):
                try:
                    with transaction.atomic():
                        pk, action = _one(request, kind, upsert_by, item)
                except (pydantic.ValidationError, DomainError) as exc:
                    errors.append(_error(index, exc))
                    continue
                results.append({"index": index, "id": pk, "action": action})
            if errors:
                raise _Refused
    except _Refused:
        raise BulkRefused(errors, len(items)) from None
    created = sum(1 for r in results if r["action"] == "created")
    return {"count": len(results), "created": created, "updated": len(results) - created,
            "items": results}


class BulkRefused(ValidationFailed):
    """Some items were refused: `errors` lists them by index; nothing was written."""

    def __init__(self, errors: list[dict[str, Any]], total: int) -> None:
        super().__init__(
            f"items: {len(errors)} of {total} items were refused; nothing was written",
            field="items",
        )
        self.errors = errors

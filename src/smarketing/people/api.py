"""/api/v1/contacts, /companies, /properties: CRUD, filters, lifecycle, merge."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Status

from smarketing.core.errors import NotFound, PermissionDenied, ValidationFailed
from smarketing.core.export import queryset_csv
from smarketing.core.roles import is_sales
from smarketing.core.schemas import PageQuery
from smarketing.core.timeline import contact_timeline
from smarketing.people import permissions as perms
from smarketing.people.exports import COMPANY_COLUMNS, CONTACT_COLUMNS
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.merge import contact_merge
from smarketing.people.models import Cause, Company, PropertyDefinition
from smarketing.people.schemas import (
    CompanyIn,
    CompanyList,
    CompanyOut,
    CompanyPatch,
    ContactIn,
    ContactList,
    ContactOut,
    ContactPatch,
    IdentityIn,
    IdentityList,
    IdentityOut,
    IdentityQuery,
    MergeIn,
    MergeList,
    MergeQuery,
    PropertyIn,
    PropertyList,
    PropertyOut,
    PropertyPatch,
    PropertyQuery,
    RecycleIn,
    StageChangeList,
    StageHistoryQuery,
    TimelineOut,
    TransitionIn,
)
from smarketing.people.selectors import (
    ContactFilters,
    MergeFilters,
    company_list,
    contact_list,
    identity_list,
    merge_list,
    property_list,
    stage_history,
)
from smarketing.people.services import (
    company_create,
    company_delete,
    company_update,
    contact_create,
    contact_delete,
    contact_update,
    identity_add,
    identity_remove,
    property_define,
    property_delete,
    property_update,
)

contacts_router = Router(tags=["contacts"])
companies_router = Router(tags=["companies"])
properties_router = Router(tags=["properties"])


class ContactQuery(PageQuery):
    q: str = ""
    stage: str = ""
    owner_id: int | None = None
    unowned: bool = False
    company_id: int | None = None
    score_min: int | None = None
    score_max: int | None = None
    prop: list[str] = []
    sort: str = "-created_at"


class CompanyQuery(PageQuery):
    q: str = ""
    owner_id: int | None = None
    region: str = ""
    prop: list[str] = []
    sort: str = "name"


def _resolve_refs(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    """Turn company_id / owner_id into objects, checking they exist and may be used."""
    if "company_id" in data:
        company_id = data.pop("company_id")
        company = Company.objects.filter(pk=company_id).first() if company_id else None
        if company_id and company is None:
            raise ValidationFailed(f"company_id: no company {company_id}", field="company_id")
        data["company"] = company
    if "owner_id" in data:
        owner_id = data.pop("owner_id")
        owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
        if owner_id and owner is None:
            raise ValidationFailed(f"owner_id: no active user {owner_id}", field="owner_id")
        if not perms.can_assign_owner(user, owner_id):
            raise PermissionDenied(
                "owner_id: you may not assign records to that user", field="owner_id"
            )
        data["owner"] = owner
    return data


def _contact_filters(query: ContactQuery) -> ContactFilters:
    data = query.filters()
    data["props"] = data.pop("prop")
    return ContactFilters(**data)


@contacts_router.get("", response=ContactList, summary="List contacts (search, filter, sort)")
def contacts_list(request: HttpRequest, filters: Query[ContactQuery]) -> dict[str, Any]:
    return filters.page_of(contact_list(_contact_filters(filters)))


@contacts_router.get("/export.csv", summary="The contacts matching the list's filters, as CSV")
def contacts_export(request: HttpRequest, filters: Query[ContactQuery]) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    return queryset_csv("contacts.csv", contact_list(_contact_filters(filters)), CONTACT_COLUMNS)


@contacts_router.get("/merges", response=MergeList,
                     summary="The audit of merges: which contact was folded into which, by whom")
def contacts_merges(request: HttpRequest, filters: Query[MergeQuery]) -> dict[str, Any]:
    """Everyone with a role reads it, as they read every contact."""
    qs = merge_list(MergeFilters(**filters.filters()))
    return filters.page_of(qs)


@contacts_router.post("", response={201: ContactOut}, summary="Create a contact")
def contacts_create(request: HttpRequest, payload: ContactIn) -> Status:
    data = payload.dict()
    stage = data.pop("lifecycle_stage")
    if data.get("owner_id") is None and is_sales(request.user):
        data["owner_id"] = request.user.pk
    fields = _resolve_refs(request.user, data)
    return Status(201, contact_create(actor=request.user, stage=stage, **fields))


@contacts_router.get("/{contact_id}", response=ContactOut, summary="One contact")
def contacts_get(request: HttpRequest, contact_id: int) -> Any:
    return perms.contact_get_for_user(user=request.user, contact_id=contact_id)


@contacts_router.patch("/{contact_id}", response=ContactOut, summary="Change a contact")
def contacts_patch(request: HttpRequest, contact_id: int, payload: ContactPatch) -> Any:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id, change=True)
    fields = _resolve_refs(request.user, payload.dict(exclude_unset=True))
    return contact_update(contact=contact, actor=request.user, **fields)


@contacts_router.delete("/{contact_id}", response={204: None}, summary="Delete a contact")
def contacts_delete(request: HttpRequest, contact_id: int) -> Status:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id)
    if not perms.contact_can_delete(request.user, contact):
        raise NotFound(f"contact {contact_id} not found", field="id")
    contact_delete(contact=contact, actor=request.user)
    return Status(204, None)


@contacts_router.post(
    "/{contact_id}/transition", response=ContactOut, summary="Move forward in the lifecycle"
)
def contacts_transition(request: HttpRequest, contact_id: int, payload: TransitionIn) -> Any:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id, change=True)
    contact_transition(
        contact=contact, to_stage=payload.to_stage, cause=Cause.MANUAL,
        actor=request.user, reason=payload.reason,
    )
    contact.refresh_from_db()
    return contact


@contacts_router.post(
    "/{contact_id}/recycle", response=ContactOut, summary="Send an MQL/SQL back to lead"
)
def contacts_recycle(request: HttpRequest, contact_id: int, payload: RecycleIn) -> Any:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id, change=True)
    contact_recycle(contact=contact, actor=request.user, reason=payload.reason)
    contact.refresh_from_db()
    return contact


@contacts_router.get(
    "/{contact_id}/history", response=StageChangeList,
    summary="Stage history, oldest first (filters: stage, cause, period; sort; pages)",
)
def contacts_history(
    request: HttpRequest, contact_id: int, query: Query[StageHistoryQuery]
) -> dict[str, Any]:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id)
    return query.page_of(stage_history(contact, **query.filters()))


@contacts_router.get(
    "/{contact_id}/timeline", response=TimelineOut,
    summary="Everything that happened to a contact, newest first (cursor: before)",
)
def contacts_timeline(
    request: HttpRequest, contact_id: int, before: datetime | None = None, limit: int = 50
) -> dict[str, Any]:
    perms.contact_get_for_user(user=request.user, contact_id=contact_id)
    if not 1 <= limit <= 200:
        raise ValidationFailed("limit: use 1 to 200", field="limit")
    page = contact_timeline(contact_id, before=before, limit=limit)
    return {"items": page.items, "count": len(page.items), "next_before": page.next_before}


@contacts_router.get("/{contact_id}/identities", response=IdentityList,
                     summary="A contact's identities (filters: kind, value; sort; pages)")
def contacts_identities(
    request: HttpRequest, contact_id: int, query: Query[IdentityQuery]
) -> dict[str, Any]:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id)
    return query.page_of(identity_list(contact, **query.filters()))


@contacts_router.post("/{contact_id}/identities", response={201: IdentityOut})
def contacts_identity_add(
    request: HttpRequest, contact_id: int, payload: IdentityIn
) -> Status:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id, change=True)
    return Status(201, identity_add(contact=contact, kind=payload.kind, value=payload.value))


@contacts_router.delete("/{contact_id}/identities/{identity_id}", response={204: None},
                        summary="Remove an identity (not the contact's own email)")
def contacts_identity_remove(request: HttpRequest, contact_id: int, identity_id: int) -> Status:
    contact = perms.contact_get_for_user(user=request.user, contact_id=contact_id, change=True)
    identity = contact.identities.filter(pk=identity_id).first()
    if identity is None:
        raise NotFound(f"identity {identity_id} not found", field="identity_id")
    identity_remove(identity=identity, actor=request.user)
    return Status(204, None)


@contacts_router.post(
    "/{contact_id}/merge", response=ContactOut, summary="Merge another contact into this one"
)
def contacts_merge(request: HttpRequest, contact_id: int, payload: MergeIn) -> Any:
    primary = perms.contact_get_for_user(user=request.user, contact_id=contact_id, change=True)
    if payload.duplicate_id == contact_id:
        raise ValidationFailed(
            "duplicate_id: a contact cannot be merged into itself", field="duplicate_id"
        )
    try:
        duplicate = perms.contact_get_for_user(
            user=request.user, contact_id=payload.duplicate_id, change=True
        )
    except NotFound as exc:
        raise ValidationFailed(
            f"duplicate_id: no contact {payload.duplicate_id} that you may change",
            field="duplicate_id",
        ) from exc
    return contact_merge(primary=primary, duplicate=duplicate, actor=request.user)


def _companies(query: CompanyQuery) -> Any:
    data = query.filters()
    data["props"] = data.pop("prop")
    return company_list(**data)


@companies_router.get("", response=CompanyList, summary="List companies")
def companies_list(request: HttpRequest, filters: Query[CompanyQuery]) -> dict[str, Any]:
    return filters.page_of(_companies(filters))


@companies_router.get("/export.csv", summary="The companies matching the list's filters, as CSV")
def companies_export(request: HttpRequest, filters: Query[CompanyQuery]) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    return queryset_csv("companies.csv", _companies(filters), COMPANY_COLUMNS)


@companies_router.post("", response={201: CompanyOut}, summary="Create a company")
def companies_create(request: HttpRequest, payload: CompanyIn) -> Status:
    data = payload.dict()
    if data.get("owner_id") is None and is_sales(request.user):
        data["owner_id"] = request.user.pk
    return Status(201, company_create(actor=request.user, **_resolve_refs(request.user, data)))


@companies_router.get("/{company_id}", response=CompanyOut, summary="One company")
def companies_get(request: HttpRequest, company_id: int) -> Any:
    return perms.company_get_for_user(user=request.user, company_id=company_id)


@companies_router.patch("/{company_id}", response=CompanyOut, summary="Change a company")
def companies_patch(request: HttpRequest, company_id: int, payload: CompanyPatch) -> Any:
    company = perms.company_get_for_user(user=request.user, company_id=company_id, change=True)
    fields = _resolve_refs(request.user, payload.dict(exclude_unset=True))
    return company_update(company=company, actor=request.user, **fields)


@companies_router.delete("/{company_id}", response={204: None}, summary="Delete a company")
def companies_delete(request: HttpRequest, company_id: int) -> Status:
    company = perms.company_get_for_user(user=request.user, company_id=company_id)
    if not perms.company_can_delete(request.user, company):
        raise NotFound(f"company {company_id} not found", field="id")
    company_delete(company=company, actor=request.user)
    return Status(204, None)


@properties_router.get("", response=PropertyList,
                       summary="Custom property definitions (filters, sort, pages)")
def properties_list(request: HttpRequest, query: Query[PropertyQuery]) -> dict[str, Any]:
    """By object type and name unless `sort` says otherwise."""
    return query.page_of(property_list(**query.filters()))


@properties_router.post("", response={201: PropertyOut}, summary="Define a custom property")
def properties_create(request: HttpRequest, payload: PropertyIn) -> Status:
    if not perms.properties_can_define(request.user, payload.object_type):
        raise PermissionDenied("only admins define properties", field="object_type")
    return Status(201, property_define(actor=request.user, **payload.dict()))


def _definition(user: Any, property_id: int, change: bool = False) -> PropertyDefinition:
    definition = PropertyDefinition.objects.filter(pk=property_id).first()
    if definition is None:
        raise NotFound(f"property {property_id} not found", field="id")
    if change and not perms.properties_can_define(user, definition.object_type):
        raise PermissionDenied("id: only admins change properties", field="id")
    return definition


@properties_router.get("/{property_id}", response=PropertyOut, summary="One property definition")
def properties_get(request: HttpRequest, property_id: int) -> PropertyDefinition:
    return _definition(request.user, property_id)


@properties_router.patch("/{property_id}", response=PropertyOut,
                         summary="Change a property's label, description or choices (admins)")
def properties_update(
    request: HttpRequest, property_id: int, payload: PropertyPatch
) -> PropertyDefinition:
    definition = _definition(request.user, property_id, change=True)
    return property_update(definition=definition, actor=request.user,
                           **payload.dict(exclude_unset=True))


@properties_router.delete("/{property_id}", response={204: None},
                          summary="Delete a property and its values on every record (admins)")
def properties_delete(request: HttpRequest, property_id: int) -> Status:
    definition = _definition(request.user, property_id, change=True)
    property_delete(definition=definition, actor=request.user)
    return Status(204, None)

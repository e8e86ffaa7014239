"""/api/v1/sources: tracking sources (a source's write key is returned once, on creation
or rotation) and their hosted lead-capture forms; /api/v1/events: stored events."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Status

from smarketing.core.errors import NotFound, PermissionDenied
from smarketing.core.export import queryset_csv
from smarketing.core.ordering import listing
from smarketing.tracking.exports import EVENT_COLUMNS
from smarketing.tracking.forms_hosted import form_create, form_delete, form_update
from smarketing.tracking.models import Event, HostedForm, Source, SourceKind
from smarketing.tracking.permissions import can_manage_sources, can_read_events
from smarketing.tracking.schemas import (
    EventList,
    EventOut,
    EventQuery,
    HostedFormIn,
    HostedFormList,
    HostedFormOut,
    HostedFormPatch,
    HostedFormQuery,
    SourceCreated,
    SourceIn,
    SourceList,
    SourceOut,
    SourcePatch,
)
from smarketing.tracking.selectors import EventFilters, event_list, form_list, source_list
from smarketing.tracking.services import source_create, source_rotate_key, source_update

router = Router(tags=["sources"])
events_router = Router(tags=["events"])
EVENT_COUNT_CAP = 10_000


def _allowed(request: HttpRequest) -> None:
    if not can_manage_sources(request.user):
        raise PermissionDenied("sources are managed by marketing and admins", field="role")


def _created(source: Source, key: str) -> dict:
    return {**SourceOut.from_orm(source).dict(), "write_key": key}


@router.get("", response=SourceList, summary="Tracking sources (write keys are never shown)")
def sources_list(
    request: HttpRequest, kind: SourceKind | None = None, enabled: bool | None = None,
    sort: str = "name", limit: int = 50, offset: int = 0,
) -> dict:
    _allowed(request)
    qs = source_list(kind=kind or "", enabled=enabled, sort=sort)
    return listing(qs, limit=limit, offset=offset)


@router.post("", response={201: SourceCreated},
             summary="Create a source: its write key is shown once")
def sources_create(request: HttpRequest, payload: SourceIn) -> Status:
    _allowed(request)
    source, key = source_create(
        actor=request.user, name=payload.name, kind=payload.kind, rate_limit=payload.rate_limit
    )
    return Status(201, _created(source, key))


@router.get("/{source_id}", response=SourceOut, summary="One tracking source (no write key)")
def sources_get(request: HttpRequest, source_id: int) -> Source:
    _allowed(request)
    return _source(source_id)


@router.patch("/{source_id}", response=SourceOut,
              summary="Rename a source or enable / disable it (a disabled one accepts no events)")
def sources_patch(request: HttpRequest, source_id: int, payload: SourcePatch) -> Source:
    _allowed(request)
    return source_update(source=_source(source_id), actor=request.user,
                         **payload.dict(exclude_unset=True))


@router.post("/{source_id}/rotate-key", response=SourceCreated,
             summary="Replace a source's write key (the old one stops working); shown once")
def sources_rotate_key(request: HttpRequest, source_id: int) -> dict:
    _allowed(request)
    key = source_rotate_key(source=_source(source_id), actor=request.user)
    return _created(_source(source_id), key)


def _source(source_id: int) -> Source:
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound(f"source {source_id} not found", field="source_id")
    return source


def _form_out(form: HostedForm) -> dict:
    fields = {f: getattr(form, f) for f in HostedFormOut.model_fields if f != "url"}
    return {**fields, "url": f"/f/{form.slug}/"}


@router.get("/{source_id}/forms", response=HostedFormList,
            summary="A source's hosted lead-capture forms, by name (filters, sort, pages)")
def source_forms(request: HttpRequest, source_id: int, query: Query[HostedFormQuery]) -> dict:
    _allowed(request)
    found = query.page_of(form_list(_source(source_id), **query.filters()))
    return {**found, "items": [_form_out(f) for f in found["items"]]}


@router.post("/{source_id}/forms", response={201: HostedFormOut},
             summary="Define a hosted form, served at /f/<slug>/ and embeddable in an iframe")
def source_forms_create(request: HttpRequest, source_id: int, payload: HostedFormIn) -> Status:
    _allowed(request)
    data = payload.dict()
    fields = data.pop("fields")
    form = form_create(actor=request.user, source=_source(source_id), fields=fields, **data)
    return Status(201, _form_out(form))


def _form(source_id: int, form_id: int) -> HostedForm:
    form = HostedForm.objects.filter(pk=form_id, source=_source(source_id)).first()
    if form is None:
        raise NotFound(f"form {form_id} not found", field="form_id")
    return form


@router.get("/{source_id}/forms/{form_id}", response=HostedFormOut, summary="One hosted form")
def source_form_get(request: HttpRequest, source_id: int, form_id: int) -> dict:
    _allowed(request)
    return _form_out(_form(source_id, form_id))


@router.patch("/{source_id}/forms/{form_id}", response=HostedFormOut,
              summary="Change a hosted form (its slug stays); enabled=false takes it offline")
def source_form_patch(
    request: HttpRequest, source_id: int, form_id: int, payload: HostedFormPatch
) -> dict:
    _allowed(request)
    form = _form(source_id, form_id)
    return _form_out(form_update(form=form, actor=request.user,
                                 **payload.dict(exclude_unset=True)))


@router.delete("/{source_id}/forms/{form_id}", response={204: None},
               summary="Delete a hosted form (its recorded submissions stay as events)")
def source_form_delete(request: HttpRequest, source_id: int, form_id: int) -> Status:
    _allowed(request)
    form_delete(form=_form(source_id, form_id), actor=request.user)
    return Status(204, None)


def _reader(request: HttpRequest) -> None:
    if not can_read_events(request.user):
        raise PermissionDenied("events: your role may not read events", field="role")


def _events(request: HttpRequest, query: EventQuery) -> Any:
    _reader(request)
    return event_list(EventFilters(**query.filters()))


@events_router.get("", response=EventList,
                   summary="Stored events (filters, sort), newest first; count up to 10,000")
def events_list(request: HttpRequest, query: Query[EventQuery]) -> dict[str, Any]:
    return listing(_events(request, query), limit=query.limit, offset=query.offset,
                   count_cap=EVENT_COUNT_CAP)


@events_router.get("/export.csv", summary="The events matching the list's filters, as CSV")
def events_export(request: HttpRequest, query: Query[EventQuery]) -> StreamingHttpResponse:
    """Streamed: every matching event (limit and offset are ignored)."""
    return queryset_csv("events.csv", _events(request, query), EVENT_COLUMNS)


@events_router.get("/{event_id}", response=EventOut, summary="One stored event")
def events_get(request: HttpRequest, event_id: int) -> Event:
    _reader(request)
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        raise NotFound(f"event {event_id} not found", field="id")
    return event

"""/api/v1/sources: tracking sources (a source's write key is returned once, on creation
or rotation) and their hosted lead-capture forms."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from smarketing.core.errors import NotFound, PermissionDenied
from smarketing.tracking.forms_hosted import form_create
from smarketing.tracking.models import HostedForm, Source
from smarketing.tracking.permissions import can_manage_sources
from smarketing.tracking.schemas import (
    HostedFormIn,
    HostedFormList,
    HostedFormOut,
    SourceCreated,
    SourceIn,
    SourceList,
    SourceOut,
    SourcePatch,
)
from smarketing.tracking.selectors import source_list
from smarketing.tracking.services import source_create, source_rotate_key, source_update

router = Router(tags=["sources"])


def _allowed(request: HttpRequest) -> None:
    if not can_manage_sources(request.user):
        raise PermissionDenied("sources are managed by marketing and admins", field="role")


def _created(source: Source, key: str) -> dict:
    return {**SourceOut.from_orm(source).dict(), "write_key": key}


@router.get("", response=SourceList, summary="Tracking sources (write keys are never shown)")
def sources_list(request: HttpRequest) -> dict:
    _allowed(request)
    items = list(source_list())
    return {"items": items, "count": len(items)}


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
            summary="A source's hosted lead-capture forms")
def source_forms(request: HttpRequest, source_id: int) -> dict:
    _allowed(request)
    items = [_form_out(f) for f in HostedForm.objects.filter(source=_source(source_id))
             .order_by("name")]
    return {"items": items, "count": len(items)}


@router.post("/{source_id}/forms", response={201: HostedFormOut},
             summary="Define a hosted form, served at /f/<slug>/ and embeddable in an iframe")
def source_forms_create(request: HttpRequest, source_id: int, payload: HostedFormIn) -> Status:
    _allowed(request)
    data = payload.dict()
    fields = data.pop("fields")
    form = form_create(actor=request.user, source=_source(source_id), fields=fields, **data)
    return Status(201, _form_out(form))

"""/api/v1/sources: tracking sources; a source's write key is returned once, on creation
or rotation."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from smarketing.core.errors import NotFound, PermissionDenied
from smarketing.tracking.models import Source
from smarketing.tracking.permissions import can_manage_sources
from smarketing.tracking.schemas import SourceCreated, SourceIn, SourceList, SourceOut
from smarketing.tracking.selectors import source_list
from smarketing.tracking.services import source_create, source_rotate_key

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


@router.post("/{source_id}/rotate-key", response=SourceCreated,
             summary="Replace a source's write key (the old one stops working); shown once")
def sources_rotate_key(request: HttpRequest, source_id: int) -> dict:
    _allowed(request)
    source = Source.objects.filter(pk=source_id).first()
    if source is None:
        raise NotFound(f"source {source_id} not found", field="source_id")
    key = source_rotate_key(source=source, actor=request.user)
    return _created(source, key)

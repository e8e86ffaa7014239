"""The tracking API at the server root: POST /v1/identify|track|page|screen|group|alias|batch,
Segment's HTTP Tracking API. Plain Django views (no session, no CSRF: the write key
authenticates), so the hot path stays short. Statuses and bodies: docs/tracking.md.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from smarketing.tracking.messages import (
    MAX_BATCH_BYTES,
    MAX_MESSAGE_BYTES,
    BadRequest,
    Envelope,
    Incoming,
    Problem,
    batch_messages,
    decode_body,
    message_size,
    validate,
)
from smarketing.tracking.models import Source
from smarketing.tracking.services import (
    events_ingest,
    record_rejected_request,
    source_for_key,
    source_rate_check,
)

JSON_TYPES = ("application/json", "text/plain")
CORS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "POST, OPTIONS",
    "Access-Control-Allow-Headers": "Authorization, Content-Type, Content-Encoding",
    "Access-Control-Max-Age": "86400",
}


class Unauthorized(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _json(status: int, body: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(orjson.dumps(body), status=status, content_type="application/json")
    for header, value in CORS.items():
        response[header] = value
    return response


def _error(status: int, code: str, message: str, field: str = "") -> HttpResponse:
    return _json(status, {"success": False, "code": code, "message": message, "field": field})


def _basic_auth_key(request: HttpRequest) -> str | None:
    """The write key sent as Basic auth user (`KEY:`), None without Basic auth."""
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise Unauthorized(401, "the Authorization header is not valid Basic auth") from exc
    return decoded.partition(":")[0]


def _source(key: str | None) -> Source:
    source = source_for_key(key or "")
    if source is None:
        raise Unauthorized(401, "unknown write key" if key else "no write key")
    if not source.enabled:
        raise Unauthorized(403, "this source is disabled")
    return source


def _check_headers(request: HttpRequest, limit: int) -> None:
    content_type = request.content_type or ""
    if content_type.lower() not in JSON_TYPES:
        raise BadRequest(
            "content_type", f"Content-Type must be application/json, not {content_type!r}"
        )
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError as exc:
        raise BadRequest("invalid_length", "Content-Length is not a number") from exc
    if length > limit:
        raise BadRequest("too_large", f"the body is larger than {limit // 1024} KB")


def _single(document: Any, kind: str) -> list[Any]:
    if not isinstance(document, dict):
        raise BadRequest("invalid_message", "the body must be a JSON object", "message")
    if message_size(document) > MAX_MESSAGE_BYTES:
        raise BadRequest("too_large", "message: larger than 32 KB", "message")
    return [{**document, "type": kind}]


def _validated(
    raws: list[Any], envelope: Envelope, received_at: Any
) -> tuple[list[Incoming], list[Problem]]:
    messages: list[Incoming] = []
    problems: list[Problem] = []
    for index, raw in enumerate(raws):
        result = validate(raw, index, envelope, received_at)
        (problems if isinstance(result, Problem) else messages).append(result)  # type: ignore[arg-type]
    return messages, problems


def _read(request: HttpRequest, kind: str) -> tuple[Source, list[Any], Envelope]:
    """Authenticate and decode the request: (source, raw messages, batch-level fields)."""
    basic_key = _basic_auth_key(request)
    source = _source(basic_key) if basic_key is not None else None
    limit = MAX_BATCH_BYTES if kind == "batch" else MAX_MESSAGE_BYTES
    _check_headers(request, limit)
    document = decode_body(request.body, request.headers.get("Content-Encoding", ""))
    if source is None:
        key = document.get("writeKey") if isinstance(document, dict) else None
        source = _source(key if isinstance(key, str) else None)
    if kind == "batch":
        raws, envelope = batch_messages(document)
        return source, raws, envelope
    return source, _single(document, kind), Envelope()


@csrf_exempt
def ingest(request: HttpRequest, kind: str) -> HttpResponse:
    if request.method == "OPTIONS":
        return _json(200, {})
    if request.method != "POST":
        return _error(405, "method_not_allowed", "use POST")
    received_at = timezone.now()
    try:
        source, raws, envelope = _read(request, kind)
    except Unauthorized as exc:
        return _error(exc.status, "unauthorized", exc.message)
    except BadRequest as exc:
        return _error(400, exc.code, exc.message, exc.field)
    wait = source_rate_check(source=source, messages=len(raws), now=received_at)
    if wait:
        response = _error(429, "rate_limited", f"over {source.rate_limit} messages a minute")
        response["Retry-After"] = str(wait)
        return response
    messages, problems = _validated(raws, envelope, received_at)
    if kind != "batch" and problems:
        problem = problems[0]
        record_rejected_request(source=source, problems=problems, received_at=received_at)
        return _error(400, "invalid_message", problem.reason, problem.field)
    result = events_ingest(
        source=source, messages=messages, problems=problems, received_at=received_at
    )
    return _json(200, {
        "success": True,
        "stored": result.stored,
        "duplicates": len(result.duplicates),
        "errors": [
            {"index": p.index, "field": p.field, "message": p.reason} for p in result.problems
        ],
    })

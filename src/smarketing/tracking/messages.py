"""Segment-spec messages: the request body's limits, each message's validation
(pydantic), batch-level merging, timestamps and clock-skew correction.

Nothing here touches the database: it turns bytes into `Incoming` messages and
`Problem`s, each naming the field at fault.
"""

from __future__ import annotations

import gzip
import json
import re
import uuid
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, StrictInt, StrictStr, ValidationError

from smarketing.tracking.attribution import PageFacts, page_facts

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
MAX_BATCH_MESSAGES = 2500
MAX_ID_LENGTH = 200
MAX_NAME_LENGTH = 200
MAX_DEPTH = 200  # orjson writes at most 254 levels, SQLite's JSON_VALID checks 1,000
ORJSON_LEVELS = 254
TYPES = ("identify", "track", "page", "screen", "group", "alias")
ORDINAL_DATE = re.compile(r"(\d{4})-?(\d{3})(?=$|[T ])")


class BadRequest(Exception):
    """The whole request is refused (400), nothing is stored."""

    def __init__(self, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Problem:
    """Why one message was refused; `index` is its place in the batch."""

    index: int
    field: str
    reason: str
    message_id: str = ""
    type: str = ""
    name: str = ""
    payload: str = ""


@dataclass
class Incoming:
    """A valid message, normalised for storage and stitching."""

    index: int
    type: str
    message_id: str
    name: str
    anonymous_id: str
    user_id: str
    timestamp: datetime
    sent_at: datetime | None
    properties: dict[str, Any]
    context: dict[str, Any]
    traits: dict[str, Any]
    group_id: str = ""
    previous_id: str = ""
    page: PageFacts = field(default_factory=PageFacts)


Id = StrictStr | StrictInt | None  # an id may be a number; never a bool or a float
ID_FIELDS = ("messageId", "userId", "anonymousId", "groupId", "previousId")


class Message(BaseModel):
    """One message as Segment's HTTP API documents it. Unknown keys are allowed and ignored."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["identify", "track", "page", "screen", "group", "alias"]
    messageId: Id = None
    userId: Id = None
    anonymousId: Id = None
    event: str | None = None
    name: str | None = None
    groupId: Id = None
    previousId: Id = None
    properties: dict[str, Any] | None = None
    traits: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    integrations: dict[str, Any] | None = None
    timestamp: str | None = None
    sentAt: str | None = None


def parse_timestamp(raw: str, field_name: str) -> datetime:
    """Any ISO 8601 date-time (extended or basic, week or ordinal dates, 'Z' or an offset,
    any fraction); without an offset it is UTC; a date alone is its midnight UTC."""
    text = raw.strip()
    try:
        text = _ordinal_to_calendar(text)
        parsed = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{field_name}: {raw[:40]!r} is not an ISO 8601 date-time") from exc
    try:
        return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except OverflowError as exc:
        raise ValueError(f"{field_name}: {raw[:40]!r} is out of the range of dates") from exc


def _ordinal_to_calendar(text: str) -> str:
    match = ORDINAL_DATE.match(text)
    if not match:
        return text
    year, day = int(match.group(1)), int(match.group(2))
    if not 1 <= day <= 366:
        raise ValueError(text)
    calendar = date(year, 1, 1) + timedelta(days=day - 1)
    return calendar.isoformat() + text[match.end():]


def decode_body(body: bytes, encoding: str) -> Any:
    """The JSON document of a request body (gunzipped when `encoding` says so)."""
    if encoding.strip().lower() == "gzip":
        body = _gunzip(body)
    elif encoding.strip() not in ("", "identity"):
        raise BadRequest("unsupported_encoding", f"Content-Encoding {encoding!r} is not gzip")
    if len(body) > MAX_BATCH_BYTES:
        raise BadRequest("too_large", "the body is larger than 500 KB")
    if b"\\u0000" in body or b"\x00" in body:
        raise BadRequest("invalid_json", "the body contains a NUL character (\\u0000)")
    try:  # orjson: strict JSON (no NaN/Infinity, no lone surrogate), 1,024 levels at most
        document = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise BadRequest("invalid_json", f"the body is not valid JSON: {exc}") from exc
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _too_deep(document):
        raise BadRequest("invalid_json", f"the body nests more than {MAX_DEPTH} levels deep")
    return document


def _too_deep(document: Any) -> bool:
    """Whether containers nest more than MAX_DEPTH levels in `document`: orjson refuses
    to write more than ORJSON_LEVELS, so the document wrapped in ORJSON_LEVELS - MAX_DEPTH
    lists fails exactly when it is too deep (one pass in C; a batch of 100 messages has
    far more than MAX_DEPTH brackets, so this runs on nearly every batch)."""
    wrapped = document
    for _ in range(ORJSON_LEVELS - MAX_DEPTH):
        wrapped = [wrapped]
    try:
        orjson.dumps(wrapped)
    except orjson.JSONEncodeError as exc:
        if "Recursion" in str(exc):
            return True
        return _depth(document) > MAX_DEPTH  # anything else: count the levels
    return False


def _depth(value: Any) -> int:
    """How deep JSON containers nest in `value` (a scalar is 0), level by level."""
    level, current = 0, [value]
    while True:
        containers = [item for item in current if isinstance(item, (dict, list))]
        if not containers:
            return level
        level += 1
        current = [c for item in containers for c in (
            item.values() if isinstance(item, dict) else item)]


def _gunzip(body: bytes) -> bytes:
    """Decompress, refusing more than the batch limit (a small bomb stays small)."""
    try:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        data = inflater.decompress(body, MAX_BATCH_BYTES + 1)
    except (zlib.error, gzip.BadGzipFile) as exc:
        raise BadRequest("invalid_gzip", "the body is not valid gzip") from exc
    if len(data) > MAX_BATCH_BYTES:
        raise BadRequest("too_large", "the body is larger than 500 KB once decompressed")
    return data


@dataclass
class Envelope:
    """Batch-level fields merged into each message."""

    context: dict[str, Any] = field(default_factory=dict)
    integrations: dict[str, Any] = field(default_factory=dict)
    sent_at: str | None = None


def batch_messages(document: Any) -> tuple[list[Any], Envelope]:
    """The raw messages of a /v1/batch body and its batch-level fields."""
    if not isinstance(document, dict):
        raise BadRequest("invalid_batch", "the body must be a JSON object", "batch")
    batch = document.get("batch")
    if not isinstance(batch, list):
        raise BadRequest("invalid_batch", "batch: expected a list of messages", "batch")
    if len(batch) > MAX_BATCH_MESSAGES:
        raise BadRequest(
            "too_many_messages", f"batch: more than {MAX_BATCH_MESSAGES} messages", "batch"
        )
    envelope = Envelope(
        context=_object_or_empty(document.get("context"), "context"),
        integrations=_object_or_empty(document.get("integrations"), "integrations"),
        sent_at=_text_or_none(document.get("sentAt"), "sentAt"),
    )
    return batch, envelope


def _object_or_empty(value: Any, name: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest("invalid_batch", f"{name}: expected an object", name)
    return value


def _text_or_none(value: Any, name: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise BadRequest("invalid_batch", f"{name}: expected an ISO 8601 string", name)


def message_size(raw: Any) -> int:
    """Its size as compact UTF-8 JSON."""
    return len(orjson.dumps(raw))


def validate(
    raw: Any, index: int, envelope: Envelope, received_at: datetime
) -> Incoming | Problem:
    """One raw message -> a normalised Incoming, or the Problem that refuses it."""
    try:
        if not isinstance(raw, dict):
            raise _Refused("message", "expected a JSON object")
        if message_size(raw) > MAX_MESSAGE_BYTES:
            raise _Refused("message", "larger than 32 KB")
        message = Message.model_validate(raw)
        return _normalise(message, index, envelope, received_at)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "message"
        return _problem(raw, index, where, f"{where}: {first['msg']}")
    except _Refused as exc:
        return _problem(raw, index, exc.field, f"{exc.field}: {exc.reason}")


class _Refused(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _problem(raw: Any, index: int, where: str, reason: str) -> Problem:
    get = raw.get if isinstance(raw, dict) else (lambda key: None)
    name = get("event") or get("name")
    return Problem(
        index=index, field=where, reason=reason[:500],
        message_id=str(get("messageId") or "")[:MAX_ID_LENGTH],
        type=str(get("type") or "")[:20],
        name=str(name)[:MAX_NAME_LENGTH] if isinstance(name, str) else "",
        payload=json.dumps(raw, default=str)[:2048],
    )


def _ids(m: Message) -> dict[str, str]:
    """Each id as stripped text ("" when absent)."""
    ids = {}
    for name in ID_FIELDS:
        value = getattr(m, name)
        text = "" if value is None else str(value).strip()
        if len(text) > MAX_ID_LENGTH:
            raise _Refused(name, f"longer than {MAX_ID_LENGTH} characters")
        ids[name] = text
    return ids


def _check_required(m: Message, ids: dict[str, str]) -> None:
    if not ids["userId"] and not ids["anonymousId"]:
        raise _Refused("userId", "a userId or an anonymousId is required")
    if m.type == "track" and not (m.event or "").strip():
        raise _Refused("event", "a track message needs an event name")
    if m.type == "group" and not ids["groupId"]:
        raise _Refused("groupId", "a group message needs a groupId")
    if m.type == "alias" and not (ids["userId"] and ids["previousId"]):
        raise _Refused("previousId", "an alias message needs a previousId and a userId")
    name = m.event if m.type == "track" else m.name
    if name and len(name) > MAX_NAME_LENGTH:
        raise _Refused("event" if m.type == "track" else "name", "longer than 200 characters")


def _timestamps(
    m: Message, envelope: Envelope, received_at: datetime
) -> tuple[datetime, datetime | None]:
    """(timestamp, sent_at). With sentAt, the clock skew is corrected as Segment does:
    timestamp = received_at - (sent_at - original timestamp). Never later than received_at."""
    try:
        original = parse_timestamp(m.timestamp, "timestamp") if m.timestamp else None
        sent_raw = m.sentAt or envelope.sent_at
        sent_at = parse_timestamp(sent_raw, "sentAt") if sent_raw else None
    except ValueError as exc:
        field_name = str(exc).split(":", 1)[0]
        raise _Refused(field_name, str(exc).split(": ", 1)[1]) from exc
    if original is None:
        return received_at, sent_at
    try:
        if sent_at is not None:
            original = received_at - (sent_at - original)
        return min(original, received_at), sent_at
    except OverflowError as exc:
        raise _Refused("timestamp", "out of the range of dates") from exc


def _normalise(
    m: Message, index: int, envelope: Envelope, received_at: datetime
) -> Incoming:
    ids = _ids(m)
    _check_required(m, ids)
    timestamp, sent_at = _timestamps(m, envelope, received_at)
    context = {**envelope.context, **(m.context or {})}
    if envelope.integrations or m.integrations:
        context["integrations"] = {**envelope.integrations, **(m.integrations or {})}
    properties = m.properties or {}
    if m.type == "group":
        traits = m.traits or {}
    else:
        traits = {**_context_traits(context), **(m.traits or {})}
    name = (m.event if m.type == "track" else m.name) or ""
    if m.type in ("page", "screen") and not name:
        name = str(properties.get("name") or "")[:MAX_NAME_LENGTH]
    return Incoming(
        index=index, type=m.type, message_id=ids["messageId"] or str(uuid.uuid4()),
        name=name.strip(), anonymous_id=ids["anonymousId"], user_id=ids["userId"],
        timestamp=timestamp, sent_at=sent_at,
        properties=traits if m.type in ("identify", "group") else properties,
        context=context, traits=traits, group_id=ids["groupId"],
        previous_id=ids["previousId"],
        page=page_facts(m.type, properties, context),
    )


def _context_traits(context: dict[str, Any]) -> dict[str, Any]:
    """The user's traits under context.traits (where RudderStack puts identify traits)."""
    traits = context.get("traits")
    return traits if isinstance(traits, dict) else {}

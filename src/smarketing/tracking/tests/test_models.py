"""The tracking tables declare their integrity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, transaction

from smarketing.tracking.models import Event, Source
from smarketing.tracking.services import hash_key, source_create, source_for_key, source_rotate_key

NOW = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


def _event(source: Source, message_id: str, **fields: object) -> Event:
    fields.setdefault("anonymous_id", "anon-1")
    fields.setdefault("type", "page")
    return Event.objects.create(
        source=source, message_id=message_id, timestamp=NOW, received_at=NOW, **fields
    )


def test_a_message_id_is_stored_once_per_source(source: Source) -> None:
    _event(source, "m1")
    with pytest.raises(IntegrityError), transaction.atomic():
        _event(source, "m1")


def test_the_same_message_id_may_come_from_two_sources(source: Source) -> None:
    other, _ = source_create(actor=None, name="Backend", kind="server")
    _event(source, "m1")
    _event(other, "m1")
    assert Event.objects.count() == 2


def test_an_event_needs_a_user_id_or_an_anonymous_id(source: Source) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _event(source, "m1", anonymous_id="", user_id="")


def test_an_event_type_must_be_a_segment_type(source: Source) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _event(source, "m1", type="purchase")


def test_the_write_key_is_kept_only_as_a_hash(db: object) -> None:
    source, raw = source_create(actor=None, name="Site", kind="website")
    assert source.key_hash == hash_key(raw) and raw not in source.key_hash
    assert raw.startswith(source.key_prefix)
    assert source_for_key(raw) == source


def test_rotating_the_key_stops_the_old_one_at_once(source: Source, write_key: str) -> None:
    new_key = source_rotate_key(source=source, actor=None)
    assert source_for_key(write_key) is None
    assert source_for_key(new_key) == source


def test_a_source_kind_must_be_known(db: object) -> None:
    from smarketing.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as error:
        source_create(actor=None, name="X", kind="carrier-pigeon")
    assert error.value.field == "kind"


def test_the_ingestion_insert_fills_every_event_column() -> None:
    from smarketing.tracking.services import EVENT_COLUMNS

    columns = {f.column for f in Event._meta.concrete_fields if not f.primary_key}
    assert sorted(EVENT_COLUMNS) == sorted(columns)

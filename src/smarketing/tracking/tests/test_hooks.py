"""Other apps hear which contacts an ingestion request touched."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from smarketing.people.models import Contact
from smarketing.testing.factories import make_contact
from smarketing.tracking import hooks


@pytest.fixture
def heard() -> Iterator[list[list[int]]]:
    calls: list[list[int]] = []

    def listener(ids: Iterable[int]) -> None:
        calls.append(list(ids))

    saved = dict(hooks._LISTENERS)
    hooks.register_events_listener("test", listener)
    yield calls
    hooks._LISTENERS.clear()
    hooks._LISTENERS.update(saved)


def test_listeners_get_the_contacts_of_stored_events(tracker: Any, heard: list[list[int]]) -> None:
    known = make_contact(email="known@example.com")
    tracker.post("identify", {"userId": "u-1", "messageId": "1",
                              "traits": {"email": "known@example.com"}})
    tracker.post("batch", {"batch": [
        {"type": "page", "anonymousId": "nobody", "messageId": "2"},
        {"type": "track", "userId": "u-1", "event": "Clicked", "messageId": "3"},
        {"type": "identify", "anonymousId": "v", "messageId": "4",
         "traits": {"email": "new@example.com"}},
    ]})
    new = Contact.objects.get(email="new@example.com")
    assert heard == [[known.pk], sorted([known.pk, new.pk])]


def test_nothing_is_heard_for_anonymous_events_only(
    tracker: Any, heard: list[list[int]]
) -> None:
    tracker.post("page", {"anonymousId": "nobody", "messageId": "1"})
    assert heard == []

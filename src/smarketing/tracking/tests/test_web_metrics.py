"""visitors, sessions, page_views and bounce_rate (KPI.md) on hand-built event sets."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from smarketing.testing.factories import make_contact
from smarketing.tracking.models import Event, Source
from smarketing.tracking.selectors import WebMetrics, web_metrics

DAY = datetime(2026, 4, 1, tzinfo=UTC)
NEXT_DAY = DAY + timedelta(days=1)
_ids = itertools.count(1)


def _at(hours: float = 0, minutes: float = 0) -> datetime:
    return DAY + timedelta(hours=hours, minutes=minutes)


def _events(source: Source, *rows: tuple[str, str, datetime], contact: object = None) -> None:
    """rows: (anonymous id, type, timestamp)."""
    Event.objects.bulk_create([
        Event(source=source, message_id=f"m{next(_ids)}", type=kind, anonymous_id=anon,
              name="Clicked" if kind == "track" else "", timestamp=at, received_at=at,
              contact=contact)
        for anon, kind, at in rows
    ])


def _day(source: Source) -> WebMetrics:
    return web_metrics(DAY, NEXT_DAY)


def test_an_empty_period_has_no_bounce_rate(source: Source) -> None:
    assert _day(source) == WebMetrics(visitors=0, sessions=0, page_views=0, bounce_rate=None)


def test_one_page_view_is_one_visitor_one_session_one_bounce(source: Source) -> None:
    _events(source, ("a", "page", _at(9)))
    assert _day(source) == WebMetrics(visitors=1, sessions=1, page_views=1, bounce_rate=1.0)


def test_events_less_than_30_minutes_apart_are_one_session(source: Source) -> None:
    _events(source, ("a", "page", _at(9)), ("a", "page", _at(9, 29)),
            ("a", "track", _at(9, 58)))
    assert _day(source) == WebMetrics(visitors=1, sessions=1, page_views=2, bounce_rate=0.0)


def test_a_gap_of_more_than_30_minutes_starts_a_new_session(source: Source) -> None:
    _events(source, ("a", "page", _at(9)), ("a", "page", _at(9, 31)),
            ("a", "page", _at(10, 1)), ("a", "track", _at(10, 2)))
    assert _day(source) == WebMetrics(visitors=1, sessions=2, page_views=3, bounce_rate=0.5)


def test_exactly_30_minutes_apart_is_still_one_session(source: Source) -> None:
    _events(source, ("a", "page", _at(9)), ("a", "page", _at(9, 30)))
    assert _day(source).sessions == 1


def test_a_session_with_one_track_event_only_is_not_a_bounce(source: Source) -> None:
    _events(source, ("a", "track", _at(9)))
    metrics = _day(source)
    assert (metrics.visitors, metrics.sessions, metrics.bounce_rate) == (0, 1, 0.0)


def test_visitors_are_distinct_and_need_a_page_view(source: Source) -> None:
    _events(source, ("a", "page", _at(9)), ("a", "page", _at(15)), ("b", "page", _at(9)),
            ("c", "track", _at(9)))
    metrics = _day(source)
    assert (metrics.visitors, metrics.sessions, metrics.page_views) == (2, 4, 3)
    assert metrics.bounce_rate == pytest.approx(3 / 4)


def test_an_identified_visitor_counts_once_across_devices(source: Source) -> None:
    contact = make_contact()
    _events(source, ("phone", "page", _at(9)), contact=contact)
    _events(source, ("laptop", "page", _at(9, 10)), contact=contact)
    metrics = _day(source)
    assert (metrics.visitors, metrics.sessions, metrics.bounce_rate) == (1, 1, 0.0)


def test_a_session_counts_in_the_period_where_it_starts(source: Source) -> None:
    # Starts 20 minutes before the day and goes on into it: not the day's session.
    _events(source, ("a", "page", _at(0, -20)), ("a", "page", _at(0, 5)),
            ("a", "page", _at(0, 30)))
    metrics = _day(source)
    assert (metrics.sessions, metrics.page_views, metrics.visitors) == (0, 2, 1)
    assert metrics.bounce_rate is None


def test_a_single_page_session_continued_after_the_period_is_not_a_bounce(
    source: Source
) -> None:
    _events(source, ("a", "page", _at(23, 50)), ("a", "page", _at(24, 10)))
    metrics = _day(source)
    assert (metrics.sessions, metrics.page_views, metrics.bounce_rate) == (1, 1, 0.0)


def test_events_outside_the_period_do_not_count(source: Source) -> None:
    _events(source, ("a", "page", _at(-3)), ("b", "page", _at(25)))
    assert _day(source) == WebMetrics(visitors=0, sessions=0, page_views=0, bounce_rate=None)


def test_identify_and_group_events_do_not_make_sessions(source: Source) -> None:
    _events(source, ("a", "identify", _at(9)), ("a", "group", _at(9)))
    assert _day(source).sessions == 0


def test_a_contact_an_anonymous_id_and_a_user_id_with_the_same_text_are_three_visitors(
    source: Source,
) -> None:
    contact = make_contact()
    same = str(contact.pk)
    _events(source, (same, "page", _at(9)))
    _events(source, ("x", "page", _at(9, 1)), contact=contact)
    Event.objects.create(source=source, message_id="by-user", type="page", user_id=same,
                         timestamp=_at(9, 2), received_at=_at(9, 2))
    assert _day(source) == WebMetrics(visitors=3, sessions=3, page_views=3, bounce_rate=1.0)

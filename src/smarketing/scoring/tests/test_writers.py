"""A full rescore's ranges written by several PostgreSQL connections at once (committed
data: the writers' connections cannot see a test's transaction)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
import time_machine
from django.db import connection

from smarketing.people.models import Contact, Score
from smarketing.scoring import beside, setbased
from smarketing.scoring.models import ScoreChange
from smarketing.scoring.scoring import rescore_all
from smarketing.scoring.selectors import contact_score
from smarketing.scoring.setbased import _backend
from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="SQLite has one writer at a time")
FORM = {"event_type": "track", "event_name": "Form Submitted", "points": 40}
PAGE = {"event_type": "page", "points": 3, "daily_cap": 6}


@pytest.fixture
def scored(transactional_db: Any, users: Any, monkeypatch: pytest.MonkeyPatch) -> list[Contact]:
    """30 contacts (two in three with events) under a model with two rules, and the
    writer threads recorded."""
    a_model(users["marketing"], threshold=1000, engagement=[FORM, PAGE])
    contacts = [make_contact() for _ in range(30)]
    for n, contact in enumerate(contacts):
        if n % 3:
            event(contact, "track", "Form Submitted")
            for _ in range(n % 4):
                event(contact, "page", page_path="/blog")
    monkeypatch.setattr(beside, "PARALLEL_FROM", 1)
    return contacts


def _threads(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The names of the threads that write ranges (filled as they write)."""
    names: set[str] = set()
    write = setbased.write_from_temp_table

    def recording(*args: Any, **kwargs: Any) -> int:
        names.add(threading.current_thread().name)
        time.sleep(0.02)  # a range takes a while: the other writer gets its share
        return write(*args, **kwargs)

    monkeypatch.setattr(setbased, "write_from_temp_table", recording)
    return names


def _published_tables() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relpersistence = 'u' AND "
                       "(relname LIKE 'scoring_rescore_%%' OR relname LIKE 'scoring_fit_%%')")
        return [row[0] for row in cursor.fetchall()]


@time_machine.travel(NOW, tick=False)
def test_two_connections_write_the_ranges_and_every_score_is_the_engines(
    scored: list[Contact], monkeypatch: pytest.MonkeyPatch,
) -> None:
    names, beside_sql = _threads(monkeypatch), []
    run_beside = setbased.run_beside
    monkeypatch.setattr(setbased, "run_beside",
                        lambda sql, params: beside_sql.append(sql) or run_beside(sql, params))
    steps: list[tuple[int, int]] = []
    result = rescore_all(batch=4, progress=lambda done, total: steps.append((done, total)))
    assert names == {"rescore-writer-0", "rescore-writer-1"}
    assert [sql.split(" AS ")[0] for sql in beside_sql] == [  # the fit, meanwhile
        f"CREATE UNLOGGED TABLE scoring_fit_{_backend()}"]
    assert (result.contacts, result.changed) == (30, 20)
    stored = dict(Score.objects.values_list("contact_id", "total"))
    assert stored == {c.pk: contact_score(c).result.total for c in scored}
    assert ScoreChange.objects.count() == 20
    ranges = len(range(scored[0].pk, scored[-1].pk + 1, 4))
    assert steps == [(step, ranges + 1) for step in range(1, ranges + 2)]
    assert _published_tables() == []
    assert rescore_all(batch=4).changed == 0  # idempotent


@time_machine.travel(NOW, tick=False)
def test_a_writer_error_is_raised_and_the_ranges_written_stay(
    scored: list[Contact], monkeypatch: pytest.MonkeyPatch,
) -> None:
    write, failing = setbased.write_from_temp_table, scored[13].pk  # has events

    def failing_range(*args: Any, low: int, high: int, **kwargs: Any) -> int:
        if low <= failing <= high:
            raise RuntimeError(f"range {low}..{high} failed")
        return write(*args, low=low, high=high, **kwargs)

    monkeypatch.setattr(setbased, "write_from_temp_table", failing_range)
    with pytest.raises(RuntimeError, match="failed"):
        rescore_all(batch=4)
    assert _published_tables() == []
    assert Score.objects.get(contact_id=failing).total == 0  # its range rolled back
    monkeypatch.setattr(setbased, "write_from_temp_table", write)
    assert rescore_all(batch=4).changed > 0  # the rest is written by the next run
    assert dict(Score.objects.values_list("contact_id", "total")) == {
        c.pk: contact_score(c).result.total for c in scored}


@time_machine.travel(NOW, tick=False)
def test_one_connection_when_the_setting_says_so(
    scored: list[Contact], monkeypatch: pytest.MonkeyPatch, settings: Any,
) -> None:
    settings.SMARKETING_RESCORE_WRITERS = 1
    names = _threads(monkeypatch)
    monkeypatch.setattr(setbased, "run_beside", None)  # never called
    assert rescore_all(batch=4).changed == 20
    assert names == {threading.current_thread().name}

"""The database job queue: after-commit enqueue, one claim per job, retries, two workers."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction

from smarketing.core import jobs
from smarketing.core.models import Job

UTC = dt.UTC


@pytest.fixture
def recorded() -> Any:
    calls: list[dict[str, Any]] = []
    lock = threading.Lock()

    def handler(payload: dict[str, Any]) -> None:
        with lock:
            calls.append(payload)

    jobs.register_job("test.record", handler)
    return calls


@pytest.mark.django_db(transaction=True)
def test_a_job_is_queued_only_when_its_transaction_commits(recorded: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("test.record", {"n": 1})
        raise RuntimeError("rolled back")
    assert not Job.objects.exists()
    with transaction.atomic():
        jobs.enqueue("test.record", {"n": 2})
        assert not Job.objects.exists()
    assert Job.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_dedupe_key_queues_a_job_once(recorded: Any) -> None:
    jobs.enqueue("test.record", {"n": 1}, dedupe_key="same")
    jobs.enqueue("test.record", {"n": 1}, dedupe_key="same")
    assert Job.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_claimed_job_is_not_claimed_again_until_its_lease_expires(recorded: Any) -> None:
    jobs.enqueue("test.record", {})
    assert jobs.claim("a") is not None
    assert jobs.claim("b") is None
    later = dt.datetime.now(UTC) + jobs.LEASE + dt.timedelta(seconds=1)
    taken_over = jobs.claim("b", now=later)
    assert taken_over is not None and taken_over.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_retried_with_backoff_then_marked_failed() -> None:
    def boom(payload: dict[str, Any]) -> None:
        raise ValueError("smtp down")

    jobs.register_job("test.boom", boom)
    start = dt.datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        jobs.enqueue("test.boom", {})
        Job.objects.update(max_attempts=2)
        jobs.run_one("w")
    job = Job.objects.get()
    assert "smtp down" in job.last_error and job.failed_at is None
    assert job.run_at == start + dt.timedelta(seconds=30)
    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        jobs.run_one("w")
    job.refresh_from_db()
    assert job.failed_at is not None and job.attempts == 2


@pytest.mark.django_db(transaction=True)
def test_two_workers_run_every_job_exactly_once(recorded: Any) -> None:
    for n in range(40):
        jobs.enqueue("test.record", {"n": n})

    def work(name: str) -> None:
        try:
            jobs.run_burst(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(call["n"] for call in recorded) == list(range(40))
    assert Job.objects.filter(done_at__isnull=False).count() == 40


@pytest.mark.django_db(transaction=True)
def test_the_worker_command_runs_once_or_in_a_burst(recorded: Any, capsys: Any) -> None:
    for n in range(3):
        jobs.enqueue("test.record", {"n": n})
    call_command("worker", "--once")
    assert len(recorded) == 1
    call_command("worker", "--burst")
    assert len(recorded) == 3
    out = capsys.readouterr().out
    assert out.startswith("ran 1 job\n")
    # the burst also runs what the apps' periodic checks queued (e.g. attribution's
    # first refresh): it ends with the queue empty
    assert "periodic checks queued" in out
    assert not Job.objects.filter(done_at__isnull=True).exists()


@pytest.mark.django_db
def test_jobs_of_a_mergeable_kind_run_once_on_their_merged_payload(
    django_capture_on_commit_callbacks: Any,
) -> None:
    calls: list[dict[str, Any]] = []
    jobs.register_job("test.merged", calls.append, merge=jobs.merge_contacts)
    jobs.register_job("test.alone", calls.append)
    with django_capture_on_commit_callbacks(execute=True):
        for contacts in ([3, 1], [2, 3], [5]):
            jobs.enqueue("test.merged", {"contacts": contacts})
        jobs.enqueue("test.alone", {"contacts": [9]})
        jobs.enqueue("test.alone", {"contacts": [8]})
    assert jobs.run_burst("w") == 3  # the merged three, then the two others one by one
    assert calls == [{"contacts": [1, 2, 3, 5]}, {"contacts": [9]}, {"contacts": [8]}]
    assert Job.objects.filter(done_at__isnull=False).count() == 5


@pytest.mark.django_db
def test_a_failing_merged_run_retries_every_job_it_claimed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    def fail(payload: dict[str, Any]) -> None:
        raise RuntimeError("down")

    jobs.register_job("test.failing", fail, merge=jobs.merge_contacts)
    with django_capture_on_commit_callbacks(execute=True):
        for contacts in ([1], [2]):
            jobs.enqueue("test.failing", {"contacts": contacts})
    jobs.run_one("w")
    retried = Job.objects.filter(kind="test.failing")
    assert [(j.attempts, j.done_at, j.claimed_by) for j in retried] == [(1, None, "")] * 2
    assert all("down" in j.last_error for j in retried)

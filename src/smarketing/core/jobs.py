"""A small database-backed job queue that works on SQLite and PostgreSQL.

- `enqueue(kind, payload)` inserts a Job when the current transaction commits
  (nothing is queued for work that rolled back); a non-empty `dedupe_key` makes
  the job exist at most once.
- A worker claims the oldest due job with a conditional UPDATE (it only succeeds
  if the row still has the claim the worker read), so two workers never run the
  same job at once; a claim older than LEASE is considered abandoned (a crashed
  worker) and may be taken over.
- A failing job is retried with exponential backoff up to `max_attempts`, then
  marked failed with its last error.
- A kind registered with `merge` (a function joining payloads) is run coalesced:
  claiming one of its jobs also claims the other due ones of that kind (up to
  MERGE_MAX), and the handler runs once on their merged payload (e.g. the contacts
  of many ingested requests rescored together, each once).
Handlers register with `register_job(kind, handler)` in their AppConfig.ready().
"""

from __future__ import annotations

import datetime as dt
import logging
import traceback
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from smarketing.core.models import Job

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=10)
Handler = Callable[[dict[str, Any]], None]
Merge = Callable[[list[dict[str, Any]]], dict[str, Any]]
_HANDLERS: dict[str, Handler] = {}
_MERGES: dict[str, Merge] = {}
MERGE_MAX = 200  # jobs claimed together at most


def register_job(kind: str, handler: Handler, *, merge: Merge | None = None) -> None:
    _HANDLERS[kind] = handler
    if merge is not None:
        _MERGES[kind] = merge


def merge_contacts(payloads: list[dict[str, Any]]) -> dict[str, Any]:
    """A `merge` for payloads {"contacts": [ids]}: the union of the ids, sorted."""
    return {"contacts": sorted({int(i) for p in payloads for i in p["contacts"]})}


def _insert(
    kind: str, payload: dict[str, Any], run_at: dt.datetime | None, dedupe_key: str
) -> None:
    try:
        with transaction.atomic():
            Job.objects.create(
                kind=kind, payload=payload, run_at=run_at or timezone.now(), dedupe_key=dedupe_key
            )
    except IntegrityError:  # already queued under this dedupe key
        pass


def enqueue(
    kind: str, payload: dict[str, Any], *, run_at: dt.datetime | None = None, dedupe_key: str = ""
) -> None:
    """Queue a job once the surrounding transaction commits (at once outside one)."""
    transaction.on_commit(lambda: _insert(kind, payload, run_at, dedupe_key))


def enqueue_now(kind: str, payload: dict[str, Any]) -> None:
    """Queue a job inside the current transaction: it exists once that commits and is
    gone if it rolls back, like `enqueue`'s, without a write of its own after the
    commit (for hot paths: ingestion queues two a request, and on SQLite each write
    after the commit was one more turn at the database lock). No dedupe key."""
    Job.objects.create(kind=kind, payload=payload, run_at=timezone.now())


def _due(now: dt.datetime) -> Q:
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - LEASE)
    return Q(done_at__isnull=True, failed_at__isnull=True, run_at__lte=now) & free


def claim(worker: str, now: dt.datetime | None = None) -> Job | None:
    """Take the oldest due job for `worker`, or None when there is none (or we lost)."""
    now = now or timezone.now()
    for candidate in Job.objects.filter(_due(now)).order_by("run_at", "id")[:5]:
        won = Job.objects.filter(
            _due(now), pk=candidate.pk, claimed_at=candidate.claimed_at
        ).update(claimed_by=worker, claimed_at=now, attempts=candidate.attempts + 1)
        if won:
            return Job.objects.get(pk=candidate.pk)
    return None


def _claim_alike(job: Job) -> list[Job]:
    """For a mergeable kind: the other due jobs of the kind, claimed with `job`'s claim."""
    if job.kind not in _MERGES:
        return []
    assert job.claimed_at is not None
    due = _due(job.claimed_at) & Q(kind=job.kind)
    ids = list(Job.objects.filter(due).exclude(pk=job.pk).order_by("run_at", "id")
               .values_list("pk", flat=True)[: MERGE_MAX - 1])
    if not ids:
        return []
    Job.objects.filter(due, pk__in=ids).update(
        claimed_by=job.claimed_by, claimed_at=job.claimed_at, attempts=F("attempts") + 1)
    return list(Job.objects.filter(pk__in=ids, claimed_by=job.claimed_by,
                                   claimed_at=job.claimed_at))


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))


def _finish(job: Job, error: str = "") -> None:
    now = timezone.now()
    mine = Job.objects.filter(pk=job.pk, claimed_by=job.claimed_by, claimed_at=job.claimed_at)
    if not error:
        mine.update(done_at=now, last_error="")
    elif job.attempts >= job.max_attempts:
        mine.update(failed_at=now, last_error=error)
    else:
        mine.update(
            last_error=error, claimed_at=None, claimed_by="", run_at=now + backoff(job.attempts)
        )


def run_one(worker: str) -> Job | None:
    """Claim and run one due job; returns it (or None when nothing was due)."""
    job = claim(worker)
    if job is None:
        return None
    jobs = [job, *_claim_alike(job)]
    handler = _HANDLERS.get(job.kind)
    try:
        if handler is None:
            raise LookupError(f"no handler for job kind {job.kind!r}")
        handler(_MERGES[job.kind]([j.payload for j in jobs]) if len(jobs) > 1 else job.payload)
    except Exception:  # noqa: BLE001 - a job's failure is recorded, the worker goes on
        log.exception("job %s failed", job)
        error = traceback.format_exc(limit=5)[-4000:]
        for claimed in jobs:
            _finish(claimed, error)
    else:
        for claimed in jobs:
            _finish(claimed)
    return job


def run_burst(worker: str, limit: int = 10_000) -> int:
    """Run due jobs until none is left (or `limit`); returns how many ran."""
    count = 0
    while count < limit and run_one(worker) is not None:
        count += 1
    return count


Periodic = Callable[[dt.datetime], int]
_PERIODIC: dict[str, Periodic] = {}


def register_periodic(name: str, check: Periodic) -> None:
    """A check the worker runs on every pass (e.g. SLA warnings); it must be idempotent."""
    _PERIODIC[name] = check


def run_periodic(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return sum(check(now) for check in _PERIODIC.values())

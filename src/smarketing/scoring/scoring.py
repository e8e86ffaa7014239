"""Writing scores: the full rescore, the incremental update, MQL qualification and
account scores. Both paths run engine.score_scope, so they store the same numbers.

- Full rescore (`rescore_all`, `smarketing rescore`, and a queued job after every
  model change, `run_queued_rescore`):
  contacts in id ranges of BATCH; per range a constant number of set-based queries,
  then bulk writes of the rows whose numbers changed. Idempotent. Safe while
  ingestion runs: each range is read and written in its own short transaction, and an
  event that lands meanwhile triggers its own incremental update.
- Incremental (`score_contacts`): the same for some contact ids, from their daily
  engagement counts (scoring.days, read by scoring.fromdays) once the active
  model's are built, else from their events; the tracking ingestion calls
  `after_events_ingested`, which queues a job with the request's contacts inside
  its transaction; the worker runs it (worst-case delay: the worker's poll
  interval, 5 s by default, plus the jobs queued before it).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone

from smarketing.core.jobs import enqueue_now
from smarketing.people.lifecycle import contacts_transition
from smarketing.people.models import Cause, Contact, Score, Stage
from smarketing.people.scores import ensure_rows
from smarketing.scoring import days, fromdays, setbased, writers
from smarketing.scoring.beside import connections_for
from smarketing.scoring.engine import (
    ContactResult,
    ModelSpec,
    add_hand_raises,
    scope_of_ids,
    score_scope,
)
from smarketing.scoring.models import (
    ContactScore,
    EngagementMatcher,
    FullRescore,
    RescoreRun,
    ScoreChange,
    ScoringModel,
)
from smarketing.scoring.services import active_model
from smarketing.tracking.models import Event, EventType

BATCH = 20_000
QUALIFIABLE = frozenset({Stage.SUBSCRIBER, Stage.LEAD})
Progress = Callable[[int, int], None]


@dataclass
class RescoreResult:
    contacts: int = 0
    changed: int = 0
    mqls: int = 0
    seconds: float = 0.0
    compute_seconds: float = 0.0  # the set-based computation (full rescore)
    write_seconds: float = 0.0  # the ranged writes of the changed scores
    cpu: dict[str, float] = field(default_factory=dict)  # this process's CPU seconds by
    # phase (compute, write, mqls): on SQLite the database engine's work is in it


def mql_reason(result: ContactResult, spec: ModelSpec) -> str:
    """Why the contact qualifies now ("" if it does not)."""
    if result.hand_raise:
        return f"hand-raise: {result.hand_raise}"
    if result.total >= spec.threshold:
        return f"score {result.total} >= {spec.threshold} (model v{spec.version})"
    return ""


def _qualify(results: Iterable[ContactResult], spec: ModelSpec) -> int:
    """Move newly qualified contacts to MQL in bulk (people.lifecycle's
    contacts_transition): once only (never if they were one), and only forward
    (subscribers and leads); scores going down never demote."""
    reasons = {
        result.contact_id: reason for result in results
        if (reason := mql_reason(result, spec))
        and result.stage in QUALIFIABLE and not result.became_mql
    }
    if not reasons:
        return 0
    return len(contacts_transition(reasons=reasons, to_stage=Stage.MQL, cause=Cause.SCORING))


def _write(model: ScoringModel, results: dict[int, ContactResult], at: dt.datetime) -> int:
    """Bulk-write scores that changed (with their history); returns how many changed."""
    current = {
        row[0]: row[1:] for row in Score.objects.filter(contact_id__in=results).values_list(
            "contact_id", "fit", "engagement", "total")
    }
    changed = [
        r for r in results.values()
        if current.get(r.contact_id, (0, 0, 0)) != (r.fit, r.engagement, r.total)
    ]
    Score.objects.bulk_update(
        [Score(contact_id=r.contact_id, fit=r.fit, engagement=r.engagement, total=r.total)
         for r in changed], ["fit", "engagement", "total"], 2000)
    ScoreChange.objects.bulk_create([
        ScoreChange(contact_id=r.contact_id, at=at, model=model, fit=r.fit,
                    engagement=r.engagement, total=r.total,
                    previous_total=current.get(r.contact_id, (0, 0, 0))[2])
        for r in changed], batch_size=2000)
    ContactScore.objects.bulk_create(
        [ContactScore(contact_id=r.contact_id, model=model, scored_at=at)
         for r in results.values()],
        update_conflicts=True, unique_fields=["contact"], update_fields=["model", "scored_at"],
        batch_size=2000,
    )
    return len(changed)


def _score_and_store(
    model: ScoringModel, spec: ModelSpec, scope: tuple, at: dt.datetime, result: RescoreResult
) -> set[int]:
    with transaction.atomic():
        results = score_scope(spec, contacts=scope[0], events=scope[1], at=at)
        result.changed += _write(model, results, at)
    result.contacts += len(results)
    result.mqls += _qualify(results.values(), spec)
    return {r.company_id for r in results.values() if r.company_id is not None}


def _qualify_all(spec: ModelSpec, at: dt.datetime) -> int:
    """MQL candidates after a full rescore, found in SQL: still a subscriber or lead never
    qualified, with a stored score over the threshold or a hand-raise event (two
    queries: an OR with an EXISTS would probe every contact's events)."""
    open_leads = Contact.objects.filter(
        lifecycle_stage__in=QUALIFIABLE, became_mql_at__isnull=True)
    ids = set(open_leads.filter(scores__total__gte=spec.threshold).values_list("id", flat=True))
    if spec.hand_raise_events:
        raisers = Event.objects.filter(
            type=EventType.TRACK, name__in=list(spec.hand_raise_events),
            timestamp__lte=at, contact__isnull=False).values_list("contact_id", flat=True)
        ids |= set(open_leads.filter(id__in=raisers).values_list("id", flat=True))
    moved = 0
    for start in range(0, len(ids), 5000):
        moved += _qualify_ids(spec, sorted(ids)[start : start + 5000], at)
    return moved


def _qualify_ids(spec: ModelSpec, ids: list[int], at: dt.datetime,
                 keys: dict[str, int] | None = None) -> int:
    """Qualify these contacts on their stored scores and their hand-raises (found from
    the daily counts with `keys`, the ready matchers, else from their events)."""
    results = {
        pk: ContactResult(pk, fit=fit, engagement=engagement, stage=stage)
        for pk, fit, engagement, stage in Contact.objects.filter(id__in=ids).values_list(
            "id", "scores__fit", "scores__engagement", "lifecycle_stage")
    }
    if spec.hand_raise_events and keys is not None:
        fromdays.add_hand_raises_from_days(spec, results, keys, at)
    elif spec.hand_raise_events:
        add_hand_raises(spec, results, Q(contact_id__in=ids), at)
    return _qualify(results.values(), spec)


def _late_contacts(mark: int) -> list[int]:
    """The contacts that got events since the computation started (event id above the
    mark), found through the primary key once the writes are done (a query per id
    range went through the contact index: ~0.3 s a range on PostgreSQL at 1M)."""
    late = Event.objects.filter(id__gt=mark, contact__isnull=False)
    return list(late.values_list("contact_id", flat=True).distinct().order_by())


def rescore_all(
    *, at: dt.datetime | None = None, progress: Progress | None = None, batch: int = BATCH
) -> RescoreResult:
    """Rescore every contact with the active model at `at` (default now), set-based:
    ONE grouped pass over all events computes every score into a temporary table;
    then the changed scores are written in contact id ranges of `batch` (short
    transactions, the progress steps), MQLs qualified, account scores refreshed."""
    started, at, cpu = time.monotonic(), at or timezone.now(), time.process_time()
    ensure_rows()  # SQLite: the score rows of contacts inserted since (people/scores.py)
    model = active_model()
    spec, result = ModelSpec.of(model), RescoreResult()
    bounds = Contact.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"] or 0, bounds["high"] or -1
    mark = Event.objects.aggregate(m=Max("id"))["m"] or 0
    starts = range(low, high + 1, batch)
    setbased.create_temp_tables(spec.half_life_days)
    try:
        result.contacts = setbased.fill_temp_table(  # beside: the fit on another connection
            spec, contacts=Q(), events=Q(), at=at,
            beside=connections_for(high - low + 1) > 1)
        result.compute_seconds = time.monotonic() - started
        result.cpu["compute"] = time.process_time() - cpu
        if progress:
            progress(1, len(starts) + 1)
        result.changed += writers.write_ranges(model, at, starts=starts, batch=batch,
                                               contacts=result.contacts, progress=progress)
        FullRescore.objects.update_or_create(
            id=1, defaults={"model": model, "at": at, "through": max(high, 0)})
        result.write_seconds = time.monotonic() - started - result.compute_seconds
        result.cpu["write"] = time.process_time() - cpu - result.cpu["compute"]
    finally:
        setbased.drop_temp_tables()
    result.mqls += _qualify_all(spec, at)
    if late := _late_contacts(mark):  # arrived meanwhile: not left at the older result
        result.mqls += score_contacts(contact_ids=late, at=at).mqls
    refresh_company_scores(model=model, at=at)
    result.seconds = time.monotonic() - started
    result.cpu["mqls"] = time.process_time() - cpu - sum(result.cpu.values())
    return result


SET_BASED_FROM = 50  # contacts scored at once: from this many, by setbased's statements
SET_BASED_CHUNK = 5_000


def _score_set_based(
    model: ScoringModel, spec: ModelSpec, ids: list[int], at: dt.datetime,
    result: RescoreResult, keys: dict[str, int] | None = None,
) -> set[int]:
    """Many contacts (e.g. the worker's merged jobs of many ingested requests), or any
    number once the daily counts are ready (`keys`, their matchers): their scores
    computed by the full rescore's statements restricted to them (from their daily
    counts with `keys`, else their events), the changed ones written, MQLs qualified;
    returns their companies. The engine would read and score each contact's events in
    Python (~1 ms a contact of 200 events)."""
    engagement = None if keys is None or not spec.engagement_rules else \
        fromdays.engagement_statement(spec, ids, at, keys)
    setbased.create_temp_tables(spec.half_life_days)
    try:
        with transaction.atomic():
            result.contacts += setbased.fill_temp_table(
                spec, contacts=Q(id__in=ids), events=Q(contact_id__in=ids), at=at,
                engagement=engagement)
            result.changed += setbased.write_from_temp_table(model, at)
    finally:
        setbased.drop_temp_tables()
    open_leads = [  # never qualified (as in _qualify_all); filtered here, as SQLite would
        # walk the index of contacts never MQL (most of them: 74 ms at 1M) for the filter
        pk for pk, stage, became_mql in Contact.objects.filter(id__in=ids).values_list(
            "id", "lifecycle_stage", "became_mql_at") if stage in QUALIFIABLE and not became_mql]
    result.mqls += _qualify_ids(spec, open_leads, at, keys)
    return set(Contact.objects.filter(id__in=ids, company__isnull=False)
               .values_list("company_id", flat=True))


def score_contacts(
    *, contact_ids: Sequence[int], at: dt.datetime | None = None
) -> RescoreResult:
    """Incremental: rescore these contacts (and their companies) only; once the daily
    counts are ready, from them (brought up to date first: the contacts whose counts
    that changed, e.g. by a merge, are rescored too), else from their events."""
    at, result = at or timezone.now(), RescoreResult()
    ids = sorted(set(contact_ids))
    model = active_model()
    spec = ModelSpec.of(model)
    keys = days.ready_ids(spec)
    if keys is not None:
        ids = sorted(set(ids) | days.apply())
    if not ids:
        return result
    ensure_rows()
    if keys is not None or len(ids) >= SET_BASED_FROM:
        companies: set[int] = set()
        for start in range(0, len(ids), SET_BASED_CHUNK):
            companies |= _score_set_based(model, spec, ids[start : start + SET_BASED_CHUNK],
                                          at, result, keys)
    else:
        companies = _score_and_store(model, spec, scope_of_ids(ids), at, result)
    if companies:
        refresh_company_scores(model=model, at=at, company_ids=companies)
    return result


def periodic_apply(now: dt.datetime) -> int:
    """The worker's pass: the daily counts brought up to date and the contacts whose
    counts changed rescored (a merge or a delete queues them without a request);
    returns how many were rescored. Nothing to do before any counts exist."""
    if not EngagementMatcher.objects.exists():
        return 0
    return score_contacts(contact_ids=[], at=now).contacts


INCREMENTAL_JOB = "scoring.incremental"


def after_events_ingested(contact_ids: Iterable[int | None]) -> None:
    """For the tracking ingestion: queue the rescoring of these contacts as a job that
    exists once the request's transaction commits (the request itself only inserts
    the job row, inside that transaction, so scoring never slows ingestion down); the
    worker runs it, merged with the other such jobs waiting (each contact scored once:
    core.jobs.merge_contacts)."""
    ids = sorted({i for i in contact_ids if i is not None})
    if ids:
        enqueue_now(INCREMENTAL_JOB, {"contacts": ids})


def run_incremental(payload: dict[str, Any]) -> None:
    """Job handler: rescore the contacts of an ingested request (incrementally)."""
    score_contacts(contact_ids=[int(i) for i in payload["contacts"]])


def refresh_company_scores(
    *, model: ScoringModel, at: dt.datetime, company_ids: Iterable[int] | None = None
) -> int:
    """Account scores: the model's aggregate of the contacts' stored scores (set-based)."""
    ids = None if company_ids is None else sorted(company_ids)
    return setbased.write_company_scores(model.account_aggregate, at, ids)


def run_queued_rescore(payload: dict[str, Any]) -> None:
    """Job handler: the full rescore of a RescoreRun, its progress saved as it goes."""
    run = RescoreRun.objects.get(pk=payload["run"])
    RescoreRun.objects.filter(pk=run.pk).update(started_at=timezone.now(), error="")

    def progress(done: int, total: int) -> None:
        RescoreRun.objects.filter(pk=run.pk).update(done=done, total=total)

    try:
        result = rescore_all(progress=progress)
    except Exception as error:
        RescoreRun.objects.filter(pk=run.pk).update(error=str(error)[:2000])
        raise
    RescoreRun.objects.filter(pk=run.pk).update(
        finished_at=timezone.now(), contacts=result.contacts, changed=result.changed,
        mqls=result.mqls, seconds=round(result.seconds, 3))

"""Writing scores: the full rescore, the incremental update, MQL qualification and
account scores. Both paths run engine.score_scope, so they store the same numbers.

- Full rescore (`rescore_all`, `smarketing rescore`, and after every model change):
  contacts in id ranges of BATCH; per range a constant number of set-based queries,
  then bulk writes of the rows whose numbers changed. Idempotent. Safe while
  ingestion runs: each range is read and written in its own short transaction, and an
  event that lands meanwhile triggers its own incremental update.
- Incremental (`score_contacts`): the same for a few contact ids; the tracking
  ingestion calls `after_events_ingested` which runs it right after the request's
  transaction commits (so the worst-case delay is the end of that request).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Avg, Count, Max, Min, Sum
from django.utils import timezone

from smarketing.people.lifecycle import contact_transition
from smarketing.people.models import Cause, Contact, Stage
from smarketing.scoring.engine import (
    ContactResult,
    ModelSpec,
    scope_of_ids,
    scope_of_range,
    score_scope,
)
from smarketing.scoring.models import AccountAggregate, CompanyScore, ContactScore, ScoringModel
from smarketing.scoring.services import active_model

BATCH = 20_000
QUALIFIABLE = frozenset({Stage.SUBSCRIBER, Stage.LEAD})
Progress = Callable[[int, int], None]


@dataclass
class RescoreResult:
    contacts: int = 0
    changed: int = 0
    mqls: int = 0
    seconds: float = 0.0


def mql_reason(result: ContactResult, spec: ModelSpec) -> str:
    """Why the contact qualifies now ("" if it does not)."""
    if result.hand_raise:
        return f"hand-raise: {result.hand_raise}"
    if result.total >= spec.threshold:
        return f"score {result.total} >= {spec.threshold} (model v{spec.version})"
    return ""


def _qualify(results: Iterable[ContactResult], spec: ModelSpec) -> int:
    """Move newly qualified contacts to MQL: once only (never if they were one), and
    only forward (subscribers and leads); scores going down never demote."""
    moved = 0
    for result in results:
        reason = mql_reason(result, spec)
        if reason and result.stage in QUALIFIABLE and not result.became_mql:
            change = contact_transition(
                contact=Contact(pk=result.contact_id), to_stage=Stage.MQL,
                cause=Cause.SCORING, reason=reason,
            )
            moved += change is not None
    return moved


def _write(model: ScoringModel, results: dict[int, ContactResult], at: dt.datetime) -> int:
    """Bulk-write scores that changed; returns how many contacts changed."""
    current = {
        row[0]: row[1:] for row in Contact.objects.filter(pk__in=results).values_list(
            "id", "fit_score", "engagement_score", "score")
    }
    changed = [
        Contact(pk=r.contact_id, fit_score=r.fit, engagement_score=r.engagement, score=r.total)
        for r in results.values() if current.get(r.contact_id) != (r.fit, r.engagement, r.total)
    ]
    Contact.objects.bulk_update(changed, ["fit_score", "engagement_score", "score"], 2000)
    ContactScore.objects.bulk_create(
        [ContactScore(contact_id=r.contact_id, model=model, fit=r.fit, engagement=r.engagement,
                      total=r.total, scored_at=at) for r in results.values()],
        update_conflicts=True, unique_fields=["contact"],
        update_fields=["model", "fit", "engagement", "total", "scored_at"], batch_size=2000,
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


def rescore_all(
    *, at: dt.datetime | None = None, progress: Progress | None = None, batch: int = BATCH
) -> RescoreResult:
    """Rescore every contact with the active model at `at` (default now)."""
    started, at = time.monotonic(), at or timezone.now()
    model = active_model()
    spec, result = ModelSpec.of(model), RescoreResult()
    bounds = Contact.objects.aggregate(low=Min("id"), high=Max("id"))
    low, high = bounds["low"] or 0, bounds["high"] or -1
    for start in range(low, high + 1, batch):
        _score_and_store(model, spec, scope_of_range(start, start + batch - 1), at, result)
        if progress:
            progress(min(start + batch, high + 1) - low, high + 1 - low)
    refresh_company_scores(model=model, at=at)
    result.seconds = time.monotonic() - started
    return result


def score_contacts(
    *, contact_ids: Sequence[int], at: dt.datetime | None = None
) -> RescoreResult:
    """Incremental: rescore these contacts (and their companies) only."""
    at, result = at or timezone.now(), RescoreResult()
    ids = sorted(set(contact_ids))
    if not ids:
        return result
    model = active_model()
    companies = _score_and_store(model, ModelSpec.of(model), scope_of_ids(ids), at, result)
    if companies:
        refresh_company_scores(model=model, at=at, company_ids=companies)
    return result


def after_events_ingested(contact_ids: Iterable[int | None]) -> None:
    """For the tracking ingestion: rescore these contacts once the transaction commits."""
    ids = sorted({i for i in contact_ids if i is not None})
    if ids:
        transaction.on_commit(lambda: score_contacts(contact_ids=ids))


AGGREGATES = {AccountAggregate.MAX: Max, AccountAggregate.SUM: Sum, AccountAggregate.AVG: Avg}


def refresh_company_scores(
    *, model: ScoringModel, at: dt.datetime, company_ids: Iterable[int] | None = None
) -> int:
    """Account scores: the model's aggregate of the contacts' stored scores."""
    agg = AGGREGATES[AccountAggregate(model.account_aggregate)]
    contacts = Contact.objects.filter(company__isnull=False)
    if company_ids is not None:
        contacts = contacts.filter(company_id__in=list(company_ids))
    rows = contacts.values("company_id").annotate(
        fit=agg("fit_score"), engagement=agg("engagement_score"), total=agg("score"),
        n=Count("id"),
    ).order_by()
    scores = [
        CompanyScore(company_id=r["company_id"], fit=round(r["fit"]),
                     engagement=round(r["engagement"]), total=round(r["total"]),
                     contacts=r["n"], scored_at=at)
        for r in rows
    ]
    CompanyScore.objects.bulk_create(
        scores, update_conflicts=True, unique_fields=["company"],
        update_fields=["fit", "engagement", "total", "contacts", "scored_at"], batch_size=2000,
    )
    return len(scores)


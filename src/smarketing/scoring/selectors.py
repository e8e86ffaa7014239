"""Reads for scoring: a contact's score and explanation at a time, the model history,
the score distribution, and the live preview of a draft model."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, QuerySet
from django.utils import timezone

from smarketing.core.ordering import both_ways, check_sort, matching
from smarketing.core.timeline import TimelineItem
from smarketing.people.models import Company, Contact, Score
from smarketing.people.scores import ensure_rows
from smarketing.scoring import setbased
from smarketing.scoring.engine import (
    ContactResult,
    ModelSpec,
    scope_of_ids,
    score_scope,
)
from smarketing.scoring.models import (
    CompanyScore,
    ContactScore,
    EngagementRule,
    FitRule,
    FullRescore,
    PredictiveModel,
    RescoreRun,
    ScoreChange,
    ScoringModel,
)
from smarketing.scoring.scoring import QUALIFIABLE
from smarketing.scoring.services import active_model, clean_engagement_rule, clean_fit_rule


@dataclass(frozen=True)
class StoredScore:
    """A contact's stored score (people.Score), the model and time that last computed or
    confirmed it, and its predictive score."""

    fit: int
    engagement: int
    total: int
    model_id: int
    scored_at: dt.datetime
    probability: float | None = None
    factors: list[Any] = field(default_factory=list)
    predictive_version: int | None = None


@dataclass(frozen=True)
class ScoreView:
    model: ScoringModel
    at: dt.datetime
    result: ContactResult
    stored: StoredScore | None


def contact_score(contact: Contact, at: dt.datetime | None = None) -> ScoreView:
    """The contact's score at `at` (default now) with its explanation."""
    model, at = active_model(), at or timezone.now()
    contacts, events = scope_of_ids([contact.pk])
    result = score_scope(ModelSpec.of(model), contacts=contacts, events=events, at=at)
    return ScoreView(model=model, at=at, result=result[contact.pk],
                     stored=stored_score(contact.pk))


def stored_score(contact_id: int) -> StoredScore | None:
    """The contact's stored score with the model and time that last computed or
    confirmed it: its ContactScore row's (the incremental path), or the last full
    rescore's when that is later and the contact was in it (it writes no row a
    contact); None when never scored."""
    row = ContactScore.objects.filter(contact_id=contact_id).first()
    full = FullRescore.objects.filter(id=1).first()
    stamp = (row.model_id, row.scored_at) if row is not None else None
    if full is not None and full.covers(contact_id) and (stamp is None or full.at >= stamp[1]):
        stamp = (full.model_id, full.at)
    if stamp is None:
        return None
    ensure_rows()
    numbers = Score.objects.filter(contact_id=contact_id).values_list(
        "fit", "engagement", "total").first() or (0, 0, 0)
    predictive = ((row.probability, row.factors, row.predictive_version)
                  if row is not None else (None, [], None))
    return StoredScore(*numbers, *stamp, *predictive)


MODEL_SORTS = both_ways("version", "created_at", "threshold")


def model_history(
    *, is_active: bool | None = None, sort: str = "-version"
) -> QuerySet[ScoringModel]:
    """Scoring model versions in `sort` order (default: newest version first)."""
    qs = ScoringModel.objects.select_related("created_by")
    return matching(qs.order_by(*check_sort(sort, MODEL_SORTS)), is_active=is_active)


def model_by_version(version: int) -> ScoringModel | None:
    return ScoringModel.objects.filter(version=version).first()


def score_distribution(*, width: int = 10) -> list[dict[str, int]]:
    """Contacts per score bucket [low, low + width) of their stored total."""
    ensure_rows()
    bounds = Score.objects.aggregate(low=Min("total"), high=Max("total"))
    if bounds["low"] is None:
        return []
    counts = dict(Score.objects.values_list("total").annotate(n=Count("contact_id"))
                  .values_list("total", "n"))
    start = (bounds["low"] // width) * width
    buckets = dict.fromkeys(range(start, bounds["high"] + 1, width), 0)
    for score, n in counts.items():
        buckets[(score // width) * width] += n
    return [{"low": low, "high": low + width - 1, "contacts": n} for low, n in buckets.items()]


def draft_spec(draft: dict[str, Any]) -> ModelSpec:
    """A ModelSpec for unsaved settings and rules (validated as a change would be)."""
    model = active_model()
    fit = draft.get("fit_rules")
    engagement = draft.get("engagement_rules")
    current = ModelSpec.of(model)
    return ModelSpec(
        threshold=int(draft.get("threshold", model.threshold)),
        half_life_days=int(draft.get("half_life_days", model.half_life_days)),
        hand_raise_events=tuple(draft.get("hand_raise_events", model.hand_raise_events)),
        fit_rules=current.fit_rules if fit is None else tuple(
            FitRule(**clean_fit_rule(r)) for r in fit),
        engagement_rules=current.engagement_rules if engagement is None else tuple(
            EngagementRule(**clean_engagement_rule(r)) for r in engagement),
        version=None,
    )


@dataclass(frozen=True)
class Preview:
    contacts: int
    qualifying: int  # total >= threshold or a hand-raise, whatever the stage
    new_mqls: int  # of those, subscribers and leads that were never an MQL


def preview(spec: ModelSpec, at: dt.datetime | None = None) -> Preview:
    """How many current contacts would be MQLs under `spec` (nothing is written): the
    full rescore's set-based scores, counted by the database."""
    at = at or timezone.now()
    setbased.create_temp_tables(spec.half_life_days)
    try:
        contacts, qualifying, new = setbased.qualifying_counts(spec, at, sorted(QUALIFIABLE))
    finally:
        setbased.drop_temp_tables()
    return Preview(contacts=contacts, qualifying=qualifying, new_mqls=new)


def score_changes_for_timeline(
    contact_id: int, before: dt.datetime | None, limit: int
) -> list[TimelineItem]:
    """Timeline provider: the contact's score changes, newest first."""
    qs = ScoreChange.objects.filter(contact_id=contact_id).select_related("model")
    if before is not None:
        qs = qs.filter(at__lt=before)
    return [
        TimelineItem(
            at=change.at, kind="score_change",
            title=f"Score {change.previous_total} → {change.total}",
            detail=f"fit {change.fit}, engagement {change.engagement} "
                   f"(model v{change.model.version})",
            actor="Scoring",
            data={"previous_total": change.previous_total, "total": change.total,
                  "fit": change.fit, "engagement": change.engagement,
                  "model_version": change.model.version},
        )
        for change in qs.order_by("-at", "-id")[:limit]
    ]


def latest_rescore() -> RescoreRun | None:
    return RescoreRun.objects.select_related("model").first()


RESCORE_SORTS = both_ways("id", "queued_at", "seconds", "changed")


def rescore_runs(
    *, finished: bool | None = None, model_version: int | None = None, sort: str = "-id"
) -> QuerySet[RescoreRun]:
    """Full rescore runs in `sort` order (default: newest first), finished or not, of a
    scoring model version."""
    qs = RescoreRun.objects.select_related("model").order_by(*check_sort(sort, RESCORE_SORTS))
    qs = matching(qs, model__version=model_version)
    return qs if finished is None else qs.filter(finished_at__isnull=not finished)


@dataclass(frozen=True)
class CompanyScoreView:
    model: ScoringModel
    stored: CompanyScore | None
    top_contacts: list[Contact]


def company_score(company: Company, *, top: int = 10) -> CompanyScoreView:
    """The account score (the active model's aggregate of its contacts' stored scores,
    kept by every rescore) and the contacts scoring highest in it."""
    ensure_rows()
    contacts = Contact.objects.filter(company=company).select_related("scores").order_by(
        "-scores__total", "id")
    return CompanyScoreView(
        model=active_model(), stored=CompanyScore.objects.filter(company=company).first(),
        top_contacts=list(contacts.only("id", "first_name", "last_name", "email",
                                        "scores__fit", "scores__engagement",
                                        "scores__total")[:top]),
    )


SCORE_HISTORY_SORTS = both_ways("at", "total")


def score_history(
    *, contact_id: int | None = None, company_id: int | None = None,
    since: dt.datetime | None = None, before: dt.datetime | None = None, sort: str = "-at",
) -> QuerySet[ScoreChange]:
    """Score changes of a contact, or of a company's contacts, in `sort` order (default:
    newest first)."""
    qs = ScoreChange.objects.select_related("model")
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if company_id is not None:
        qs = qs.filter(contact__company_id=company_id)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if before is not None:
        qs = qs.filter(at__lt=before)
    return qs.order_by(*check_sort(sort, SCORE_HISTORY_SORTS))


PREDICTIVE_SORTS = both_ways("version", "trained_at")


def predictive_models(*, target: str = "", sort: str = "-version") -> QuerySet[PredictiveModel]:
    """Trained predictive models in `sort` order (default: newest version first; the
    estimator is not loaded)."""
    qs = PredictiveModel.objects.select_related("trained_by").defer("estimator")
    return (qs.filter(target=target) if target else qs).order_by(
        *check_sort(sort, PREDICTIVE_SORTS))

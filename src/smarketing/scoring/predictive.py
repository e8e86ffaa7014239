"""The predictive score from the database: outcomes, features, training, scoring.

Outcomes (configurable target, `customer` by default, or `sql`):
- positive: the contact reached the target stage; its outcome time is when;
- negative: not positive and recycled or unqualified (outcome time: last update),
  or created more than `stale_days` ago (outcome time: created + stale_days);
- every other contact is still open and not used for training.
Features (only what was known before the outcome time, never the stage, the
`became_*` dates or scores): company size, revenue, industry, country, region;
the contact's title and source channel; its custom properties (numbers as
numbers, the rest as categories); counts of its events by type and name, events
in the last 30 days and days since the last event, all before the feature cutoff.
The cutoff is the same rule for every class: min(outcome time, created +
`window_days`), so recency features cannot tell classes apart by when their
outcome was recorded (a stale negative's outcome time is long after creation).
Rows are ordered by the contact's creation time for the time-based holdout.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from typing import Any

import joblib
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import Contact, LeadStatus
from smarketing.scoring.learning import Features, Trained, contact_factors, fit_and_report
from smarketing.scoring.models import ContactScore, FullRescore, PredictiveModel
from smarketing.scoring.services import active_model
from smarketing.tracking.models import Event

MIN_OUTCOMES = 50  # of each class
TARGETS = ("customer", "sql")
FIELDS = ("id", "created_at", "updated_at", "lead_status", "title", "original_source",
          "properties", "company__employee_count", "company__annual_revenue",
          "company__industry", "company__country", "company__region")
NEGATIVE_STATUSES = (LeadStatus.RECYCLED, LeadStatus.UNQUALIFIED)


def _outcome(row: dict[str, Any], target_at: Any, now: dt.datetime, stale: dt.timedelta
             ) -> tuple[int, dt.datetime] | None:
    if target_at is not None:
        return 1, target_at
    if row["lead_status"] in NEGATIVE_STATUSES:
        return 0, row["updated_at"]
    if row["created_at"] <= now - stale:
        return 0, row["created_at"] + stale
    return None


def _static_features(row: dict[str, Any]) -> Features:
    features: Features = {"title": row["title"].lower() or "(none)",
                          "source": row["original_source"] or "(none)"}
    for key in ("industry", "country", "region"):
        features[f"company.{key}"] = row[f"company__{key}"] or "(none)"
    for key in ("employee_count", "annual_revenue"):
        if row[f"company__{key}"] is not None:
            features[f"company.{key}"] = float(row[f"company__{key}"])
    for key, value in (row["properties"] or {}).items():
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        features[f"prop.{key}"] = float(value) if numeric else str(value)
    return features


def _event_features(events: list[tuple[str, dt.datetime]], cutoff: dt.datetime) -> Features:
    counts: Features = defaultdict(float)
    last = None
    for key, at in events:
        if at < cutoff:
            counts[f"events.{key}"] += 1
            counts["events.last_30_days"] += at >= cutoff - dt.timedelta(days=30)
            last = at if last is None or at > last else last
    if last is not None:
        counts["events.days_since_last"] = (cutoff - last).total_seconds() / 86400
    return dict(counts)


def _events_of(ids: list[int]) -> dict[int, list[tuple[str, dt.datetime]]]:
    by_contact: dict[int, list[tuple[str, dt.datetime]]] = defaultdict(list)
    rows = Event.objects.filter(contact_id__in=ids).values_list(
        "contact_id", "type", "name", "timestamp").iterator(chunk_size=10_000)
    for contact_id, kind, name, at in rows:
        by_contact[contact_id].append((f"{kind}:{name}" if name else kind, at))
    return by_contact


def training_set(*, target: str, stale_days: int, now: dt.datetime, window_days: int = 30
                 ) -> tuple[list[Features], list[int]]:
    """Labelled contacts in creation order: their features at their cutoff."""
    stale, window = dt.timedelta(days=stale_days), dt.timedelta(days=window_days)
    labelled = []
    for row in Contact.objects.order_by("created_at", "id").values(*FIELDS, f"became_{target}_at"):
        outcome = _outcome(row, row[f"became_{target}_at"], now, stale)
        if outcome is not None:
            labelled.append((row, outcome[0], min(outcome[1], row["created_at"] + window)))
    events = _events_of([row["id"] for row, _, _ in labelled])
    rows = [{**_static_features(row), **_event_features(events[row["id"]], at)}
            for row, _, at in labelled]
    return rows, [label for _, label, _ in labelled]


def _check_outcomes(labels: list[int], minimum: int) -> None:
    positives = sum(labels)
    negatives = len(labels) - positives
    if positives < minimum or negatives < minimum:
        raise ValidationFailed(
            f"too few outcomes to learn from: {positives} positive and {negatives} negative; "
            f"at least {minimum} of each are needed", field="outcomes")


def train(
    *, actor: Any = None, target: str = "customer", stale_days: int = 180,
    min_outcomes: int = MIN_OUTCOMES, now: dt.datetime | None = None,
) -> PredictiveModel:
    """Train, report on the time-based holdout, keep the model, score every contact."""
    if target not in TARGETS:
        raise ValidationFailed(f"target: one of {', '.join(TARGETS)}", field="target")
    now = now or timezone.now()
    rows, labels = training_set(target=target, stale_days=stale_days, now=now)
    _check_outcomes(labels, min_outcomes)
    trained = fit_and_report(rows, labels)
    trained.report["outcome"] = {"target": target, "stale_days": stale_days,
                                 "min_outcomes": min_outcomes}
    model = _save(trained, actor=actor, target=target, now=now)
    score_everyone(model, trained, now=now)
    return model


def _save(trained: Trained, *, actor: Any, target: str, now: dt.datetime) -> PredictiveModel:
    buffer = io.BytesIO()
    joblib.dump(trained.model, buffer)
    version = (PredictiveModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    return PredictiveModel.objects.create(
        version=version, trained_at=now, target=target, report=trained.report,
        estimator=buffer.getvalue(), trained_by=actor if getattr(actor, "pk", None) else None,
    )


def current_features(ids: list[int], now: dt.datetime) -> list[Features]:
    rows = Contact.objects.filter(pk__in=ids).order_by("id").values(*FIELDS)
    events = _events_of(ids)
    return [{**_static_features(r), **_event_features(events[r["id"]], now)} for r in rows]


def score_everyone(model: PredictiveModel, trained: Trained, *, now: dt.datetime) -> int:
    """Store every contact's probability and top factors (batches of 5,000)."""
    keys = [f["feature"] for f in model.report.get("top_factors", [])]
    ids = list(Contact.objects.order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        probabilities, factors = contact_factors(
            trained.model, current_features(chunk, now), keys)
        _store(model, dict(zip(chunk, zip(probabilities, factors, strict=True), strict=True)))
    return len(ids)


@transaction.atomic
def _store(model: PredictiveModel, values: dict[int, tuple[Any, Any]]) -> None:
    full = FullRescore.objects.filter(id=1).first()  # a new row: the stored score's stamp
    scoring_model, now = active_model(), timezone.now()
    stored = {s.contact_id: s for s in ContactScore.objects.filter(contact_id__in=values)}
    rows = []
    for contact_id in Contact.objects.filter(id__in=values).values_list("id", flat=True):
        row = stored.get(contact_id) or (
            ContactScore(contact_id=contact_id, model_id=full.model_id, scored_at=full.at)
            if full and full.covers(contact_id)
            else ContactScore(contact_id=contact_id, model=scoring_model, scored_at=now))
        row.probability = round(float(values[contact_id][0]), 4)
        row.factors, row.predictive_version = values[contact_id][1], model.version
        rows.append(row)
    ContactScore.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["contact"],
        update_fields=["probability", "factors", "predictive_version"], batch_size=2000)


def latest_model() -> PredictiveModel | None:
    return PredictiveModel.objects.order_by("-version").first()


def load(model: PredictiveModel) -> Any:
    return joblib.load(io.BytesIO(bytes(model.estimator)))


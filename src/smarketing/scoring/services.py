"""Writes for scoring: model versions and their rules (every change is a new version).

A change validates the rules (the same code that turns them into SQL), deactivates
the active model and creates the next version with the change applied, in one
transaction; after commit a job rescores every contact with the new model
(`RescoreRun` shows its progress on the scoring page).
"""

from __future__ import annotations

from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from smarketing.core.errors import NotFound, ValidationFailed
from smarketing.core.jobs import enqueue
from smarketing.scoring.defaults import (
    DEFAULT_ENGAGEMENT_RULES,
    DEFAULT_FIT_RULES,
    DEFAULT_SETTINGS,
)
from smarketing.scoring.models import (
    AccountAggregate,
    EngagementRule,
    FitRule,
    RescoreRun,
    ScoringModel,
)
from smarketing.scoring.permissions import check_can_edit_scoring
from smarketing.scoring.rules import engagement_q, fit_q
from smarketing.tracking.models import EventType

SETTINGS = ("name", "threshold", "half_life_days", "hand_raise_events", "account_aggregate")
FIT_FIELDS = ("label", "field", "operator", "value", "points")
ENGAGEMENT_FIELDS = (
    "label", "event_type", "event_name", "property_filters", "points", "daily_cap",
    "rule_cap", "recency_days",
)


def _unknown(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    extra = sorted(set(data) - set(allowed))
    if extra:
        raise ValidationFailed(f"{extra[0]}: unknown field", field=extra[0])


def _int(data: dict[str, Any], key: str, *, minimum: int | None = None) -> int:
    value = data.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationFailed(f"{key}: give a whole number", field=key)
    if minimum is not None and value < minimum:
        raise ValidationFailed(f"{key}: must be at least {minimum}", field=key)
    return value


def clean_fit_rule(data: dict[str, Any]) -> dict[str, Any]:
    _unknown(data, FIT_FIELDS)
    rule = {"label": str(data.get("label", ""))[:200], "field": str(data.get("field", "")),
            "operator": str(data.get("operator", "")), "value": data.get("value"),
            "points": _int(data, "points")}
    fit_q(str(rule["field"]), str(rule["operator"]), rule["value"])  # raises if bad
    return rule


def clean_engagement_rule(data: dict[str, Any]) -> dict[str, Any]:
    _unknown(data, ENGAGEMENT_FIELDS)
    rule = {key: data.get(key, "") for key in ("label", "event_type", "event_name")}
    rule["property_filters"] = data.get("property_filters") or {}
    if rule["event_type"] and rule["event_type"] not in EventType.values:
        raise ValidationFailed("event_type: not an event type", field="event_type")
    rule["points"] = _int(data, "points")
    if rule["points"] == 0:
        raise ValidationFailed("points: a rule must give or take points", field="points")
    for key in ("daily_cap", "rule_cap", "recency_days"):
        rule[key] = _int(data, key, minimum=0)
    engagement_q(rule["event_type"], rule["event_name"], rule["property_filters"])
    return rule


def _clean_settings(changes: dict[str, Any]) -> dict[str, Any]:
    _unknown(changes, SETTINGS)
    clean = dict(changes)
    for key in ("threshold", "half_life_days"):
        if key in clean:
            clean[key] = _int(clean, key, minimum=0)
    names = clean.get("hand_raise_events", [])
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ValidationFailed("hand_raise_events: give a list of event names",
                               field="hand_raise_events")
    if clean.get("account_aggregate", "max") not in AccountAggregate.values:
        raise ValidationFailed("account_aggregate: max, sum or avg", field="account_aggregate")
    return clean


VERSION_LOCK = 0x5C0E  # PostgreSQL advisory lock key: one version is written at a time


def active_model() -> ScoringModel:
    """The active model; the default B2B model is created the first time."""
    model = ScoringModel.objects.filter(is_active=True).first()
    return model if model is not None else _create_default_model()


@transaction.atomic
def _create_default_model() -> ScoringModel:
    _serialize_versions()  # concurrent first requests: one creates, the others read it
    model = ScoringModel.objects.filter(is_active=True).first()
    if model is not None:
        return model
    return _create_version(
        actor=None, settings=dict(DEFAULT_SETTINGS), fit=DEFAULT_FIT_RULES,
        engagement=DEFAULT_ENGAGEMENT_RULES, note="default B2B model", previous=None,
    )


def _serialize_versions() -> None:
    """Writers of versions take turns (SQLite's IMMEDIATE transactions already do)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [VERSION_LOCK])


@transaction.atomic
def _create_version(
    *, actor: Any, settings: dict[str, Any], fit: list[dict[str, Any]],
    engagement: list[dict[str, Any]], note: str, previous: ScoringModel | None,
) -> ScoringModel:
    _serialize_versions()
    ScoringModel.objects.filter(is_active=True).update(is_active=False)
    version = (ScoringModel.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    model = ScoringModel.objects.create(
        version=version, is_active=True, created_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
        change_note=note[:1000], previous=previous, **settings,
    )
    FitRule.objects.bulk_create(FitRule(model=model, **clean_fit_rule(r)) for r in fit)
    EngagementRule.objects.bulk_create(
        EngagementRule(model=model, **clean_engagement_rule(r)) for r in engagement
    )
    return model


def rule_dicts(model: ScoringModel) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    fit = [{k: getattr(r, k) for k in FIT_FIELDS} for r in model.fit_rules.all()]
    engagement = [
        {k: getattr(r, k) for k in ENGAGEMENT_FIELDS} for r in model.engagement_rules.all()
    ]
    return fit, engagement


def _settings_of(model: ScoringModel) -> dict[str, Any]:
    return {key: getattr(model, key) for key in SETTINGS}


def _describe(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    return [f"{k}: {old[k]!r} -> {new[k]!r}" for k in SETTINGS if old[k] != new[k]]


@transaction.atomic
def model_change(
    *, actor: Any, settings: dict[str, Any] | None = None,
    fit_rules: list[dict[str, Any]] | None = None,
    engagement_rules: list[dict[str, Any]] | None = None, note: str = "",
) -> ScoringModel:
    """A new active version: the active one with these settings and/or rule lists."""
    check_can_edit_scoring(actor)
    current = ScoringModel.objects.select_for_update().get(pk=active_model().pk)
    old_settings = _settings_of(current)
    new_settings = {**old_settings, **_clean_settings(settings or {})}
    fit, engagement = rule_dicts(current)
    what = _describe(old_settings, new_settings)
    if fit_rules is not None:
        fit, what = fit_rules, [*what, f"fit rules: {len(fit)} -> {len(fit_rules)}"]
    if engagement_rules is not None:
        what.append(f"engagement rules: {len(engagement)} -> {len(engagement_rules)}")
        engagement = engagement_rules
    note = "; ".join(filter(None, [note.strip(), *what])) or "no change"
    model = _create_version(actor=actor, settings=new_settings, fit=fit,
                            engagement=engagement, note=note, previous=current)
    queue_rescore(model=model)
    return model


RESCORE_JOB = "scoring.rescore"


def queue_rescore(*, model: ScoringModel) -> RescoreRun:
    """A full rescore by the job queue once the change commits (progress in the run)."""
    run = RescoreRun.objects.create(model=model, queued_at=timezone.now())
    enqueue(RESCORE_JOB, {"run": run.pk}, dedupe_key=f"{RESCORE_JOB}:{run.pk}")
    return run


@transaction.atomic
def rescore_start(*, actor: Any) -> tuple[RescoreRun, bool]:
    """A full rescore with the active model, queued like a model change queues one
    (marketing and admin); a run of that model still queued or running is returned
    instead of a second one. Returns the run and whether it was queued now."""
    check_can_edit_scoring(actor)
    model = active_model()
    pending = RescoreRun.objects.filter(model=model, finished_at__isnull=True, error="")
    run = pending.order_by("-id").first()
    return (run, False) if run is not None else (queue_rescore(model=model), True)


def _rule_index(model: ScoringModel, family: str, rule_id: int) -> int:
    rules = model.fit_rules.all() if family == "fit" else model.engagement_rules.all()
    ids = [r.pk for r in rules]
    if rule_id not in ids:
        raise NotFound(f"no {family} rule {rule_id} in the active model")
    return ids.index(rule_id)


def rule_add(*, actor: Any, family: str, data: dict[str, Any]) -> ScoringModel:
    fit, engagement = rule_dicts(active_model())
    rules = fit if family == "fit" else engagement
    rules.append(data)
    return _change_rules(actor, family, rules, f"added {family} rule {data.get('label', '')!r}")


def rule_update(
    *, actor: Any, family: str, rule_id: int, data: dict[str, Any]
) -> ScoringModel:
    model = active_model()
    index = _rule_index(model, family, rule_id)
    rules = rule_dicts(model)[0 if family == "fit" else 1]
    rules[index] = {**rules[index], **data}
    return _change_rules(actor, family, rules, f"changed {family} rule {rule_id}")


def rule_remove(*, actor: Any, family: str, rule_id: int) -> ScoringModel:
    model = active_model()
    index = _rule_index(model, family, rule_id)
    rules = rule_dicts(model)[0 if family == "fit" else 1]
    removed = rules.pop(index)
    return _change_rules(actor, family, rules, f"removed {family} rule {removed['label']!r}")


def _change_rules(
    actor: Any, family: str, rules: list[dict[str, Any]], note: str
) -> ScoringModel:
    if family == "fit":
        return model_change(actor=actor, fit_rules=rules, note=note)
    return model_change(actor=actor, engagement_rules=rules, note=note)

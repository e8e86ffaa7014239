"""Scoring models are versioned: one active, every change a new version with who,
when and what; only marketing and admin change them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from smarketing.core.errors import PermissionDenied, ValidationFailed
from smarketing.scoring.defaults import DEFAULT_ENGAGEMENT_RULES, DEFAULT_FIT_RULES
from smarketing.scoring.models import ScoringModel
from smarketing.scoring.services import (
    active_model,
    model_change,
    rule_add,
    rule_remove,
    rule_update,
)


def test_the_default_b2b_model_is_created_once_as_version_1(db: Any) -> None:
    model = active_model()
    assert (model.version, model.threshold, model.half_life_days) == (1, 60, 30)
    assert model.fit_rules.count() == len(DEFAULT_FIT_RULES)
    assert model.engagement_rules.count() == len(DEFAULT_ENGAGEMENT_RULES)
    assert active_model() == model
    assert ScoringModel.objects.count() == 1


def test_the_database_refuses_a_second_active_model(db: Any) -> None:
    model = active_model()
    with pytest.raises(IntegrityError), transaction.atomic():
        ScoringModel.objects.create(version=2, is_active=True, created_at=model.created_at)


def test_every_change_is_a_new_version_recording_who_and_what(users: Any) -> None:
    first = active_model()
    second = model_change(actor=users["marketing"], settings={"threshold": 70}, note="busy")
    first.refresh_from_db()
    assert (first.is_active, second.is_active, second.version) == (False, True, 2)
    assert second.created_by == users["marketing"]
    assert second.previous == first
    assert second.change_note == "busy; threshold: 60 -> 70"
    assert second.fit_rules.count() == first.fit_rules.count()
    assert first.threshold == 60  # the old version is kept as it was


def test_rule_changes_make_versions_and_leave_the_old_rules_alone(users: Any) -> None:
    first = active_model()
    rule = first.fit_rules.first()
    assert rule is not None
    second = rule_update(actor=users["admin"], family="fit", rule_id=rule.pk,
                         data={"points": 99})
    third = rule_add(actor=users["admin"], family="engagement",
                     data={"event_type": "track", "event_name": "Trial Started", "points": 30})
    fourth = rule_remove(actor=users["admin"], family="fit",
                         rule_id=third.fit_rules.first().pk)  # type: ignore[union-attr]
    assert second.fit_rules.first().points == 99  # type: ignore[union-attr]
    assert third.engagement_rules.count() == first.engagement_rules.count() + 1
    assert fourth.fit_rules.count() == first.fit_rules.count() - 1
    assert first.fit_rules.first().points == rule.points  # type: ignore[union-attr]
    assert [m.version for m in ScoringModel.objects.all()] == [4, 3, 2, 1]


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_sales_may_not_change_the_model(users: Any, role: str) -> None:
    with pytest.raises(PermissionDenied):
        model_change(actor=users[role], settings={"threshold": 1})
    assert active_model().version == 1


@pytest.mark.parametrize(("data", "field"), [
    ({"event_type": "click", "points": 1}, "event_type"),
    ({"event_type": "page", "points": 0}, "points"),
    ({"event_type": "page", "points": 1, "daily_cap": -1}, "daily_cap"),
    ({"event_type": "page", "points": 1, "colour": "red"}, "colour"),
])
def test_a_bad_engagement_rule_is_refused_and_nothing_changes(
    users: Any, data: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as error:
        rule_add(actor=users["marketing"], family="engagement", data=data)
    assert error.value.field == field
    assert ScoringModel.objects.count() == 1

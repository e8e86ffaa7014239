"""Engagement semantics (caps, negative points, recency, decay with frozen time) and
explanations that sum exactly to the stored score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.people.models import Contact
from smarketing.scoring.engine import ModelSpec, decay_factor, scope_of_ids, score_scope
from smarketing.scoring.scoring import rescore_all
from smarketing.scoring.services import active_model
from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.testing.factories import make_company, make_contact

DAY = dt.timedelta(days=1)


def score_now(contact: Contact, at: dt.datetime = NOW) -> Any:
    spec = ModelSpec.of(active_model())
    contacts, events = scope_of_ids([contact.pk])
    return score_scope(spec, contacts=contacts, events=events, at=at)[contact.pk]


def test_decay_halves_every_half_life_and_never_applies_to_today() -> None:
    assert decay_factor(0, 30) == 1
    assert decay_factor(30, 30) == Decimal("0.5")
    assert decay_factor(60, 30) == Decimal("0.25")
    assert decay_factor(15, 30) == Decimal("0.707107")
    assert decay_factor(400, 0) == 1


def test_points_per_occurrence_are_capped_per_day_and_per_rule(users: Any) -> None:
    a_model(users["marketing"], half_life_days=0, engagement=[
        {"label": "Page", "event_type": "page", "points": 2, "daily_cap": 5, "rule_cap": 12},
    ])
    lead = make_contact()
    for day in range(4):
        for _ in range(3):
            event(lead, "page", at=NOW - day * DAY)
    item = score_now(lead).items[0]
    assert (item.occurrences, item.points_before_decay, item.points) == (12, 12, 12)
    event(lead, "page", at=NOW - 10 * DAY)  # one more day: 2 points, still capped at 12
    assert score_now(lead).engagement == 12


def test_negative_rules_take_points_away_within_their_cap(users: Any) -> None:
    a_model(users["marketing"], half_life_days=0, engagement=[
        {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 50},
        {"label": "Careers", "event_type": "page", "property_filters": {"page_path": "/careers*"},
         "points": -10, "rule_cap": 25},
    ])
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    for path in ("/careers", "/careers/eng", "/careers/ops", "/pricing"):
        event(lead, "page", page_path=path)
    result = score_now(lead)
    assert result.engagement == 50 - 25
    assert {i.label: i.points for i in result.items} == {"Form": 50, "Careers": -25}


def test_the_recency_window_ignores_older_events_and_future_ones(users: Any) -> None:
    a_model(users["marketing"], half_life_days=0, engagement=[
        {"event_type": "track", "event_name": "Webinar Attended", "points": 15,
         "recency_days": 30},
    ])
    lead = make_contact()
    event(lead, "track", "Webinar Attended", at=NOW - 31 * DAY)
    event(lead, "track", "Webinar Attended", at=NOW - 29 * DAY)
    event(lead, "track", "Webinar Attended", at=NOW + DAY)
    assert score_now(lead).engagement == 15


def test_engagement_decays_with_the_half_life_at_the_time_it_is_shown(users: Any) -> None:
    a_model(users["marketing"], half_life_days=30, engagement=[
        {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 50},
    ])
    lead = make_contact()
    event(lead, "track", "Form Submitted", at=NOW)
    for days, expected in ((0, 50), (30, 25), (45, 18), (60, 13), (300, 0)):
        with time_machine.travel(NOW + days * DAY, tick=False):
            rescore_all()
        assert Contact.objects.get(pk=lead.pk).engagement_score == expected, days


def test_the_explanation_sums_exactly_to_the_stored_score(users: Any) -> None:
    a_model(users["marketing"], half_life_days=7, fit=[
        {"field": "title", "operator": "contains", "value": "VP", "points": 10},
        {"field": "email", "operator": "contains", "value": "@gmail.", "points": -10},
    ], engagement=[
        {"event_type": "page", "points": 1, "daily_cap": 3},
        {"event_type": "track", "event_name": "Asset Downloaded", "points": 3},
    ])
    lead = make_contact(title="VP Sales", email="vp@gmail.com")
    for day in range(0, 40, 3):
        event(lead, "page", at=NOW - day * DAY)
        event(lead, "track", "Asset Downloaded", at=NOW - day * DAY)
    with time_machine.travel(NOW, tick=False):
        rescore_all()
    stored = Contact.objects.get(pk=lead.pk)
    result = score_now(lead)
    assert sum(i.points for i in result.items) == stored.score == result.total
    assert sum(i.points for i in result.items if i.family == "fit") == stored.fit_score == 0
    assert all(i.points_after_decay <= i.points_before_decay for i in result.items)


def test_account_scores_aggregate_contacts_as_the_model_says(users: Any) -> None:
    a_model(users["marketing"], account_aggregate="sum", fit=[
        {"field": "title", "operator": "exists", "value": True, "points": 7},
    ])
    acme = make_company(name="Acme")
    make_contact(title="CEO", company=acme)
    make_contact(title="CTO", company=acme)
    make_contact(title="", company=acme)
    rescore_all()
    from smarketing.scoring.models import CompanyScore

    account = CompanyScore.objects.get(company=acme)
    assert (account.total, account.fit, account.contacts) == (14, 14, 3)


@pytest.mark.parametrize("batch", [1, 2, 1000])
def test_rescoring_twice_gives_the_same_scores_whatever_the_batch(
    users: Any, batch: int
) -> None:
    a_model(users["marketing"], engagement=[{"event_type": "page", "points": 4}])
    leads = [make_contact() for _ in range(5)]
    for n, lead in enumerate(leads):
        for _ in range(n):
            event(lead, "page", at=NOW - n * DAY)
    with time_machine.travel(NOW, tick=False):
        first = rescore_all(batch=batch)
        scores = list(Contact.objects.order_by("id").values_list("scores__total", flat=True))
        second = rescore_all(batch=batch)
    assert list(Contact.objects.order_by("id").values_list("scores__total", flat=True)) == scores
    assert (first.contacts, second.contacts, second.changed) == (5, 5, 0)

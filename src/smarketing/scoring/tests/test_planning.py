"""The MQL threshold planned from sales capacity: the lowest threshold whose MQLs fit,
with the historical MQL -> SQL rate per candidate, applied as a new version."""

from __future__ import annotations

import datetime as dt
from typing import Any

import time_machine
from django.test import Client

from smarketing.core.models import Profile
from smarketing.people.models import Contact, Stage
from smarketing.scoring.models import ScoringModel
from smarketing.scoring.planning import rep_capacity, threshold_plan
from smarketing.scoring.tests.helpers import NOW
from smarketing.testing.factories import make_contact, set_score


def contacts_with_scores(scores: list[int], stage: str = Stage.LEAD) -> list[Contact]:
    made = []
    for score in scores:
        contact = make_contact(stage)
        Contact.objects.filter(pk=contact.pk).update(created_at=NOW - dt.timedelta(days=3))
        set_score(contact, score)
        made.append(contact)
    return made


@time_machine.travel(NOW, tick=False)
def test_the_plan_is_the_lowest_threshold_that_fits_the_capacity(db: Any) -> None:
    contacts_with_scores([12, 33, 47, 51, 68, 90])
    plan = threshold_plan(capacity=3, step=10)
    assert [(c.threshold, c.mqls) for c in plan.candidates][:7] == [
        (0, 6), (10, 6), (20, 5), (30, 5), (40, 4), (50, 3), (60, 2)]
    assert plan.recommended == 50


@time_machine.travel(NOW, tick=False)
def test_the_sql_rate_comes_from_past_mqls_above_each_threshold(db: Any) -> None:
    old = NOW - dt.timedelta(days=90)
    for score, reached_sql in ((80, True), (75, False), (20, False), (15, False)):
        contact = make_contact(Stage.MQL, at=old)
        Contact.objects.filter(pk=contact.pk).update(became_sql_at=old if reached_sql else None)
        set_score(contact, score)
    plan = threshold_plan(capacity=10, step=10)
    rates = {c.threshold: c.sql_rate for c in plan.candidates}
    assert (rates[0], rates[70], rates[80]) == (0.25, 0.5, 1.0)


def test_capacity_defaults_to_the_sum_of_the_reps(users: Any) -> None:
    Profile.objects.filter(user__in=[users["rep"], users["rep_b"]]).update(capacity=20)
    assert rep_capacity() == 20 + 20 + Profile.objects.get(user=users["rep_other"]).capacity


@time_machine.travel(NOW, tick=False)
def test_marketing_applies_the_plan_as_a_new_version(users: Any, api_as: Any) -> None:
    Profile.objects.filter(role="sales_rep").update(capacity=1)
    contacts_with_scores([10, 20, 30, 40, 45])
    body = api_as("rep").get("/api/v1/scoring/threshold-plan").json()
    assert (body["capacity"], body["recommended"]) == (3, 25)
    client = Client()
    client.force_login(users["marketing"])
    assert "Apply threshold 25" in client.get("/scoring/").content.decode()
    client.post("/scoring/plan/apply/")
    model = ScoringModel.objects.get(is_active=True)
    assert model.threshold == 25
    assert "planned from sales capacity 3 per 30 days" in model.change_note


@time_machine.travel(NOW, tick=False)
def test_marketing_plans_from_a_capacity_typed_in_and_applies_it(users: Any) -> None:
    Profile.objects.filter(role="sales_rep").update(capacity=1)
    contacts_with_scores([10, 20, 30, 40, 45])
    client = Client()
    client.force_login(users["marketing"])
    page = client.get("/scoring/?capacity=1&period_days=30").content.decode()
    assert "capacity 1 MQLs per 30 days (typed in)" in page and "Apply threshold 45" in page
    client.post("/scoring/plan/apply/", {"capacity": "1", "period_days": "30"})
    model = ScoringModel.objects.get(is_active=True)
    assert model.threshold == 45
    assert "planned from sales capacity 1 per 30 days" in model.change_note


def test_a_bad_capacity_is_named_and_nothing_changes(users: Any) -> None:
    client = Client()
    client.force_login(users["marketing"])
    page = client.get("/scoring/?capacity=lots", follow=True).content.decode()
    assert "capacity: give a whole number from 0 to 1000000" in page
    client.post("/scoring/plan/apply/", {"capacity": "-1"})
    assert not ScoringModel.objects.filter(version=2).exists()

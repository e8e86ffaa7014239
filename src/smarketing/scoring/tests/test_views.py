"""The scoring page: everybody reads, marketing and admin change settings and rules as
new versions, the preview counts MQLs under a draft, the contact's score card explains."""

from __future__ import annotations

from typing import Any

import time_machine
from django.test import Client

from smarketing.scoring.models import ScoringModel
from smarketing.scoring.tests.helpers import NOW, a_model, event
from smarketing.testing.factories import make_contact


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_rep_reads_the_page_without_edit_forms(users: Any) -> None:
    response = client_for(users["rep"]).get("/scoring/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Default B2B model v1" in html and "Employees 200-5000" in html
    assert 'data-testid="fit-form"' not in html


def test_a_rep_may_not_post_a_change(users: Any) -> None:
    response = client_for(users["rep"]).post("/scoring/settings/", {"threshold": 1})
    assert response.status_code == 403
    assert not ScoringModel.objects.filter(threshold=1).exists()


def test_marketing_saves_settings_as_a_new_version(users: Any) -> None:
    client = client_for(users["marketing"])
    response = client.post("/scoring/settings/", {
        "threshold": 70, "half_life_days": 14, "hand_raise_events": "Demo Requested, Call Me",
        "account_aggregate": "avg", "note": "tighter"}, follow=True)
    assert "Saved as version 2" in response.content.decode()
    model = ScoringModel.objects.get(is_active=True)
    assert (model.threshold, model.hand_raise_events) == (70, ["Demo Requested", "Call Me"])
    assert model.change_note.startswith("tighter; threshold: 60 -> 70")


def test_marketing_adds_and_removes_rules(users: Any) -> None:
    client = client_for(users["marketing"])
    client.post("/scoring/fit/add/", {"fit-label": "Plan", "fit-field": "properties.plan",
                                       "fit-operator": "in", "fit-value": '["pro", "team"]',
                                       "fit-points": 8})
    model = ScoringModel.objects.get(is_active=True)
    rule = model.fit_rules.get(label="Plan")
    assert rule.value == ["pro", "team"]
    client.post(f"/scoring/fit/{rule.pk}/remove/")
    assert not ScoringModel.objects.get(is_active=True).fit_rules.filter(label="Plan").exists()
    assert ScoringModel.objects.count() == 3


def test_a_bad_rule_shows_the_error_and_changes_nothing(users: Any) -> None:
    response = client_for(users["admin"]).post("/scoring/engagement/add/", {
        "engagement-event_type": "page", "engagement-points": 0, "engagement-daily_cap": 0,
        "engagement-rule_cap": 0, "engagement-recency_days": 0,
    }, follow=True)
    assert "points: a rule must give or take points" in response.content.decode()
    assert ScoringModel.objects.count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_preview_counts_mqls_under_the_draft(users: Any) -> None:
    a_model(users["marketing"], threshold=60, engagement=[
        {"event_type": "track", "event_name": "Form Submitted", "points": 50}])
    event(make_contact(), "track", "Form Submitted")
    make_contact()
    client = client_for(users["marketing"])
    lower = client.post("/scoring/preview/", {"threshold": "50"}).content.decode()
    assert 'data-testid="preview-count">1</strong> of 2 contacts' in lower
    with_rule = client.post("/scoring/preview/", {
        "threshold": "60", "family": "fit", "fit-field": "email", "fit-operator": "contains",
        "fit-value": '"@example.com"', "fit-points": "10"}).content.decode()
    assert 'preview-count">1</strong>' in with_rule
    bad = client.post("/scoring/preview/", {
        "family": "fit", "fit-field": "salary", "fit-operator": "equals", "fit-value": "1",
        "fit-points": "1"})
    assert "unknown field path" in bad.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_contact_score_card_explains_the_score(users: Any) -> None:
    a_model(users["marketing"], engagement=[
        {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 50}])
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    html = client_for(users["rep"]).get(f"/contacts/{lead.pk}/score/").content.decode()
    assert "Score 50" in html and "Form" in html
    assert client_for(users["rep"]).get("/contacts/999999/score/").status_code == 404


def test_training_without_outcomes_says_how_many_are_needed(users: Any) -> None:
    response = client_for(users["marketing"]).post("/scoring/predict/train/", follow=True)
    assert "at least 50 of each are needed" in response.content.decode()
    assert client_for(users["rep"]).post("/scoring/predict/train/").status_code == 403


def test_a_rule_is_edited_in_place_as_a_new_version_and_previewed_as_a_draft(
    users: Any
) -> None:
    from smarketing.scoring.models import EngagementRule

    a_model(users["marketing"], threshold=30, half_life_days=0, engagement=[
        {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 20}])
    lead = make_contact()
    event(lead, "track", "Form Submitted")
    rule = EngagementRule.objects.get(model__is_active=True)
    client = client_for(users["marketing"])
    fragment = client.get(f"/scoring/engagement/{rule.pk}/edit/").content.decode()
    assert 'value="Form Submitted"' in fragment and 'name="rule_id"' in fragment
    fields = {f"edit{rule.pk}-{k}": v for k, v in {
        "label": "Form", "event_type": "track", "event_name": "Form Submitted",
        "property_filters": "", "points": "35", "daily_cap": "0", "rule_cap": "0",
        "recency_days": "0"}.items()}
    preview = client.post("/scoring/preview/", {
        "family": "engagement", "rule_id": str(rule.pk), **fields}).content.decode()
    assert 'data-testid="preview-count">1<' in preview  # 35 >= 30 in the draft only
    assert ScoringModel.objects.get(is_active=True).engagement_rules.get().points == 20
    client.post(f"/scoring/engagement/{rule.pk}/edit/", fields)
    active = ScoringModel.objects.get(is_active=True)
    assert active.engagement_rules.get().points == 35
    assert active.change_note.startswith(f"changed engagement rule {rule.pk}")


def test_only_editors_open_a_rule_of_the_active_model(users: Any) -> None:
    from smarketing.scoring.models import FitRule
    from smarketing.scoring.services import active_model

    old = FitRule.objects.filter(model=active_model()).first()  # the default model's
    assert old is not None
    assert client_for(users["rep"]).get(f"/scoring/fit/{old.pk}/edit/").status_code == 403
    a_model(users["marketing"])  # a new version: the old rule is history now
    marketing = client_for(users["marketing"])
    assert marketing.get(f"/scoring/fit/{old.pk}/edit/").status_code == 404
    assert marketing.get(f"/scoring/nope/{old.pk}/edit/").status_code == 404

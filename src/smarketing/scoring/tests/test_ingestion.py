"""End to end through the tracking API: events sent by a Segment-style client push a
contact over the threshold (or raise a hand) and it becomes an MQL, explained."""

from __future__ import annotations

import base64
from typing import Any

from django.test import Client

from smarketing.core.jobs import run_burst
from smarketing.people.models import Contact, Stage, StageChange
from smarketing.scoring.selectors import contact_score
from smarketing.scoring.tests.helpers import a_model
from smarketing.tracking.services import source_create


def post_batch(batch: list[dict[str, Any]]) -> None:
    _, key = source_create(actor=None, name="Site", kind="website")
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    response = Client().post("/v1/batch", {"batch": batch}, content_type="application/json",
                             headers={"Authorization": auth})
    assert response.status_code == 200, response.content


def test_tracked_events_make_an_mql_with_an_explanation_that_sums(
    users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    model = a_model(users["marketing"], threshold=60, fit=[
        {"label": "VP", "field": "title", "operator": "contains", "value": "VP", "points": 15},
    ], engagement=[
        {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 50},
        {"label": "Pricing", "event_type": "page", "property_filters": {"page_path": "/pricing"},
         "points": 5},
    ])
    with django_capture_on_commit_callbacks(execute=True):
        post_batch([
            {"type": "page", "anonymousId": "a1", "properties": {"path": "/pricing"}},
            {"type": "identify", "anonymousId": "a1", "userId": "u1",
             "traits": {"email": "vp@acme.example", "title": "VP Sales"}},
            {"type": "track", "userId": "u1", "event": "Form Submitted"},
        ])
    run_burst("test")  # the worker: the request queued its contacts' scoring
    contact = Contact.objects.get(email="vp@acme.example")
    assert (contact.fit_score, contact.engagement_score, contact.score) == (15, 55, 70)
    assert contact.lifecycle_stage == Stage.MQL
    change = StageChange.objects.get(contact=contact, to_stage=Stage.MQL)
    assert change.reason == f"score 70 >= 60 (model v{model.version})"
    view = contact_score(contact)
    assert sum(item.points for item in view.result.items) == contact.score

"""The issue's "done when", with the real Segment Python client pointed at a live
server: its events push a contact over the threshold, the contact becomes an MQL
through the lifecycle service, and its explanation sums to its score."""

from __future__ import annotations

from typing import Any

import pytest
from segment.analytics.client import Client as SegmentClient

from smarketing.core.jobs import run_burst
from smarketing.people.models import Contact, Stage, StageChange
from smarketing.scoring.selectors import contact_score
from smarketing.scoring.tests.helpers import a_model
from smarketing.tracking.services import source_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_segment_client_events_make_an_mql_whose_explanation_sums_to_its_score(
    live_server: Any, users: Any
) -> None:
    model = a_model(users["marketing"], threshold=60, half_life_days=30, fit=[
        {"label": "VP", "field": "title", "operator": "contains", "value": "VP", "points": 15},
    ], engagement=[
        {"label": "Pricing", "event_type": "page", "property_filters": {"page_path": "/pricing"},
         "points": 5},
        {"label": "Form", "event_type": "track", "event_name": "Form Submitted", "points": 50},
    ])
    _, key = source_create(actor=None, name="Website", kind="website")
    errors: list[Any] = []
    client = SegmentClient(key, host=live_server.url, on_error=lambda e, b: errors.append(e),
                           max_retries=1)
    client.identify(user_id="u-42", traits={"email": "vp@acme.example", "title": "VP Sales"})
    client.page(user_id="u-42", name="Pricing", properties={"url": "https://acme.example/pricing"})
    client.flush()
    run_burst("test")  # the worker scores what the requests queued
    assert Contact.objects.get(email="vp@acme.example").lifecycle_stage != Stage.MQL
    client.track(user_id="u-42", event="Form Submitted")
    client.flush()
    client.shutdown()
    assert errors == []
    run_burst("test")
    contact = Contact.objects.get(email="vp@acme.example")
    assert (contact.score, contact.lifecycle_stage) == (15 + 5 + 50, Stage.MQL)
    change = StageChange.objects.get(contact=contact, to_stage=Stage.MQL)
    assert change.reason == f"score 70 >= 60 (model v{model.version})"
    explained = contact_score(contact).result
    assert sum(item.points for item in explained.items) == explained.total == contact.score

"""A bulk move (contacts_transition, e.g. the MQLs of a full rescore) hands its domain
events to the webhooks in one batch: the subscriptions are read once, not once per
moved contact, and every move still becomes exactly one delivery."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smarketing.integrations.models import WebhookDelivery, WebhookSubscription
from smarketing.people.lifecycle import contacts_transition
from smarketing.people.models import Cause, Stage
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def _move(count: int, callbacks: Any) -> tuple[list[Any], int]:
    """Move `count` leads to MQL; (changes, queries of the after-commit work)."""
    leads = [make_contact(Stage.LEAD) for _ in range(count)]
    with callbacks() as captured:
        changes = contacts_transition(reasons={c.pk: "score 70 >= 60 (model v1)" for c in leads},
                                      to_stage=Stage.MQL, cause=Cause.SCORING)
    with CaptureQueriesContext(connection) as queries:
        for callback in captured:
            callback()
    webhook_queries = [q for q in queries.captured_queries if "webhook" in q["sql"]]
    return changes, len(webhook_queries)


def test_nobody_subscribed_costs_one_lookup_of_the_subscriptions_whatever_the_moves(
    django_capture_on_commit_callbacks: Any,
) -> None:
    WebhookSubscription.objects.create(name="deals", url="http://127.0.0.1:9/",
                                       secret="s", events=["deal.won"])
    _, few = _move(2, django_capture_on_commit_callbacks)
    _, many = _move(30, django_capture_on_commit_callbacks)
    assert few == many == 1
    assert not WebhookDelivery.objects.exists()


def test_a_subscriber_gets_one_delivery_per_moved_contact_exactly_once(
    django_capture_on_commit_callbacks: Any,
) -> None:
    subscription = WebhookSubscription.objects.create(
        name="stages", url="http://127.0.0.1:9/", secret="s",
        events=["contact.stage_changed"])
    changes, _ = _move(5, django_capture_on_commit_callbacks)
    deliveries = WebhookDelivery.objects.filter(subscription=subscription)
    assert sorted(deliveries.values_list("event_id", flat=True)) == sorted(
        f"contact.stage_changed:{c.pk}" for c in changes)
    by_contact = {d.payload["contact"]["id"]: d.payload for d in deliveries}
    assert {pk: p["to_stage"] for pk, p in by_contact.items()} == {
        c.contact_id: Stage.MQL for c in changes}
    assert all(p["reason"] == "score 70 >= 60 (model v1)" for p in by_contact.values())

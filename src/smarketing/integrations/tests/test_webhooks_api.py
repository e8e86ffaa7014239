"""/api/v1/webhooks: admins subscribe, see the secret once, ping, read the delivery
log and resend; everybody else is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from smarketing.core import jobs
from smarketing.integrations.models import WebhookSubscription
from smarketing.integrations.webhooks import emit
from smarketing.testing.webhooks import Receiver, webhook_receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as state:
        yield state


def _create(api: Any, url: str, events: list[str] | None = None) -> Any:
    return api.post(
        "/api/v1/webhooks", {"name": "CRM", "url": url, "events": events or ["deal.won"]}
    )


def test_an_admin_subscribes_and_sees_the_secret_only_once(api_as: Any) -> None:
    admin = api_as("admin")
    created = _create(admin, "https://hooks.example.com/in")
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["events"] == ["deal.won"]
    listed = admin.get("/api/v1/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]
    assert "secret" not in admin.get(f"/api/v1/webhooks/{body['id']}").json()
    rotated = admin.post(f"/api/v1/webhooks/{body['id']}/rotate-secret").json()["secret"]
    assert rotated != body["secret"]
    assert WebhookSubscription.objects.get().secret == rotated


@pytest.mark.parametrize("role", ["marketing", "manager", "rep"])
def test_only_admins_manage_webhooks(api_as: Any, role: str) -> None:
    subscription = WebhookSubscription.objects.create(
        name="x", url="https://x.example", secret="s", events=["deal.won"]
    )
    api = api_as(role)
    assert api.get("/api/v1/webhooks").status_code == 403
    assert _create(api, "https://y.example").status_code == 403
    assert api.patch(f"/api/v1/webhooks/{subscription.pk}", {"name": "y"}).status_code == 403
    assert api.delete(f"/api/v1/webhooks/{subscription.pk}").status_code == 403
    assert api.post(f"/api/v1/webhooks/{subscription.pk}/ping").status_code == 403
    assert WebhookSubscription.objects.get().name == "x"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "a", "url": "ftp://x", "events": ["deal.won"]}, "url"),
        ({"name": "a", "url": "https://x", "events": ["deal.maybe"]}, "events"),
        ({"name": "a", "url": "https://x", "events": []}, "events"),
        ({"name": " ", "url": "https://x", "events": ["deal.won"]}, "name"),
    ],
)
def test_a_bad_subscription_names_the_field(api_as: Any, payload: Any, field: str) -> None:
    response = api_as("admin").post("/api/v1/webhooks", payload)
    assert response.status_code == 422
    assert response.json()["field"] == field
    assert not WebhookSubscription.objects.exists()


def test_ping_log_and_resend_through_the_api(api_as: Any, receiver: Receiver) -> None:
    admin = api_as("admin")
    hook = _create(admin, receiver.url).json()
    ping = admin.post(f"/api/v1/webhooks/{hook['id']}/ping").json()
    assert ping["status"] == 204 and ping["error"] == ""
    receiver.fail_next = 1
    emit("deal.won", "deal.won:5", {"id": 5})
    jobs.run_burst("w")
    log = admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries", state="pending").json()
    [pending] = log["items"]
    assert (pending["event"], pending["last_status"], pending["attempts"]) == ("deal.won", 500, 1)
    resent = admin.post(f"/api/v1/webhooks/{hook['id']}/deliveries/{pending['id']}/resend")
    assert resent.status_code == 200
    jobs.run_burst("w")
    attempts = admin.get(
        f"/api/v1/webhooks/{hook['id']}/deliveries/{pending['id']}/attempts"
    ).json()["items"]
    assert [a["status"] for a in attempts] == [204, 500]
    events = [json.loads(b)["event"] for _, b in receiver.requests]
    assert events == ["ping", "deal.won", "deal.won"]
    assert admin.get(f"/api/v1/webhooks/{hook['id']}/deliveries", state="bad").json()[
        "field"
    ] == "state"


def test_a_disabled_subscription_is_enabled_again_by_a_patch(api_as: Any) -> None:
    subscription = WebhookSubscription.objects.create(
        name="x", url="https://x.example", secret="s", events=["deal.won"], is_active=False,
        disabled_reason="failed for 24 h", consecutive_failures=13,
    )
    body = api_as("admin").patch(f"/api/v1/webhooks/{subscription.pk}", {"is_active": True}).json()
    assert (body["is_active"], body["disabled_reason"], body["consecutive_failures"]) == (
        True, "", 0,
    )
    assert api_as("admin").delete(f"/api/v1/webhooks/{subscription.pk}").status_code == 204
    assert not WebhookSubscription.objects.exists()

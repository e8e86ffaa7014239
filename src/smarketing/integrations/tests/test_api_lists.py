"""The tokens, webhooks and delivery-log lists: the shared pages ({items, count},
limit 1-500, offset >= 0, a bad one named) and the webhooks list's filters."""

from __future__ import annotations

from typing import Any

import pytest

from smarketing.integrations.models import WebhookSubscription
from smarketing.integrations.services import token_create

pytestmark = pytest.mark.django_db


def _hook(name: str, events: list[str], is_active: bool = True) -> WebhookSubscription:
    return WebhookSubscription.objects.create(name=name, url=f"https://{name}.example",
                                              secret="s", events=events, is_active=is_active)


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_webhooks_are_filtered_by_state_and_event_and_paged(api_as: Any) -> None:
    _hook("crm", ["deal.won", "deal.lost"])
    _hook("chat", ["sla.breached"], is_active=False)
    _hook("bi", ["deal.won.late", "contact.created"])
    api = api_as("admin")
    assert _names(api.get("/api/v1/webhooks")) == ["bi", "chat", "crm"]
    assert _names(api.get("/api/v1/webhooks", is_active="false")) == ["chat"]
    assert _names(api.get("/api/v1/webhooks", event="deal.won")) == ["crm"]
    page = api.get("/api/v1/webhooks", limit=2, offset=1).json()
    assert ([i["name"] for i in page["items"]], page["count"]) == (["chat", "crm"], 3)


@pytest.mark.parametrize(("params", "field"), [
    ({"event": "deal.maybe"}, "event"), ({"limit": 0}, "limit"), ({"offset": -2}, "offset"),
    ({"is_active": "perhaps"}, "is_active"),
])
def test_a_bad_webhooks_list_parameter_is_named(
    api_as: Any, params: dict[str, Any], field: str
) -> None:
    response = api_as("admin").get("/api/v1/webhooks", **params)
    assert (response.status_code, response.json()["field"]) == (422, field)


@pytest.mark.parametrize(("params", "field"), [({"limit": 501}, "limit"),
                                               ({"offset": -1}, "offset")])
def test_the_delivery_log_names_a_bad_page_parameter(
    api_as: Any, params: dict[str, Any], field: str
) -> None:
    hook = _hook("crm", ["deal.won"])
    response = api_as("admin").get(f"/api/v1/webhooks/{hook.pk}/deliveries", **params)
    assert (response.status_code, response.json()["field"]) == (422, field)


def test_your_tokens_are_listed_newest_first_in_pages(
    api_as: Any, users: dict[str, Any]
) -> None:
    api = api_as("rep")  # makes the token "tests"
    for name in ("ci", "laptop"):
        token_create(user=users["rep"], name=name)
    token_create(user=users["rep_b"], name="someone else's")
    body = api.get("/api/v1/tokens", limit=2).json()
    assert ([t["name"] for t in body["items"]], body["count"]) == (["laptop", "ci"], 3)
    assert _names(api.get("/api/v1/tokens", offset=2)) == ["tests"]
    assert api.get("/api/v1/tokens", limit=0).json()["field"] == "limit"

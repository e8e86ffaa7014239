"""Read-only tokens and per-token rate limits (429 with Retry-After)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client

from smarketing.integrations.models import ApiToken
from smarketing.integrations.services import token_create
from smarketing.people.models import Contact

T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def bearer(user: Any, **options: Any) -> Client:
    _, raw = token_create(user=user, **options)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_a_read_only_token_reads_but_every_write_is_403(users: dict[str, Any]) -> None:
    client = bearer(users["admin"], read_only=True)
    assert client.get("/api/v1/contacts").status_code == 200
    refused = client.post("/api/v1/contacts", {"email": "a@example.com"},
                          content_type="application/json")
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "token: this API token is read-only; create a read-write token to write",
        "field": "token", "code": "forbidden",
    }
    assert client.delete("/api/v1/tokens/1").status_code == 403
    assert not Contact.objects.exists()
    writer = bearer(users["admin"])
    created = writer.post("/api/v1/contacts", {"email": "a@example.com"},
                          content_type="application/json")
    assert created.status_code == 201


def test_a_token_made_through_the_api_or_cli_can_be_read_only(
    users: dict[str, Any], capsys: Any
) -> None:
    made = bearer(users["rep"]).post(
        "/api/v1/tokens", {"name": "bi", "read_only": True}, content_type="application/json"
    ).json()
    assert made["read_only"] is True
    call_command("token", "create", "--user", "rep1", "--read-only")
    assert ApiToken.objects.filter(read_only=True).count() == 2
    call_command("token", "list")
    assert "read-only" in capsys.readouterr().out


def test_over_the_limit_a_token_gets_429_with_retry_after(
    users: dict[str, Any], settings: Any
) -> None:
    settings.API_RATE_LIMIT = 3
    client, other = bearer(users["rep"]), bearer(users["rep"])
    with time_machine.travel(T0, tick=False):
        assert [client.get("/api/v1/contacts").status_code for _ in range(3)] == [200] * 3
    with time_machine.travel(T0 + dt.timedelta(seconds=20), tick=False):
        limited = client.get("/api/v1/contacts")
        assert other.get("/api/v1/contacts").status_code == 200  # limits are per token
    assert limited.status_code == 429 and limited["Retry-After"] == "40"
    assert limited.json()["code"] == "rate_limited"
    with time_machine.travel(T0 + dt.timedelta(seconds=61), tick=False):
        assert client.get("/api/v1/contacts").status_code == 200


def test_a_zero_limit_means_no_limit_and_the_web_session_is_not_counted(
    users: dict[str, Any], settings: Any
) -> None:
    settings.API_RATE_LIMIT = 0
    client = bearer(users["rep"])
    assert all(client.get("/api/v1/contacts").status_code == 200 for _ in range(5))
    settings.API_RATE_LIMIT = 1
    browser = Client()
    browser.force_login(users["rep"])
    assert all(browser.get("/api/v1/contacts").status_code == 200 for _ in range(3))

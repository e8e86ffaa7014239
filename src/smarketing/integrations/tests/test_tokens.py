"""API tokens: shown once, stored hashed, listed, revoked, last use recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
import time_machine
from django.test import Client

from smarketing.core.errors import NotFound
from smarketing.core.models import Role
from smarketing.integrations.models import ApiToken
from smarketing.integrations.services import token_authenticate, token_create, token_revoke
from smarketing.testing.factories import make_user

T0 = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db



@pytest.fixture
def rep(db: Any) -> Any:
    return make_user(Role.SALES_REP, username="rep")


def bearer(raw: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_token_is_stored_only_as_its_hash(rep: Any) -> None:
    token, raw = token_create(user=rep, name="laptop")
    assert raw.startswith("smk_") and len(raw) > 40
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored["token_hash"] == hashlib.sha256(raw.encode()).hexdigest()
    assert stored["prefix"] == raw[:10]
    assert raw not in {str(v) for v in stored.values()}


def test_two_tokens_differ(rep: Any) -> None:
    assert token_create(user=rep)[1] != token_create(user=rep)[1]


def test_the_api_shows_a_new_token_once(rep: Any) -> None:
    response = signed_in(rep).post(
        "/api/v1/tokens", {"name": "ci"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    raw = body["token"]
    assert (body["name"], body["prefix"], body["revoked_at"]) == ("ci", raw[:10], None)
    listed = bearer(raw).get("/api/v1/tokens").json()
    assert listed["count"] == 1
    assert set(listed["items"][0]) == {"id", "name", "prefix", "created_at", "last_used_at",
                                       "revoked_at", "read_only"}
    assert raw not in str(listed)


def test_a_new_token_authenticates_as_its_user(rep: Any) -> None:
    _, raw = token_create(user=rep)
    body = bearer(raw).get("/api/v1/users/me").json()
    assert (body["username"], body["role"]) == ("rep", "sales_rep")


def test_the_list_holds_only_your_own_tokens(rep: Any) -> None:
    other = make_user(Role.ADMIN)
    token_create(user=other, name="admin's")
    _, raw = token_create(user=rep, name="mine")
    names = [t["name"] for t in bearer(raw).get("/api/v1/tokens").json()["items"]]
    assert names == ["mine"]


def test_a_revoked_token_answers_401(rep: Any) -> None:
    token, raw = token_create(user=rep)
    _, other_raw = token_create(user=rep)
    with time_machine.travel(T0, tick=False):
        response = bearer(other_raw).delete(f"/api/v1/tokens/{token.pk}")
    assert response.status_code == 204
    token.refresh_from_db()
    assert token.revoked_at == T0 and not token.is_active
    assert bearer(raw).get("/api/v1/contacts").status_code == 401
    assert bearer(other_raw).get("/api/v1/contacts").status_code == 200


def test_a_token_can_revoke_itself(rep: Any) -> None:
    token, raw = token_create(user=rep)
    assert bearer(raw).delete(f"/api/v1/tokens/{token.pk}").status_code == 204
    assert bearer(raw).get("/api/v1/users/me").status_code == 401


def test_revoking_twice_or_someone_elses_token_is_404(rep: Any) -> None:
    theirs, _ = token_create(user=make_user(Role.ADMIN))
    mine, _ = token_create(user=rep)
    token_revoke(token_id=mine.pk, actor=rep)
    _, raw = token_create(user=rep)
    for token_id in (mine.pk, theirs.pk, 999999):
        response = bearer(raw).delete(f"/api/v1/tokens/{token_id}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    with pytest.raises(NotFound):
        token_revoke(token_id=mine.pk, actor=rep)


def test_the_last_use_is_recorded_to_the_minute(rep: Any) -> None:
    token, raw = token_create(user=rep)
    assert token.last_used_at is None
    with time_machine.travel(T0, tick=False):
        bearer(raw).get("/api/v1/users/me")
    with time_machine.travel(T0 + dt.timedelta(seconds=30), tick=False):
        bearer(raw).get("/api/v1/users/me")
    token.refresh_from_db()
    assert token.last_used_at == T0
    with time_machine.travel(T0 + dt.timedelta(minutes=5), tick=False):
        bearer(raw).get("/api/v1/users/me")
    token.refresh_from_db()
    assert token.last_used_at == T0 + dt.timedelta(minutes=5)


def test_a_deactivated_users_token_answers_401(rep: Any) -> None:
    _, raw = token_create(user=rep)
    rep.is_active = False
    rep.save()
    assert bearer(raw).get("/api/v1/users/me").status_code == 401
    assert token_authenticate(raw) is None


def test_an_unknown_token_is_not_recorded_as_used(rep: Any) -> None:
    token, raw = token_create(user=rep)
    assert bearer(raw + "x").get("/api/v1/users/me").status_code == 401
    token.refresh_from_db()
    assert token.last_used_at is None


@pytest.mark.parametrize(("payload", "field"), [({"name": "x" * 101}, "name"),
                                                ({"scope": "all"}, "scope")])
def test_a_bad_token_request_is_refused_naming_the_field(
    rep: Any, payload: dict[str, Any], field: str
) -> None:
    _, raw = token_create(user=rep)
    response = bearer(raw).post("/api/v1/tokens", payload, content_type="application/json")
    assert response.status_code == 422
    assert any(e["loc"][-1] == field for e in response.json()["errors"])
    assert ApiToken.objects.count() == 1


def test_the_session_authenticates_the_api_with_csrf(rep: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(rep)
    assert client.get("/api/v1/users/me").status_code == 200
    refused = client.post("/api/v1/tokens", {}, content_type="application/json")
    assert refused.status_code == 403
    assert not ApiToken.objects.exists()

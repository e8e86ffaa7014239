"""Fixtures for tracking tests: a source with its raw write key, and a client that posts
to the tracking API as a Segment client would."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from django.test import Client

from smarketing.tracking.models import Source
from smarketing.tracking.services import source_create


@pytest.fixture
def source_and_key(db: Any) -> tuple[Source, str]:
    return source_create(actor=None, name="Website", kind="website")


@pytest.fixture
def source(source_and_key: tuple[Source, str]) -> Source:
    return source_and_key[0]


@pytest.fixture
def write_key(source_and_key: tuple[Source, str]) -> str:
    return source_and_key[1]


class Tracker:
    """Posts JSON (optionally gzipped) to /v1/<kind> with the write key as Basic auth user."""

    def __init__(self, key: str) -> None:
        self.key = key
        self.client = Client()

    def post(
        self, kind: str, body: Any, *, key: str | None = None, gzipped: bool = False,
        content_type: str = "application/json", auth: bool = True,
        headers: dict[str, str] | None = None,
    ) -> Any:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = dict(headers or {})
        if auth:
            token = base64.b64encode(f"{self.key if key is None else key}:".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        if gzipped:
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        return self.client.post(
            f"/v1/{kind}", data=data, content_type=content_type, headers=headers
        )


@pytest.fixture
def tracker(write_key: str) -> Tracker:
    return Tracker(write_key)

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection

from smarketing.scoring.models import ScoringModel
from smarketing.scoring.services import active_model


def _first_request(_: int) -> int:
    try:
        return active_model().pk
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_requests_create_one_default_model(db: Any) -> None:
    ScoringModel.objects.all().delete()
    with ThreadPoolExecutor(8) as pool:
        ids = set(pool.map(_first_request, range(8)))
    assert len(ids) == 1
    assert ScoringModel.objects.count() == 1

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The forecast keeps learnt rates in the cache: no test sees another's."""
    cache.clear()
    yield
    cache.clear()

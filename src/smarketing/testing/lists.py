"""Reading an API list in tests: a page's items or one column of them, and the 422 an unknown `sort`
answers (naming `sort` and the accepted values)."""

from __future__ import annotations

from typing import Any


def list_items(api: Any, url: str, **params: Any) -> list[dict[str, Any]]:
    """The items of the page `url` answers with `params` (a 200 is required)."""
    response = api.get(url, **params)
    assert response.status_code == 200, response.content
    return list(response.json()["items"])


def list_column(api: Any, url: str, key: str, **params: Any) -> list[Any]:
    """`key` of each item of the page `url` answers with `params` (a 200 is required)."""
    return [item[key] for item in list_items(api, url, **params)]


def assert_refuses_sort(api: Any, url: str, accepted: str, **params: Any) -> None:
    """An unknown `sort` is a 422 naming `sort` whose message lists `accepted`."""
    response = api.get(url, sort="size", **params)
    assert response.status_code == 422
    assert response.json()["field"] == "sort" and accepted in response.json()["detail"]

"""The users and notifications lists take a checked `sort` (issue 9): both ways, the
default the order they had before, an unknown value a 422 naming `sort` with the
accepted values; users also filter by region, notifications by kind."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.core.models import Notification
from smarketing.testing.lists import assert_refuses_sort, list_column

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)


def test_users_sort_both_ways_by_username_email_and_joining(
    users: dict[str, Any], api_as: Any
) -> None:
    api, url = api_as("rep"), "/api/v1/users"
    names = sorted(u.username for u in users.values())
    assert list_column(api, url, "username") == names  # by username, as before
    assert list_column(api, url, "username", sort="-username") == names[::-1]
    by_email = sorted(users.values(), key=lambda u: (u.email, u.pk))
    assert list_column(api, url, "id", sort="email") == [u.pk for u in by_email]
    by_joining = sorted(users.values(), key=lambda u: (u.date_joined, u.pk), reverse=True)
    assert list_column(api, url, "id", sort="-date_joined") == [u.pk for u in by_joining]
    assert_refuses_sort(api, url, "username, -username, last_name")


def test_users_filter_by_region_and_role(users: dict[str, Any], api_as: Any) -> None:
    for name in ("rep", "manager"):
        users[name].profile.region = "EMEA"
        users[name].profile.save(update_fields=["region"])
    api, url = api_as("rep"), "/api/v1/users"
    assert list_column(api, url, "username", region="EMEA") == sorted(
        [users["rep"].username, users["manager"].username])
    assert list_column(api, url, "username", region="NA") == []
    reps = [u for u in users.values() if u.profile.role == "sales_rep"]
    assert list_column(api, url, "username", role="sales_rep", sort="-username") == sorted(
        (u.username for u in reps), reverse=True)
    assert api.get(url, region="mars").status_code == 422


def test_notifications_sort_both_ways_and_filter_by_kind(
    users: dict[str, Any], api_as: Any
) -> None:
    for hours, kind in ((0, "sla.breached"), (2, "assignment"), (1, "import.finished")):
        Notification.objects.create(user=users["rep"], kind=kind, title=kind,
                                    created_at=T0 + dt.timedelta(hours=hours))
    api, url = api_as("rep"), "/api/v1/notifications"
    assert list_column(api, url, "kind") == ["assignment", "import.finished", "sla.breached"]
    assert list_column(api, url, "kind", sort="created_at") == [
        "sla.breached", "import.finished", "assignment"]
    assert list_column(api, url, "kind", sort="kind") == [
        "assignment", "import.finished", "sla.breached"]
    assert list_column(api, url, "kind", sort="-kind") == [
        "sla.breached", "import.finished", "assignment"]
    body = api.get(url, kind="assignment").json()
    assert (body["count"], body["unread"]) == (1, 3)
    assert_refuses_sort(api, url, "created_at, -created_at, kind, -kind")

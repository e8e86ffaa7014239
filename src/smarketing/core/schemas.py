from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from ninja import Schema
from pydantic import ConfigDict, Field

from smarketing.core.models import Region
from smarketing.core.ordering import listing


class PageQuery(Schema):
    """The paging parameters of every list (core.ordering.page checks them)."""

    limit: int = Field(50, description="1 to 500")
    offset: int = 0

    def filters(self) -> dict[str, Any]:
        """Every parameter but the page's: the filters and `sort` a list's selector and
        its CSV export take."""
        return self.dict(exclude={"limit", "offset"})

    def page_of(self, qs: QuerySet[Any]) -> dict[str, Any]:
        """This page of `qs` as a list answer: {"items", "count"} (core.ordering.listing)."""
        return listing(qs, limit=self.limit, offset=self.offset)


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    role: str | None
    team: str | None
    team_id: int | None = None
    region: str
    capacity: int | None


class TeamOut(Schema):
    id: int
    name: str
    region: str
    members: int


class UserIn(Schema):
    username: str = Field(..., min_length=1, max_length=150)
    role: str
    email: str = Field("", max_length=254)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    team_id: int | None = None
    region: str = ""
    capacity: int = 50
    password: str | None = None  # none: cannot sign in with a password (set it later)

    model_config = ConfigDict(extra="forbid")


class UserPatch(Schema):
    email: str | None = Field(None, max_length=254)
    first_name: str | None = Field(None, max_length=150)
    last_name: str | None = Field(None, max_length=150)
    role: str | None = None
    team_id: int | None = None
    region: str | None = None
    capacity: int | None = None
    is_active: bool | None = None

    model_config = ConfigDict(extra="forbid")


class TeamIn(Schema):
    name: str
    region: str = ""


class TeamPatch(Schema):
    name: str | None = None
    region: str | None = None


class TeamList(Schema):
    items: list[TeamOut]
    count: int


class TeamQuery(PageQuery):
    region: Region | None = None
    q: str = Field("", description="Name contains (any case).")
    sort: str = Field("name", description="name, created_at, members (active members); "
                      "- descends")


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationQuery(Schema):
    unread: bool = Field(False, description="true: only the unread")
    kind: str = Field("", description="The notification kind (exact).")
    sort: str = Field("-created_at", description="created_at, kind; - descends")
    limit: int = Field(50, description="1 to 200")
    offset: int = 0


class NotificationList(Schema):
    items: list[NotificationOut]
    count: int
    unread: int


class MarkedOut(Schema):
    marked: int


class UserQuery(PageQuery):
    limit: int = Field(100, description="1 to 500")
    role: str = Field("", description="admin, marketing, sales_manager or sales_rep")
    team_id: int | None = None
    region: Region | None = None
    q: str = Field("", description="The username starts with it (any case).")
    sort: str = Field("username", description="username, last_name, email, date_joined; "
                      "- descends")


class UserList(Schema):
    items: list[UserOut]
    count: int

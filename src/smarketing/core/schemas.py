from __future__ import annotations

from datetime import datetime

from ninja import Schema


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


class TeamIn(Schema):
    name: str
    region: str = ""


class TeamPatch(Schema):
    name: str | None = None
    region: str | None = None


class TeamList(Schema):
    items: list[TeamOut]
    count: int


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(Schema):
    items: list[NotificationOut]
    count: int
    unread: int


class MarkedOut(Schema):
    marked: int


class UserList(Schema):
    items: list[UserOut]
    count: int

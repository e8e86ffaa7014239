from __future__ import annotations

from ninja import Schema


class UserOut(Schema):
    id: int
    username: str
    email: str
    first_name: str
    last_name: str
    role: str | None
    team: str | None
    region: str
    capacity: int | None


class UserList(Schema):
    items: list[UserOut]
    count: int

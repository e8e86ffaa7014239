"""Factories for tests: real rows through the real services where rules apply."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User

from smarketing.core.models import Role, Team
from smarketing.core.services import team_get_or_create, user_create
from smarketing.people.models import Cause, Company, Contact, Score, Stage
from smarketing.people.scores import ensure_rows
from smarketing.people.services import company_create, contact_create

_seq = itertools.count(1)


def make_user(
    role: str = Role.SALES_REP, *, username: str | None = None, team: Team | None = None,
    region: str = "", capacity: int = 50, password: str = "pw-for-tests",
) -> User:
    n = next(_seq)
    return user_create(
        username=username or f"{role}{n}", password=password, role=role,
        email=f"{role}{n}@example.com", team=team, region=region, capacity=capacity,
    )


def make_team(name: str = "Team", region: str = "") -> Team:
    return team_get_or_create(name=name, region=region)


def make_company(**fields: Any) -> Company:
    n = next(_seq)
    fields.setdefault("name", f"Company {n}")
    fields.setdefault("domain", f"company{n}.example.com")
    return company_create(actor=None, **fields)


def make_contact(
    stage: str = Stage.LEAD, *, at: datetime | None = None, cause: str = Cause.IMPORT,
    **fields: Any,
) -> Contact:
    n = next(_seq)
    fields.setdefault("email", f"person{n}@example.com")
    fields.setdefault("first_name", "Pat")
    fields.setdefault("last_name", f"Person{n}")
    return contact_create(actor=None, stage=stage, cause=cause, at=at, **fields)


def set_score(contact: Contact | int, total: int, *, fit: int = 0,
              engagement: int | None = None) -> None:
    """Store a contact's score as scoring would (engagement: total - fit by default)."""
    contact_id = contact if isinstance(contact, int) else contact.pk
    ensure_rows()
    Score.objects.filter(contact_id=contact_id).update(
        total=total, fit=fit, engagement=total - fit if engagement is None else engagement)

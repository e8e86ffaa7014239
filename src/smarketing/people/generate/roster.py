"""The people who work the data set: teams, users in every role, and the custom
property definitions the generated records use. Written through the services."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from django.contrib.auth.models import User

from smarketing.core.models import Role, Team
from smarketing.core.services import team_get_or_create, user_create
from smarketing.people.generate.pools import NamePool
from smarketing.people.generate.reference import (
    CRM_SYSTEMS,
    PERSONAS,
    REGION_WEIGHTS,
    SENIORITIES,
    TEAM_NAMES,
    TIERS,
)
from smarketing.people.models import PropertyDefinition, PropertyObject, PropertyType
from smarketing.people.services import property_define

USER_DOMAIN = "example.com"
CAPACITIES = (30, 40, 50, 60, 80)
PROPERTIES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (PropertyObject.CONTACT, "persona", "Persona", tuple(PERSONAS)),
    (PropertyObject.CONTACT, "seniority", "Seniority", SENIORITIES),
    (PropertyObject.COMPANY, "tier", "Tier", tuple(tier for _, tier in TIERS)),
    (PropertyObject.COMPANY, "crm_system", "CRM system", tuple(CRM_SYSTEMS)),
)


@dataclass
class Roster:
    reps_by_region: dict[str, list[int]] = field(default_factory=dict)
    marketing_user: int = 0
    users: list[User] = field(default_factory=list)


def rep_count(contacts: int) -> int:
    """Four reps (one per region) for the demo, up to 48 for a million contacts."""
    return max(len(REGION_WEIGHTS), min(48, round(contacts / 20_000)))


def rep_regions(count: int) -> list[str]:
    """One rep per region first, then the rest in proportion to region weights."""
    regions = list(REGION_WEIGHTS)[:count]
    while len(regions) < count:
        regions.append(
            max(REGION_WEIGHTS, key=lambda r: REGION_WEIGHTS[r] / (regions.count(r) + 1))
        )
    return regions


def _ensure_user(
    rng: random.Random, pool: NamePool, username: str, role: str, *,
    team: Team | None = None, region: str = "", capacity: int = 50,
) -> User:
    """Create the user through the service, or keep the one already there."""
    existing = User.objects.filter(username=username).first()
    first, last = rng.choice(pool.first_names), rng.choice(pool.last_names)
    if existing is not None:
        return existing
    return user_create(
        username=username, password=None, role=role, email=f"{username}@{USER_DOMAIN}",
        first_name=first, last_name=last, team=team, region=region, capacity=capacity,
    )


def build_roster(rng: random.Random, pool: NamePool, contacts: int) -> Roster:
    roster = Roster()
    roster.users.append(_ensure_user(rng, pool, "admin", Role.ADMIN))
    marketing_team = team_get_or_create(name="Marketing")
    marketing = _ensure_user(rng, pool, "marketing", Role.MARKETING, team=marketing_team)
    roster.users.append(marketing)
    roster.marketing_user = marketing.pk
    teams = {region: team_get_or_create(name=name, region=region)
             for region, name in TEAM_NAMES.items()}
    for index, region in enumerate(teams, start=1):
        username = "manager" if index == 1 else f"manager{index}"
        roster.users.append(_ensure_user(
            rng, pool, username, Role.SALES_MANAGER, team=teams[region], region=region,
        ))
    for index, region in enumerate(rep_regions(rep_count(contacts)), start=1):
        rep = _ensure_user(
            rng, pool, f"rep{index}", Role.SALES_REP, team=teams[region], region=region,
            capacity=rng.choice(CAPACITIES),
        )
        roster.users.append(rep)
        roster.reps_by_region.setdefault(region, []).append(rep.pk)
    return roster


def define_properties() -> None:
    """The custom properties generated records carry (kept when already defined)."""
    for object_type, name, label, choices in PROPERTIES:
        if not PropertyDefinition.objects.filter(object_type=object_type, name=name).exists():
            property_define(
                actor=None, object_type=object_type, name=name, label=label,
                type=PropertyType.CHOICE, choices=list(choices),
            )

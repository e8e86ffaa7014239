"""Finding (or, when the mapping allows, creating) what rows refer to: owners,
companies, products, campaigns and records known by a source system's id."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone

from smarketing.core.models import Role
from smarketing.core.services import user_create
from smarketing.imports.models import ExternalId
from smarketing.people.models import Company
from smarketing.people.services import company_create

User = get_user_model()
CACHE_LIMIT = 10_000  # names remembered per run: memory stays flat on any file


def _bounded(cache: dict[str, Any]) -> dict[str, Any]:
    """The cache, emptied first when full (a re-read costs one query)."""
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    return cache


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_.@+-]+", ".", name.strip().lower()).strip(".")[:150]


class Lookups:
    """Per-run caches (bounded); `create` is the mapping's create_missing set."""

    def __init__(self, *, system: str, create: frozenset[str], actor: Any) -> None:
        self.system, self.create, self.actor = system, create, actor
        self._owners: dict[str, Any] = {}
        self._companies: dict[str, Company | None] = {}

    def owner(self, name: str) -> Any:
        key = name.strip().lower()
        if not key:
            return None
        if key not in self._owners:
            _bounded(self._owners)[key] = self._find_owner(key) or self._create_owner(name)
        found = self._owners[key]
        if found is None:
            raise ValueError(f"no user {name!r} (add owners to create_missing)")
        return found

    def _find_owner(self, key: str) -> Any:
        parts = key.split(" ", 1)
        by_name = (Q(first_name__iexact=parts[0], last_name__iexact=parts[1])
                   if len(parts) == 2 else Q(pk__in=[]))
        query = Q(username__iexact=key) | Q(email__iexact=key) | by_name
        return User.objects.filter(query).order_by("id").first()

    def _create_owner(self, name: str) -> Any:
        if "owners" not in self.create:
            return None
        first, _, last = name.strip().partition(" ")
        email = name.strip() if "@" in name else ""
        return user_create(username=_slug(name), password=None, role=Role.SALES_REP,
                           email=email, first_name=first[:150] if not email else "",
                           last_name=last[:150])

    def company(self, *, name: str = "", domain: str = "", external_id: str = "") -> Any:
        """The company by external id, domain, then name; created when allowed."""
        key = f"{external_id}|{domain.lower()}|{name.lower()}"
        if key not in self._companies:
            _bounded(self._companies)[key] = self._find_company(name, domain, external_id)
        found = self._companies[key]
        if found is None and (name or domain or external_id):
            found = self._create_company(name, domain, external_id)
            self._companies[key] = found
        return found

    def _find_company(self, name: str, domain: str, external_id: str) -> Company | None:
        if external_id:
            pk = self.object_id("company", external_id)
            if pk is not None:
                return Company.objects.filter(pk=pk).first()
        if domain:
            clean = domain.strip().lower().removeprefix("www.")
            found = Company.objects.filter(domain=clean).first()
            if found:
                return found
        if name:
            return Company.objects.filter(name__iexact=name.strip()).order_by("id").first()
        return None

    def _create_company(self, name: str, domain: str, external_id: str) -> Company:
        if "companies" not in self.create or not name:
            what = name or domain or external_id
            raise ValueError(f"no company {what!r} (add companies to create_missing)")
        company = company_create(actor=self.actor, name=name, domain=domain)
        if external_id:
            self.remember("company", external_id, company.pk)
        return company

    def object_id(self, kind: str, external_id: str) -> int | None:
        return (ExternalId.objects.filter(system=self.system, kind=kind,
                                          external_id=external_id)
                .values_list("object_id", flat=True).first())

    def object_ids(self, kind: str, external_ids: list[str]) -> dict[str, int]:
        found = ExternalId.objects.filter(system=self.system, kind=kind,
                                          external_id__in=external_ids)
        return dict(found.values_list("external_id", "object_id"))

    def remember(self, kind: str, external_id: str, object_id: int) -> None:
        ExternalId.objects.update_or_create(
            system=self.system, kind=kind, external_id=external_id,
            defaults={"object_id": object_id},
        )

    def remember_many(self, kind: str, pairs: list[tuple[str, int]]) -> None:
        ExternalId.objects.bulk_create([
            ExternalId(system=self.system, kind=kind, external_id=e, object_id=o,
                       created_at=timezone.now())
            for e, o in pairs if e
        ], ignore_conflicts=True)

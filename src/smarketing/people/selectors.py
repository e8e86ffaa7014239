"""Reads for companies and contacts: filtered, sorted querysets that use indexes.

Search is by prefix (name, email, company name) over lower-cased expression
indexes, so it stays fast at a million contacts on SQLite and PostgreSQL. A
prefix is searched as a range (`>= "ann"` and `< "ano"`), which only means
"starts with" when strings compare by code point: SQLite does; on PostgreSQL the
comparison is made in the "C" collation (served by the C-collated indexes of
migration people 0002), since a database in a locale such as en_US ignores
punctuation and accents when sorting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F, Q, QuerySet
from django.db.models.expressions import Combinable
from django.db.models.functions import Collate, Lower
from django.db.models.lookups import GreaterThanOrEqual, LessThan

from smarketing.core.errors import ValidationFailed
from smarketing.core.ordering import both_ways, check_sort, in_range, matching
from smarketing.core.timeline import TimelineItem
from smarketing.people.models import (
    Company,
    Contact,
    ContactMerge,
    Identity,
    PropertyDefinition,
    PropertyObject,
    Stage,
    StageChange,
)
from smarketing.people.properties import property_filter
from smarketing.people.scores import ensure_rows

CONTACT_SORTS = {
    "-created_at": ("-created_at", "-id"),
    "created_at": ("created_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
    # the index of people_score (every contact has its row), walked from the score
    "-score": ("-scores__total", "-scores__contact"),
    "score": ("scores__total", "scores__contact"),
    "last_name": ("last_name_lower", "id"),
    "email": ("email", "id"),
}
COMPANY_SORTS = {
    "-created_at": ("-created_at", "-id"),
    "name": ("name_lower", "id"),
}


@dataclass
class ContactFilters:
    q: str = ""
    stage: str = ""
    owner_id: int | None = None
    unowned: bool = False
    company_id: int | None = None
    score_min: int | None = None
    score_max: int | None = None
    props: list[str] = field(default_factory=list)
    sort: str = "-created_at"


def _bytewise(expression: Combinable) -> Combinable:
    """Compare by code point: PostgreSQL's "C" collation, SQLite's default."""
    return Collate(expression, "C") if connection.vendor == "postgresql" else expression


def prefix_range(expression: Combinable, prefix: str) -> Q:
    """`expression` starts with `prefix`, as a range an ordinary B-tree index serves."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    column = _bytewise(expression)
    return Q(GreaterThanOrEqual(column, prefix)) & Q(LessThan(column, upper))


def _search(qs: QuerySet[Any], q: str) -> QuerySet[Any]:
    term = q.strip().lower()
    if not term:
        return qs
    if "@" in term:
        return qs.filter(prefix_range(F("email"), term))
    first, _, rest = term.partition(" ")
    rest = rest.strip()
    companies = Company.objects.filter(prefix_range(Lower("name"), term)).values("id")
    condition = (
        prefix_range(F("email"), term)
        | prefix_range(Lower("first_name"), term)
        | prefix_range(Lower("last_name"), term)
        | Q(company_id__in=companies)
    )
    if rest:
        condition |= prefix_range(Lower("first_name"), first) & prefix_range(
            Lower("last_name"), rest
        )
    return qs.filter(condition)


def contact_list(filters: ContactFilters) -> QuerySet[Contact]:
    order = check_sort(filters.sort, CONTACT_SORTS)
    ensure_rows()  # SQLite: the score rows of contacts inserted since (people/scores.py)
    qs: QuerySet[Any] = Contact.objects.alias(
        first_name_lower=Lower("first_name"), last_name_lower=Lower("last_name")
    )
    qs = _search(qs, filters.q)
    if filters.stage:
        if filters.stage not in Stage.values:
            raise ValidationFailed(f"stage: {filters.stage!r} is not a stage", field="stage")
        qs = qs.filter(lifecycle_stage=filters.stage)
    qs = _simple_filters(qs, filters)
    for expression in filters.props:
        qs = qs.filter(property_filter(object_type=PropertyObject.CONTACT, expression=expression))
    if "score" in filters.sort:  # an inner join: the score's index leads
        qs = qs.filter(scores__total__isnull=False)
    return qs.select_related("company", "owner", "scores").order_by(*order)


def _simple_filters(qs: QuerySet[Any], filters: ContactFilters) -> QuerySet[Any]:
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.unowned:
        qs = qs.filter(owner__isnull=True)
    if filters.company_id is not None:
        qs = qs.filter(company_id=filters.company_id)
    if filters.score_min is not None:
        qs = qs.filter(scores__total__gte=filters.score_min)
    if filters.score_max is not None:
        qs = qs.filter(scores__total__lte=filters.score_max)
    return qs


def company_list(
    *, q: str = "", owner_id: int | None = None, region: str = "",
    props: list[str] | None = None, sort: str = "name",
) -> QuerySet[Company]:
    order = check_sort(sort, COMPANY_SORTS)
    qs: QuerySet[Any] = Company.objects.alias(name_lower=Lower("name"))
    term = q.strip().lower()
    if term:
        qs = qs.filter(prefix_range(Lower("name"), term) | prefix_range(F("domain"), term))
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if region:
        qs = qs.filter(region=region)
    for expression in props or []:
        qs = qs.filter(property_filter(object_type=PropertyObject.COMPANY, expression=expression))
    return qs.select_related("owner").order_by(*order)


MERGE_SORTS = {"-at": ("-at", "-id"), "at": ("at", "id")}


@dataclass(frozen=True)
class MergeFilters:
    primary_id: int | None = None
    merged_contact_id: int | None = None
    merged_email: str = ""
    actor_id: int | None = None
    start: datetime | None = None
    end: datetime | None = None
    sort: str = "-at"


def merge_list(filters: MergeFilters) -> QuerySet[ContactMerge]:
    """The merge records (the audit of merges) matching `filters`; `at` in [start, end)."""
    order = check_sort(filters.sort, MERGE_SORTS)
    qs = in_range(ContactMerge.objects.all(), "at", filters.start, filters.end)
    for name in ("primary_id", "merged_contact_id", "actor_id"):
        if getattr(filters, name) is not None:
            qs = qs.filter(**{name: getattr(filters, name)})
    if filters.merged_email:
        qs = qs.filter(merged_email__iexact=filters.merged_email.strip())
    return qs.order_by(*order)


HISTORY_SORTS = both_ways("at")


def stage_history(
    contact: Contact, *, to_stage: str | None = None, cause: str | None = None,
    start: datetime | None = None, end: datetime | None = None, sort: str = "at",
) -> QuerySet[StageChange]:
    """The contact's stage changes (oldest first by default): into one stage, of one
    cause, `at` in [start, end)."""
    qs = contact.stage_changes.select_related("actor").order_by(*check_sort(sort, HISTORY_SORTS))
    return in_range(matching(qs, to_stage=to_stage, cause=cause), "at", start, end)


IDENTITY_SORTS = {
    "created_at": ("created_at", "id"), "-created_at": ("-created_at", "-id"),
    "kind": ("kind", "value", "id"), "-kind": ("-kind", "-value", "-id"),
    "value": ("value", "id"), "-value": ("-value", "-id"),
}


def identity_list(
    contact: Contact, *, kind: str | None = None, q: str = "", sort: str = "created_at"
) -> QuerySet[Identity]:
    """The contact's identities (oldest first by default) of one `kind`, whose value
    contains `q` (any case)."""
    qs = contact.identities.order_by(*check_sort(sort, IDENTITY_SORTS))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.filter(value__icontains=q.strip()) if q.strip() else qs


PROPERTY_SORTS = {
    "object_type": ("object_type", "name", "id"), "-object_type": ("-object_type", "-name", "-id"),
    **both_ways("name", "label", "type", "created_at"),
}


def property_list(
    *, object_type: str | None = None, type: str | None = None, q: str = "",
    sort: str = "object_type",
) -> QuerySet[PropertyDefinition]:
    """Custom property definitions (by object type and name by default) of an object
    type and a value type, whose name or label contains `q` (any case)."""
    qs = matching(PropertyDefinition.objects.order_by(*check_sort(sort, PROPERTY_SORTS)),
                  object_type=object_type, type=type)
    text = q.strip()
    return qs.filter(Q(name__icontains=text) | Q(label__icontains=text)) if text else qs


def company_lookup(text: str, *, limit: int = 10) -> list[Company]:
    """Companies whose name is `text` (any case) or whose domain is `text`."""
    term = text.strip()
    return list(Company.objects.filter(Q(name__iexact=term) | Q(domain=term.lower()))[:limit])


def stage_changes_for_timeline(
    contact_id: int, before: datetime | None, limit: int
) -> list[TimelineItem]:
    """Timeline provider: the contact's stage changes, newest first."""
    qs = StageChange.objects.filter(contact_id=contact_id).select_related("actor")
    if before is not None:
        qs = qs.filter(at__lt=before)
    return [_stage_item(change) for change in qs.order_by("-at", "-id")[:limit]]


def _stage_item(change: StageChange) -> TimelineItem:
    source = change.get_from_stage_display() if change.from_stage else "(new)"
    actor = change.actor.get_full_name() or change.actor.username if change.actor else ""
    return TimelineItem(
        at=change.at, kind="stage_change",
        title=f"{source} → {change.get_to_stage_display()}",
        detail=change.reason, actor=actor or change.get_cause_display(),
        data={"from_stage": change.from_stage, "to_stage": change.to_stage,
              "cause": change.cause},
    )

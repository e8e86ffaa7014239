"""Rule semantics as SQL: a fit rule becomes a Q on Contact, an engagement rule a Q on
Event. The full rescore, the incremental update, the explanation and the live preview
all use these same expressions, so they always agree.

Fit rule operators (text fields compare case-insensitively):
equals (value), in / not_in (list), contains (string or list: any of them), range
({"min": a, "max": b}, either may be missing), exists (true / false), regex
(case-insensitive; SQLite runs Python's `re`, PostgreSQL its POSIX regex).
"""

from __future__ import annotations

from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Q

from smarketing.core.errors import ValidationFailed
from smarketing.scoring.models import EngagementRule, FitRule, Operator

CONTACT_TEXT = frozenset({
    "email", "first_name", "last_name", "title", "phone", "lifecycle_stage", "lead_status",
    "original_source", "latest_source", "original_campaign", "latest_campaign",
})
COMPANY_TEXT = frozenset({"name", "domain", "industry", "country", "region"})
COMPANY_NUMBERS = frozenset({"employee_count", "annual_revenue"})
EVENT_COLUMNS = frozenset({
    "page_path", "page_url", "referrer", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content", "anonymous_id", "user_id", "group_id",
})


def fit_lookup(path: str) -> tuple[str, str]:
    """(ORM lookup, kind) for a fit field path; kind is text, number or json."""
    head, _, rest = path.partition(".")
    if path in CONTACT_TEXT:
        return path, "text"
    if head == "properties" and rest:
        return f"properties__{rest.replace('.', '__')}", "json"
    if head == "company" and rest in COMPANY_TEXT:
        return f"company__{rest}", "text"
    if head == "company" and rest in COMPANY_NUMBERS:
        return f"company__{rest}", "number"
    sub, _, key = rest.partition(".")
    if head == "company" and sub == "properties" and key:
        return f"company__properties__{key.replace('.', '__')}", "json"
    raise ValidationFailed(f"field: unknown field path {path!r}", field="field")


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list) and value:
        return value
    raise ValidationFailed("value: give a non-empty list", field="value")


def _any_of(lookup: str, suffix: str, values: list[Any]) -> Q:
    return reduce(or_, (Q(**{f"{lookup}__{suffix}": v}) for v in values))


def _in(lookup: str, kind: str, value: Any) -> Q:
    values = _as_list(value)
    if kind == "text":
        return _any_of(lookup, "iexact", [str(v) for v in values])
    return Q(**{f"{lookup}__in": values})


def _range(lookup: str, value: Any) -> Q:
    if not isinstance(value, dict) or not ({"min", "max"} & value.keys()):
        raise ValidationFailed('value: give {"min": a, "max": b}', field="value")
    q = Q()
    if value.get("min") is not None:
        q &= Q(**{f"{lookup}__gte": value["min"]})
    if value.get("max") is not None:
        q &= Q(**{f"{lookup}__lte": value["max"]})
    return q


def _exists(lookup: str, kind: str, value: Any) -> Q:
    if kind == "json":
        base, _, key = lookup.rpartition("__")
        q = Q(**{f"{base}__has_key": key}) & ~Q(**{f"{lookup}__isnull": True})
    elif kind == "text":
        q = Q(**{f"{lookup}__isnull": False}) & ~Q(**{lookup: ""})
    else:
        q = Q(**{f"{lookup}__isnull": False})
    return q if value in (True, None) else ~q


def _text_value(value: Any) -> str:
    if isinstance(value, str) and value:
        return value
    raise ValidationFailed("value: give a non-empty string", field="value")


def fit_q(field: str, operator: str, value: Any) -> Q:
    """The contacts a fit rule matches."""
    lookup, kind = fit_lookup(field)
    if operator == Operator.EQUALS:
        return Q(**{f"{lookup}__iexact" if kind == "text" else lookup: value})
    if operator == Operator.IN:
        return _in(lookup, kind, value)
    if operator == Operator.NOT_IN:
        return ~_in(lookup, kind, value)
    if operator == Operator.CONTAINS:
        values = value if isinstance(value, list) else [value]
        return _any_of(lookup, "icontains", [_text_value(v) for v in values])
    if operator == Operator.RANGE:
        return _range(lookup, value)
    if operator == Operator.EXISTS:
        return _exists(lookup, kind, value)
    if operator == Operator.REGEX:
        return Q(**{f"{lookup}__iregex": _text_value(value)})
    raise ValidationFailed(f"operator: unknown operator {operator!r}", field="operator")


def fit_rule_q(rule: FitRule) -> Q:
    return fit_q(rule.field, rule.operator, rule.value)


def _filter_q(key: str, value: Any) -> Q:
    if key in EVENT_COLUMNS:
        lookup = key
    elif key.startswith("properties.") and len(key) > len("properties."):
        lookup = "properties__" + key.removeprefix("properties.").replace(".", "__")
    else:
        raise ValidationFailed(f"property_filters: unknown key {key!r}", field="property_filters")
    if isinstance(value, str) and value.endswith("*"):
        return Q(**{f"{lookup}__startswith": value[:-1]})
    return Q(**{lookup: value})


def engagement_q(event_type: str, event_name: str, property_filters: dict[str, Any]) -> Q:
    """The events an engagement rule counts (before time windows)."""
    if not isinstance(property_filters, dict):
        raise ValidationFailed("property_filters: give an object", field="property_filters")
    q = Q()
    if event_type:
        q &= Q(type=event_type)
    if event_name:
        q &= Q(name=event_name)
    for key, value in sorted(property_filters.items()):
        q &= _filter_q(key, value)
    return q


def engagement_rule_q(rule: EngagementRule) -> Q:
    return engagement_q(rule.event_type, rule.event_name, rule.property_filters)

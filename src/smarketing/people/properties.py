"""Custom properties: typed definitions, validation on write, filters on read."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Q

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import PropertyDefinition, PropertyObject, PropertyType

TRUE_WORDS = {"true", "yes", "1", "y", "on"}
FALSE_WORDS = {"false", "no", "0", "n", "off"}
FILTER_OPS = {"eq": "exact", "gte": "gte", "lte": "lte", "contains": "icontains"}
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,59}")
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
MAX_TEXT = 1000


def definitions(object_type: str) -> dict[str, PropertyDefinition]:
    return {d.name: d for d in PropertyDefinition.objects.filter(object_type=object_type)}


def _fail(name: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"properties.{name}: {message}", field=f"properties.{name}")


def _as_number(name: str, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _fail(name, "expected a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as exc:
        raise _fail(name, f"expected a number, got {value!r}") from exc
    if not number.is_finite() or not math.isfinite(float(number)):
        raise _fail(name, "expected a finite number")
    return int(number) if number == number.to_integral_value() else float(number)


def _as_date(name: str, value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not DATE_PATTERN.fullmatch(text):
            raise ValueError(text)
        return dt.date.fromisoformat(text).isoformat()
    except ValueError as exc:
        raise _fail(name, f"expected a date YYYY-MM-DD, got {value!r}") from exc


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _fail(name, f"expected true or false, got {value!r}")


def _as_text(name: str, value: Any) -> str:
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _fail(name, "expected text")
    text = str(value)
    if len(text) > MAX_TEXT:
        raise _fail(name, f"longer than {MAX_TEXT} characters")
    return text


def clean_value(definition: PropertyDefinition, value: Any) -> Any:
    name = definition.name
    if definition.type == PropertyType.NUMBER:
        return _as_number(name, value)
    if definition.type == PropertyType.DATE:
        return _as_date(name, value)
    if definition.type == PropertyType.BOOL:
        return _as_bool(name, value)
    text = _as_text(name, value)
    if definition.type == PropertyType.CHOICE and text not in definition.choices:
        raise _fail(name, f"{text!r} is not one of {', '.join(definition.choices)}")
    return text


def clean_properties(
    *, object_type: str, values: dict[str, Any], current: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Return `current` updated with `values`, each checked against its definition.

    A value of None (or "") removes the property.
    """
    if not isinstance(values, dict):
        raise ValidationFailed("properties: expected an object of name: value", field="properties")
    defs = definitions(object_type)
    result = dict(current or {})
    for name, value in values.items():
        if name not in defs:
            raise _fail(name, "no such property (define it first)")
        if value is None or value == "":
            result.pop(name, None)
            continue
        result[name] = clean_value(defs[name], value)
    return result


def _parse_filter(expression: str) -> tuple[str, str, str]:
    parts = expression.split(":", 2)
    if len(parts) < 2:
        raise ValidationFailed("prop: expected name:value or name:op:value", field="prop")
    name, op, raw = (parts[0], "eq", parts[1]) if len(parts) == 2 else parts
    if op not in FILTER_OPS:
        raise ValidationFailed(
            f"prop: unknown operator {op!r} (use {', '.join(FILTER_OPS)})", field="prop"
        )
    return name, op, raw


def property_filter(*, object_type: str, expression: str, prefix: str = "") -> Q:
    """Parse `name:value` or `name:op:value` (op: eq, gte, lte, contains) into a Q.

    The lookup is always spelled out (`properties__<name>__exact`), so a property
    named like a lookup (`contains`, `in`, `gte`) is still read as a JSON key.
    """
    name, op, raw = _parse_filter(expression)
    definition = definitions(object_type).get(name)
    if definition is None:
        raise ValidationFailed(f"prop: no property named {name!r}", field="prop")
    try:
        value = raw if op == "contains" else clean_value(definition, raw)
    except ValidationFailed as exc:
        raise ValidationFailed(f"prop: {exc.message}", field="prop") from exc
    return Q(**{f"{prefix}properties__{name}__{FILTER_OPS[op]}": value})


def validate_definition(
    *, name: str, type: str, choices: list[str], object_type: str = PropertyObject.CONTACT
) -> None:
    if object_type not in PropertyObject.values:
        allowed = ", ".join(PropertyObject.values)
        raise ValidationFailed(f"object_type: use one of {allowed}", field="object_type")
    if type not in PropertyType.values:
        allowed = ", ".join(PropertyType.values)
        raise ValidationFailed(f"type: {type!r} is not one of {allowed}", field="type")
    if not NAME_PATTERN.fullmatch(name):
        raise ValidationFailed(
            "name: use snake_case (a-z, 0-9 and _, starting with a letter, at most 60)",
            field="name",
        )
    _validate_choices(type, choices)


def _validate_choices(type: str, choices: list[str]) -> None:
    if type != PropertyType.CHOICE:
        if choices:
            raise ValidationFailed("choices: only a choice property has choices", field="choices")
        return
    if not choices:
        raise ValidationFailed("choices: a choice property needs choices", field="choices")
    if any(not isinstance(c, str) or not c.strip() or len(c) > MAX_TEXT for c in choices):
        raise ValidationFailed("choices: each choice must be non-empty text", field="choices")
    if len(set(choices)) != len(choices):
        raise ValidationFailed("choices: each choice may appear once", field="choices")

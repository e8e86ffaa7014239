"""The mapping of a file's columns to fields (YAML format in docs/import.md)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from smarketing.core.errors import ValidationFailed

CREATABLE = frozenset({"companies", "owners", "products", "campaigns"})


@dataclass(frozen=True)
class Column:
    field: str
    separator: str = ""
    date_format: str = ""


@dataclass
class Mapping:
    columns: dict[str, Column] = field(default_factory=dict)  # lower-cased header -> rule
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> raw -> value
    defaults: dict[str, str] = field(default_factory=dict)
    date_formats: list[str] = field(default_factory=list)
    create_missing: frozenset[str] = frozenset()
    system: str = "import"
    kind: str = ""
    preset: str = ""

    def key(self, *extra: str) -> str:
        """A hash of everything that changes what an import writes."""
        data = json.dumps([self.as_dict(), *extra], sort_keys=True, default=str)
        return hashlib.sha256(data.encode()).hexdigest()

    def as_dict(self) -> dict[str, Any]:
        return {
            "columns": {k: c.__dict__ for k, c in self.columns.items()},
            "values": self.values, "defaults": self.defaults,
            "date_formats": self.date_formats, "create_missing": sorted(self.create_missing),
            "system": self.system, "kind": self.kind, "preset": self.preset,
        }


def _fail(message: str, where: str) -> ValidationFailed:
    return ValidationFailed(f"mapping: {where}: {message}", field="mapping")


def _column(name: str, rule: Any) -> Column:
    if isinstance(rule, str):
        return Column(field=rule.strip())
    if isinstance(rule, dict) and isinstance(rule.get("field"), str):
        return Column(field=rule["field"].strip(), separator=str(rule.get("separator", "")),
                      date_format=str(rule.get("date_format", "")))
    raise _fail("give a field name or {field, separator, date_format}", f"columns.{name}")


def _str_map(data: Any, where: str) -> dict[str, str]:
    if not isinstance(data, dict):
        raise _fail("expected name: value pairs", where)
    return {str(k): "" if v is None else str(v) for k, v in data.items()}


def _create_missing(data: Any) -> frozenset[str]:
    items = frozenset(data or [])
    unknown = sorted(items - CREATABLE)
    if unknown:
        raise _fail(f"{unknown[0]!r} is not one of {', '.join(sorted(CREATABLE))}",
                    "create_missing")
    return items


def mapping_from_dict(data: Any) -> Mapping:
    if not isinstance(data, dict):
        raise _fail("expected a YAML mapping at the top", "file")
    unknown = sorted(set(data) - {"columns", "values", "defaults", "date_formats",
                                   "create_missing", "system", "kind"})
    if unknown:
        raise _fail("not a mapping key", unknown[0])
    columns = {str(k).strip().lower(): _column(str(k), v)
               for k, v in (data.get("columns") or {}).items()}
    values = {str(f): {k.strip().lower(): v for k, v in _str_map(m, f"values.{f}").items()}
              for f, m in (data.get("values") or {}).items()}
    formats = data.get("date_formats") or []
    if not isinstance(formats, list):
        raise _fail("expected a list of strptime formats", "date_formats")
    return Mapping(
        columns=columns, values=values,
        defaults=_str_map(data.get("defaults") or {}, "defaults"),
        date_formats=[str(f) for f in formats],
        create_missing=_create_missing(data.get("create_missing")),
        system=re.sub(r"[^a-z0-9_]", "", str(data.get("system") or "import").lower()) or "import",
        kind=str(data.get("kind") or ""),
    )


def mapping_from_yaml(text: str) -> Mapping:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ValidationFailed(f"mapping: not valid YAML ({exc})", field="mapping") from exc
    return mapping_from_dict(data)


# Common spellings of a field in files without a mapping or preset.
ALIASES = {"create_date": "created_at", "created_date": "created_at", "created": "created_at",
           "e_mail": "email", "email_address": "email", "job_title": "title",
           "company_name": "company", "phone_number": "phone"}


def snake(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


@dataclass(frozen=True)
class Resolved:
    """The header resolved against a mapping: which column index feeds which field."""

    header: list[str]
    by_index: dict[int, Column]
    ignored: list[str]

    def column_of(self, name: str) -> str:
        for index, rule in self.by_index.items():
            if rule.field == name:
                return self.header[index]
        return name


def resolve(header: list[str], mapping: Mapping, known: frozenset[str]) -> Resolved:
    """Map each header cell: by the mapping, else by its own name if it is a field."""
    by_index: dict[int, Column] = {}
    ignored: list[str] = []
    for index, name in enumerate(header):
        rule = mapping.columns.get(name.strip().lower())
        own = ALIASES.get(snake(name), snake(name))
        if rule is None and (own in known or own.startswith("properties_")):
            rule = Column(field="properties." + own[11:] if own.startswith("properties_")
                          else own)
        if rule is None or not rule.field:
            ignored.append(name)
            continue
        _check_field(rule.field, known, name)
        by_index[index] = rule
    return Resolved(header, by_index, ignored)


def _check_field(name: str, known: frozenset[str], column: str) -> None:
    if name in known or name.startswith("properties."):
        return
    raise ValidationFailed(
        f"mapping: column {column!r}: {name!r} is not a field (use one of "
        f"{', '.join(sorted(known))} or properties.NAME)", field="mapping",
    )

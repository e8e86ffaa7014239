"""What every kind shares: rows, outcomes, the run context and pydantic value types."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError, ValidationInfo

from smarketing.core.errors import DomainError
from smarketing.imports.lookups import Lookups
from smarketing.imports.mapping import Mapping, Resolved
from smarketing.imports.values import DateReader, boolean, decimal, integer

CREATED, UPDATED, SKIPPED, ERROR = "created", "updated", "skipped", "error"


class RowError(Exception):
    """A row is refused: `column` is the file's column (or the field) at fault."""

    def __init__(self, column: str, reason: str) -> None:
        super().__init__(f"{column}: {reason}")
        self.column, self.reason = column, reason


@dataclass
class Row:
    line: int
    values: list[str]
    data: Any = None  # the kind's validated pydantic model


@dataclass
class Outcome:
    line: int
    result: str
    column: str = ""
    reason: str = ""


@dataclass
class Context:
    actor: Any
    mapping: Mapping
    resolved: Resolved
    on_duplicate: str
    lookups: Lookups
    dates: DateReader
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.resolved.column_of(name)

    def refuse(self, name: str, exc: DomainError | ValueError) -> RowError:
        reason = exc.message if isinstance(exc, DomainError) else str(exc)
        field_name = getattr(exc, "field", "") or name
        return RowError(self.column(field_name), reason.split(": ", 1)[-1])


def _date(value: Any, info: ValidationInfo) -> Any:
    if not isinstance(value, str):
        return value
    reader: DateReader = (info.context or {}).get("dates") or DateReader()
    return reader(value, info.field_name or "")


def _via(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    def run(value: Any) -> Any:
        return parse(value) if isinstance(value, str) else value
    return run


Stamp = Annotated[dt.datetime | None, BeforeValidator(_date)]
Money = Annotated[Decimal | None, BeforeValidator(_via(decimal))]
Whole = Annotated[int | None, BeforeValidator(_via(integer))]
Flag = Annotated[bool | None, BeforeValidator(_via(boolean))]


class RowModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def validate_row(model: type[RowModel], data: dict[str, Any], ctx: Context) -> Any:
    try:
        return model.model_validate(data, context={"dates": ctx.dates})
    except ValidationError as exc:
        error = exc.errors()[0]
        name = str(error["loc"][0]) if error["loc"] else ""
        message = str(error["msg"]).removeprefix("Value error, ")
        raise RowError(ctx.column(name), message) from exc


Writer = Callable[[list[Row], Context], list[Outcome]]
KeyOf = Callable[[Any], str]
HeaderHook = Callable[[list[str], dict[str, str]], dict[int, str]]


@dataclass(frozen=True)
class Kind:
    """A kind of record: its fields, row model, in-file key and batch writer."""

    name: str
    model: type[RowModel]
    write: Writer
    key: KeyOf | None = None  # rows sharing a key inside one file are duplicates
    key_field: str = ""
    fields: frozenset[str] = frozenset()
    property_object: str = ""  # contact / company: which custom properties apply
    header: HeaderHook | None = None  # the kind maps the header itself
    replay: Callable[[Row, Context], None] | None = None  # resume: see a committed row


    @property
    def known(self) -> frozenset[str]:
        return self.fields or frozenset(self.model.model_fields) - {"properties"}


def per_row(rows: list[Row], ctx: Context, one: Callable[[Row, Context], Outcome]) -> (
    list[Outcome]
):
    """Write rows one by one, each in a savepoint: a refused row leaves nothing behind."""
    from django.db import transaction

    outcomes = []
    for row in rows:
        try:
            with transaction.atomic():
                outcomes.append(one(row, ctx))
        except RowError as err:
            outcomes.append(Outcome(row.line, ERROR, err.column, err.reason))
        except (DomainError, ValueError) as exc:
            refused = ctx.refuse("owner" if "user" in str(exc) else "", exc)
            outcomes.append(Outcome(row.line, ERROR, refused.column, refused.reason))
    return outcomes

"""API shapes of the KPI engine (DESIGN.md "Analytics API")."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import ConfigDict

Value = Decimal | int | float | None


class PeriodOut(Schema):
    start: dt.date
    end: dt.date
    previous_start: dt.date
    previous_end: dt.date


class KpiOut(Schema):
    """One KPI: the headline value, the previous period's, the change (% or points for
    rates), and further parts (mean, weighted, per rep, breakdowns) beside them."""

    model_config = ConfigDict(extra="allow")

    value: Value
    previous: Value
    change: Value


class KpiInfoOut(Schema):
    name: str
    family: str
    section: str
    unit: str
    label: str
    breakdowns: list[str]


class RecordsOut(Schema):
    """The rows behind a KPI. `sum_of`: the column whose sum is the value ("": the
    number of rows is); a ratio's rows carry a `side` and `denominator_sum_of`."""

    name: str
    columns: list[str]
    items: list[dict[str, Any]]
    count: int
    sum_of: str
    denominator_sum_of: str


class StepOut(Schema):
    stage: str
    count: int
    conversion: Decimal | None
    median_days: Decimal | None


class FunnelOut(Schema):
    view: str
    start: dt.date
    end: dt.date
    stages: list[str]
    steps: list[StepOut]
    breakdown: dict[str, list[StepOut]]


class ContactRowOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    lifecycle_stage: str


class FunnelRecordsOut(Schema):
    items: list[ContactRowOut]
    count: int

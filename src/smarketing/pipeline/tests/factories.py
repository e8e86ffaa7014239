"""Deals, products and stages for tests, made through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from smarketing.pipeline.models import Deal, LostReason, PipelineStage, Product
from smarketing.pipeline.services import (
    DealContactIn,
    deal_create,
    default_pipeline,
    product_create,
)

_seq = itertools.count(1)


def stage(name: str) -> PipelineStage:
    return default_pipeline().stages.get(name=name)


def reason(name: str = "Price") -> LostReason:
    default_pipeline()
    return LostReason.objects.get(name=name)


def make_product(name: str | None = None, price: str = "100.00", family: str = "") -> Product:
    return product_create(
        actor=None, name=name or f"Product {next(_seq)}", list_price=price, family=family
    )


def make_deal(
    owner: Any, *, amount: str | Decimal = "1000.00", stage_name: str = "Discovery",
    close: dt.date | None = None, contacts: list[Any] | None = None,
    at: dt.datetime | None = None, **fields: Any,
) -> Deal:
    links = [DealContactIn(contact=c, is_primary=i == 0) for i, c in enumerate(contacts or [])]
    return deal_create(
        actor=owner, owner=owner, name=fields.pop("name", f"Deal {next(_seq)}"),
        amount=amount, expected_close_date=close or dt.date(2026, 12, 15),
        stage=stage(stage_name), contacts=links, at=at, **fields,
    )

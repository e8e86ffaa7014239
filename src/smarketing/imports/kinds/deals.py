"""Deals and their line items, through pipeline's services so every stage change has
its history row and contacts follow their deals (opportunity, customer) at the
file's dates: a deal opens at its created date and closes at its close date."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from pydantic import Field, field_validator

from smarketing.imports.kinds.base import (
    CREATED,
    SKIPPED,
    UPDATED,
    Context,
    Flag,
    Kind,
    Money,
    Outcome,
    Row,
    RowError,
    RowModel,
    Stamp,
    Whole,
    per_row,
)
from smarketing.people.models import Contact
from smarketing.pipeline.models import Deal, LineItem, LostReason, Pipeline, PipelineStage, Product
from smarketing.pipeline.services import (
    DealContactIn,
    deal_create,
    deal_lose,
    deal_update,
    deal_win,
    default_pipeline,
    line_item_add,
    product_create,
)

# HubSpot's and Salesforce's default deal stages -> the default pipeline's stages.
STAGE_WORDS: dict[str, str] = {
    "appointmentscheduled": "Discovery", "qualifiedtobuy": "Demo",
    "presentationscheduled": "Demo", "decisionmakerboughtin": "Proposal",
    "contractsent": "Negotiation", "closedwon": "Closed Won", "closedlost": "Closed Lost",
    "prospecting": "Discovery", "qualification": "Discovery", "needsanalysis": "Demo",
    "valueproposition": "Demo", "iddecisionmakers": "Proposal",
    "perceptionanalysis": "Proposal", "proposalpricequote": "Proposal",
    "negotiationreview": "Negotiation", "won": "Closed Won", "lost": "Closed Lost",
}


class DealIn(RowModel):
    external_id: str = Field("", max_length=200)
    name: str = Field("", max_length=200)
    amount: Money = None
    stage: str = ""
    pipeline: str = ""
    close_date: Stamp = None
    created_at: Stamp = None
    owner: str = ""
    company: str = ""
    company_external_id: str = ""
    contact_external_ids: list[str] = Field(default_factory=list)
    contact_emails: list[str] = Field(default_factory=list)
    type: str = ""
    source_campaign: str = Field("", max_length=200)
    lost_reason: str = ""
    is_won: Flag = None
    is_closed: Flag = None


    @field_validator("company_external_id")
    @classmethod
    def _first_company(cls, value: str) -> str:
        return value.split(";")[0].strip()


def _words(raw: str) -> str:
    return re.sub(r"[^a-z0-9]", "", raw.lower())


def _stage(data: DealIn, ctx: Context) -> PipelineStage:
    pipeline = (Pipeline.objects.filter(name__iexact=data.pipeline).first()
                if data.pipeline and _words(data.pipeline) != "default" else None)
    pipeline = pipeline or default_pipeline()
    stages = {_words(s.name): s for s in pipeline.stages.all()}
    wanted = _words(data.stage) or ("closedwon" if data.is_won else "")
    if data.is_closed and not data.is_won and not wanted:
        wanted = "closedlost"
    found = stages.get(wanted) or stages.get(_words(STAGE_WORDS.get(wanted, "")))
    if found is None and wanted:
        raise RowError(ctx.column("stage"),
                       f"{data.stage!r} is not a stage of pipeline {pipeline.name} "
                       "(add a value map)")
    return found or pipeline.stages.filter(is_won=False, is_lost=False).order_by("order")[0]


def _contacts(data: DealIn, ctx: Context) -> list[DealContactIn]:
    ids = list(ctx.lookups.object_ids("contact", data.contact_external_ids).values())
    if data.external_id:  # Salesforce: leads converted into this opportunity
        ids += list(ctx.lookups.object_ids("opportunity_contact", [data.external_id]).values())
    query = Contact.objects.filter(pk__in=ids) | Contact.objects.filter(
        email__in=[e.lower() for e in data.contact_emails])
    contacts = list(query.distinct().order_by("id"))
    return [DealContactIn(contact=c, is_primary=i == 0) for i, c in enumerate(contacts)]


def _times(data: DealIn) -> tuple[dt.datetime, dt.datetime]:
    opened = data.created_at or data.close_date or timezone.now()
    closed = max(data.close_date or opened, opened)
    return opened, closed


def _open(data: DealIn, ctx: Context, stage: PipelineStage) -> Deal:
    opened, closed = _times(data)
    owner = ctx.lookups.owner(data.owner) if data.owner else None
    company = (ctx.lookups.company(name=data.company, external_id=data.company_external_id)
               if data.company or data.company_external_id else None)
    first = stage if not stage.is_closed else stage.pipeline.stages.filter(
        is_won=False, is_lost=False).order_by("order")[0]
    fields: dict[str, Any] = {"amount": data.amount or Decimal("0"), "company": company}
    if data.type:
        fields["type"] = data.type
    if data.source_campaign:
        fields["source_campaign"] = data.source_campaign
    deal = deal_create(
        actor=ctx.actor, name=data.name, owner=owner or _default_owner(ctx),
        expected_close_date=(data.close_date or closed).date(), stage=first,
        contacts=_contacts(data, ctx), at=opened, **fields,
    )
    _close(deal, data, ctx, stage, closed)
    return deal


def _close(deal: Deal, data: DealIn, ctx: Context, stage: PipelineStage,
           at: dt.datetime) -> None:
    if stage.is_won:
        deal_win(deal=deal, actor=ctx.actor, at=at, stage=stage)
    elif stage.is_lost:
        reason = LostReason.objects.filter(name__iexact=data.lost_reason or "Other").first()
        reason = reason or LostReason.objects.get_or_create(name=data.lost_reason[:100])[0]
        deal_lose(deal=deal, actor=ctx.actor, reason=reason, at=at, stage=stage)


def _default_owner(ctx: Context) -> Any:
    if getattr(ctx.actor, "pk", None):
        return ctx.actor
    raise RowError(ctx.column("owner"), "a deal needs an owner (no owner and no acting user)")


def _one(row: Row, ctx: Context) -> Outcome:
    data: DealIn = row.data
    if not data.name:
        raise RowError(ctx.column("name"), "a deal needs a name")
    stage = _stage(data, ctx)
    pk = ctx.lookups.object_id("deal", data.external_id) if data.external_id else None
    deal = Deal.objects.filter(pk=pk).first() if pk else None
    if deal is not None and ctx.on_duplicate == "skip":
        return Outcome(row.line, SKIPPED, reason=f"deal {deal.pk} exists")
    if deal is not None and ctx.on_duplicate == "update":
        deal_update(deal=deal, actor=ctx.actor, name=data.name, **(
            {"amount": data.amount} if data.amount is not None else {}))
        if stage.pk != deal.stage_id and stage.is_closed and deal.status == "open":
            _close(deal, data, ctx, stage, max(_times(data)[1], deal.stage_entered_at))
        return Outcome(row.line, UPDATED)
    deal = _open(data, ctx, stage)
    if data.external_id:
        ctx.lookups.remember("deal", data.external_id, deal.pk)
    return Outcome(row.line, CREATED)


def write_deals(rows: list[Row], ctx: Context) -> list[Outcome]:
    return per_row(rows, ctx, _one)


class LineItemIn(RowModel):
    deal_external_id: str = ""
    deal: str = ""
    product: str = Field("", max_length=200)
    quantity: Whole = 1
    unit_price: Money = None
    discount_percent: Money = None


def _product(data: LineItemIn, ctx: Context) -> Product:
    found = Product.objects.filter(name__iexact=data.product).first()
    if found:
        return found
    if "products" not in ctx.mapping.create_missing or not data.product:
        raise RowError(ctx.column("product"),
                       f"no product {data.product!r} (add products to create_missing)")
    return product_create(actor=ctx.actor, name=data.product,
                          list_price=data.unit_price or Decimal("0"))


def _line(row: Row, ctx: Context) -> Outcome:
    data: LineItemIn = row.data
    pk = ctx.lookups.object_id("deal", data.deal_external_id) if data.deal_external_id else None
    deal = Deal.objects.filter(pk=pk).first() if pk else (
        Deal.objects.filter(name__iexact=data.deal).order_by("id").first() if data.deal else None)
    if deal is None:
        raise RowError(ctx.column("deal_external_id" if data.deal_external_id else "deal"),
                       "no such deal (import the deals first)")
    product = _product(data, ctx)
    price = data.unit_price if data.unit_price is not None else product.list_price
    if ctx.on_duplicate != "create" and LineItem.objects.filter(
            deal=deal, product=product, quantity=data.quantity or 1, unit_price=price).exists():
        return Outcome(row.line, SKIPPED, reason="the deal has this line already")
    line_item_add(deal=deal, actor=ctx.actor, product=product, quantity=data.quantity or 1,
                  unit_price=price, discount_percent=data.discount_percent or Decimal("0"))
    return Outcome(row.line, CREATED)


def write_line_items(rows: list[Row], ctx: Context) -> list[Outcome]:
    return per_row(rows, ctx, _line)


DEALS = Kind(name="deals", model=DealIn, write=write_deals,
             key=lambda d: f"id:{d.external_id}" if d.external_id else "",
             key_field="external_id")
LINE_ITEMS = Kind(name="line_items", model=LineItemIn, write=write_line_items)

"""Writes for pipelines, deals, line items, activities and quotas.

Every stage move of a deal goes through `_enter_stage`, which writes the
DealStageChange row and keeps `status`, `closed_at` and `stage_entered_at` in
step with the stage's flags. Contacts follow their deals through the lifecycle
service (cause `pipeline`): an open deal makes them `opportunity`, a won one
`customer`; a contact already at or past that stage is left alone (forward-only),
and losing a deal changes no contact. Reopening a closed deal clears its
`closed_at`, so revenue counts each deal once, at its latest win.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone

from smarketing.core.errors import Conflict, NotFound, ValidationFailed
from smarketing.core.periods import add_months
from smarketing.people.lifecycle import contact_transition, funnel_position
from smarketing.people.models import Cause, Company, Contact, Stage, stage_rank
from smarketing.pipeline.events import (
    publish_deal_created,
    publish_deal_lost,
    publish_deal_stage_changed,
)
from smarketing.pipeline.models import (
    Activity,
    ActivityKind,
    ContactRole,
    Deal,
    DealContact,
    DealStageChange,
    DealStatus,
    DealType,
    ForecastCategory,
    LineItem,
    LostReason,
    Pipeline,
    PipelineStage,
    Product,
    Quota,
    QuotaPeriod,
)

CENT = Decimal("0.01")
DEFAULT_PIPELINE = "New business"
# name, probability, forecast category, won, lost, stall days
DEFAULT_STAGES: tuple[tuple[str, str, str, bool, bool, int], ...] = (
    ("Discovery", "0.10", ForecastCategory.PIPELINE, False, False, 21),
    ("Demo", "0.25", ForecastCategory.PIPELINE, False, False, 21),
    ("Proposal", "0.50", ForecastCategory.BEST_CASE, False, False, 30),
    ("Negotiation", "0.75", ForecastCategory.COMMIT, False, False, 30),
    ("Closed Won", "1", ForecastCategory.CLOSED_WON, True, False, 0),
    ("Closed Lost", "0", ForecastCategory.OMITTED, False, True, 0),
)
DEFAULT_LOST_REASONS = ("Price", "Competitor", "No budget", "No decision", "Timing", "Other")


@dataclass(frozen=True)
class DealContactIn:
    contact: Contact
    role: str = ContactRole.USER
    is_primary: bool = False


def money(value: Any, field: str) -> Decimal:
    """A non-negative Decimal with two places; floats are refused (never money)."""
    if isinstance(value, (float, bool)):
        raise ValidationFailed(f"{field}: give money as a decimal string", field=field)
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationFailed(f"{field}: {value!r} is not a number", field=field) from exc
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(f"{field}: must be a number >= 0", field=field)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def default_pipeline() -> Pipeline:
    """The "New business" pipeline with its six stages, created on first use."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is not None:
        return pipeline
    pipeline, _ = Pipeline.objects.get_or_create(
        name=DEFAULT_PIPELINE, defaults={"is_default": True}
    )
    for order, (name, p, category, won, lost, stall) in enumerate(DEFAULT_STAGES, start=1):
        PipelineStage.objects.get_or_create(pipeline=pipeline, name=name, defaults={
            "order": order, "probability": Decimal(p), "forecast_category": category,
            "is_won": won, "is_lost": lost, "stall_days": stall,
        })
    for reason in DEFAULT_LOST_REASONS:
        LostReason.objects.get_or_create(name=reason)
    return pipeline


def _won_stage(pipeline: Pipeline) -> PipelineStage:
    stage = pipeline.stages.filter(is_won=True).order_by("order").first()
    if stage is None:
        raise ValidationFailed(f"stage: pipeline {pipeline} has no won stage", field="stage")
    return stage


def _lost_stage(pipeline: Pipeline) -> PipelineStage:
    stage = pipeline.stages.filter(is_lost=True).order_by("order").first()
    if stage is None:
        raise ValidationFailed(f"stage: pipeline {pipeline} has no lost stage", field="stage")
    return stage


def _first_open_stage(pipeline: Pipeline) -> PipelineStage:
    stage = pipeline.stages.filter(is_won=False, is_lost=False).order_by("order").first()
    if stage is None:
        raise ValidationFailed(f"stage: pipeline {pipeline} has no open stage", field="stage")
    return stage


def _status_of(stage: PipelineStage) -> str:
    if stage.is_won:
        return DealStatus.WON
    return DealStatus.LOST if stage.is_lost else DealStatus.OPEN


def _enter_stage(
    deal: Deal, stage: PipelineStage, actor: Any, at: dt.datetime
) -> DealStageChange:
    """Move `deal` to `stage` (already checked), writing the history row."""
    if at < deal.stage_entered_at:
        raise ValidationFailed("at: before the deal's last stage change", field="at")
    change = DealStageChange.objects.create(
        deal=deal, from_stage=deal.stage, to_stage=stage, at=at, actor=_user_or_none(actor),
        expected_close_date=deal.expected_close_date, amount=deal.amount,
    )
    deal.stage = stage
    deal.status = _status_of(stage)
    deal.stage_entered_at = at
    deal.closed_at = at if stage.is_closed else None
    if deal.status != DealStatus.LOST:
        deal.lost_reason, deal.lost_note = None, ""
    deal.save()
    publish_deal_stage_changed(deal, change)
    return change


def _user_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _advance_contacts(
    contacts: Iterable[Contact], to_stage: str, actor: Any, at: dt.datetime, why: str
) -> None:
    """Move contacts forward to `to_stage`; those already there or past it stay."""
    for contact in contacts:
        if stage_rank(funnel_position(contact)) >= stage_rank(to_stage):
            continue
        contact_transition(
            contact=contact, to_stage=to_stage, cause=Cause.PIPELINE,
            actor=actor, reason=why, at=max(at, _last_move(contact)),
        )


def _last_move(contact: Contact) -> dt.datetime:
    last = contact.stage_changes.order_by("-at").values_list("at", flat=True).first()
    return last or dt.datetime.min.replace(tzinfo=dt.UTC)


def _deal_contacts(deal: Deal) -> list[Contact]:
    return list(Contact.objects.filter(deal_links__deal=deal).order_by("id"))


def _follow_deal(deal: Deal, actor: Any, at: dt.datetime) -> None:
    """Contacts follow the deal: open -> opportunity, won -> customer."""
    if deal.status == DealStatus.OPEN:
        _advance_contacts(_deal_contacts(deal), Stage.OPPORTUNITY, actor, at,
                          f"Deal opened: {deal.name}")
    elif deal.status == DealStatus.WON:
        _advance_contacts(_deal_contacts(deal), Stage.CUSTOMER, actor, at,
                          f"Deal won: {deal.name}")


def _check_choice(field: str, value: str, allowed: list[str]) -> None:
    if value not in allowed:
        raise ValidationFailed(f"{field}: {value!r} is not one of {', '.join(allowed)}",
                               field=field)


def _check_deal_fields(fields: dict[str, Any]) -> dict[str, Any]:
    allowed = {"name", "company", "owner", "amount", "expected_close_date", "type",
               "source_campaign", "forecast_category_override"}
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a deal field", field=unknown[0])
    cleaned = dict(fields)
    if "name" in cleaned and not (cleaned["name"] or "").strip():
        raise ValidationFailed("name: a deal needs a name", field="name")
    if "amount" in cleaned:
        cleaned["amount"] = money(cleaned["amount"], "amount")
    if "type" in cleaned:
        _check_choice("type", cleaned["type"], DealType.values)
    override = cleaned.get("forecast_category_override") or ""
    if override:
        _check_choice("forecast_category_override", override, ForecastCategory.values)
    for text in ("source_campaign", "forecast_category_override"):
        if text in cleaned and cleaned[text] is None:
            cleaned[text] = ""
    return cleaned


def _primary_campaign(contacts: list[DealContactIn]) -> str:
    primary = next((c for c in contacts if c.is_primary), contacts[0] if contacts else None)
    return primary.contact.original_campaign if primary else ""


def _check_contacts(contacts: list[DealContactIn]) -> None:
    if sum(1 for c in contacts if c.is_primary) > 1:
        raise ValidationFailed("contacts: only one primary contact", field="contacts")
    if len({c.contact.pk for c in contacts}) != len(contacts):
        raise ValidationFailed("contacts: a contact is listed twice", field="contacts")
    for c in contacts:
        _check_choice("role", c.role, ContactRole.values)


def _resolve_stage(stage: PipelineStage | None) -> PipelineStage:
    return stage or _first_open_stage(default_pipeline())


@transaction.atomic
def deal_create(
    *, actor: Any, name: str, owner: Any, expected_close_date: dt.date,
    stage: PipelineStage | None = None, contacts: list[DealContactIn] | None = None,
    at: dt.datetime | None = None, **fields: Any,
) -> Deal:
    """Open a deal in `stage` (default: the default pipeline's first stage)."""
    contacts = list(contacts or [])
    _check_contacts(contacts)
    cleaned = _check_deal_fields({"name": name, **fields})
    if not cleaned.get("source_campaign"):
        cleaned["source_campaign"] = _primary_campaign(contacts)
    at = at or timezone.now()
    stage = _resolve_stage(stage)
    if stage.is_closed:
        raise ValidationFailed("stage: a deal opens in an open stage", field="stage")
    deal = Deal.objects.create(
        owner=owner, expected_close_date=expected_close_date, stage=stage,
        stage_entered_at=at, created_at=at, **cleaned,
    )
    DealStageChange.objects.create(
        deal=deal, from_stage=None, to_stage=stage, at=at, actor=_user_or_none(actor),
        expected_close_date=expected_close_date, amount=deal.amount,
    )
    for c in contacts:
        DealContact.objects.create(deal=deal, contact=c.contact, role=c.role,
                                   is_primary=c.is_primary)
    _follow_deal(deal, actor, at)
    publish_deal_created(deal)
    return deal


@transaction.atomic
def deal_update(*, deal: Deal, actor: Any, **fields: Any) -> Deal:
    """Change a deal's fields (not its stage: that is deal_move_stage and friends)."""
    cleaned = _check_deal_fields(fields)
    if "amount" in cleaned and deal.line_items.exists():
        raise ValidationFailed(
            "amount: the deal has line items; its amount is their sum", field="amount"
        )
    for key, value in cleaned.items():
        setattr(deal, key, value)
    deal.save()
    return deal


@transaction.atomic
def deal_delete(*, deal: Deal, actor: Any) -> None:
    """Delete a deal with its line items, contact links and stage history. Its
    activities stay on their contact or company (a deal-only one moves to the deal's
    company; with no company it goes too); contacts keep their lifecycle stage."""
    linked = Activity.objects.filter(deal=deal)
    if deal.company_id is not None:
        linked.filter(contact__isnull=True, company__isnull=True).update(
            company_id=deal.company_id)
    linked.filter(Q(contact__isnull=False) | Q(company__isnull=False)).update(deal=None)
    deal.delete()


@transaction.atomic
def deal_contact_add(
    *, deal: Deal, actor: Any, contact: Contact, role: str = ContactRole.USER,
    is_primary: bool = False, at: dt.datetime | None = None,
) -> DealContact:
    _check_choice("role", role, ContactRole.values)
    if deal.deal_contacts.filter(contact=contact).exists():
        raise ValidationFailed("contact_id: already on this deal", field="contact_id")
    if is_primary:
        deal.deal_contacts.update(is_primary=False)
    link = DealContact.objects.create(deal=deal, contact=contact, role=role,
                                      is_primary=is_primary)
    _follow_deal(deal, actor, at or timezone.now())
    return link


@transaction.atomic
def deal_contact_remove(*, deal: Deal, actor: Any, contact_id: int) -> None:
    """Take a contact off a deal (the contact keeps its lifecycle stage and history);
    a primary contact leaves the deal without one."""
    removed, _ = deal.deal_contacts.filter(contact_id=contact_id).delete()
    if not removed:
        raise NotFound(f"contact_id: contact {contact_id} is not on this deal",
                       field="contact_id")


def _lock(deal: Deal) -> Deal:
    return Deal.objects.select_for_update().select_related("stage__pipeline").get(pk=deal.pk)


def _check_same_pipeline(deal: Deal, stage: PipelineStage) -> None:
    if stage.pipeline_id != deal.stage.pipeline_id:
        raise ValidationFailed("stage: not a stage of the deal's pipeline", field="stage")


@transaction.atomic
def deal_move_stage(
    *, deal: Deal, actor: Any, stage: PipelineStage, at: dt.datetime | None = None,
    lost_reason: LostReason | None = None, lost_note: str = "",
) -> Deal:
    """Move to any stage of the pipeline: a won stage wins, a lost one loses (with
    a reason), an open stage of a closed deal reopens it. The same stage is a no-op."""
    deal = _lock(deal)
    _check_same_pipeline(deal, stage)
    if stage.pk == deal.stage_id:
        return deal
    if stage.is_won:
        return deal_win(deal=deal, actor=actor, at=at, stage=stage)
    if stage.is_lost:
        if lost_reason is None:
            raise ValidationFailed("lost_reason: a lost deal needs a reason", field="lost_reason")
        return deal_lose(deal=deal, actor=actor, reason=lost_reason, note=lost_note, at=at,
                         stage=stage)
    if deal.status != DealStatus.OPEN:
        return deal_reopen(deal=deal, actor=actor, stage=stage, at=at)
    _enter_stage(deal, stage, actor, at or timezone.now())
    return deal


@transaction.atomic
def deal_win(
    *, deal: Deal, actor: Any, at: dt.datetime | None = None,
    stage: PipelineStage | None = None,
) -> Deal:
    """Close as won; its contacts become customers. Winning a won deal does nothing."""
    deal = _lock(deal)
    if deal.status == DealStatus.WON:
        return deal
    stage = stage or _won_stage(deal.stage.pipeline)
    _check_same_pipeline(deal, stage)
    at = at or timezone.now()
    _enter_stage(deal, stage, actor, at)
    _follow_deal(deal, actor, at)
    return deal


@transaction.atomic
def deal_lose(
    *, deal: Deal, actor: Any, reason: LostReason, note: str = "",
    at: dt.datetime | None = None, stage: PipelineStage | None = None,
) -> Deal:
    """Close as lost with a reason from the managed list; contacts stay as they are."""
    deal = _lock(deal)
    if deal.status == DealStatus.LOST:
        raise ValidationFailed("status: the deal is already lost", field="status")
    if not reason.active:
        raise ValidationFailed("lost_reason: that reason is retired", field="lost_reason")
    stage = stage or _lost_stage(deal.stage.pipeline)
    _check_same_pipeline(deal, stage)
    change = _enter_stage(deal, stage, actor, at or timezone.now())
    deal.lost_reason, deal.lost_note = reason, note.strip()[:1000]
    deal.save(update_fields=["lost_reason", "lost_note", "updated_at"])
    publish_deal_lost(deal, change)
    return deal


def _stage_before_close(deal: Deal) -> PipelineStage:
    change = deal.stage_changes.filter(to_stage=deal.stage).order_by("-at", "-id").first()
    previous = change.from_stage if change else None
    if previous is None or previous.is_closed:
        return _first_open_stage(deal.stage.pipeline)
    return previous


@transaction.atomic
def deal_reopen(
    *, deal: Deal, actor: Any, stage: PipelineStage | None = None,
    at: dt.datetime | None = None,
) -> Deal:
    """Reopen a won or lost deal (default: in the stage it closed from). Recorded as a
    stage change; its closed_at is cleared so a later win is counted once."""
    deal = _lock(deal)
    if deal.status == DealStatus.OPEN:
        raise ValidationFailed("status: the deal is open already", field="status")
    stage = stage or _stage_before_close(deal)
    _check_same_pipeline(deal, stage)
    if stage.is_closed:
        raise ValidationFailed("stage: reopen into an open stage", field="stage")
    at = at or timezone.now()
    _enter_stage(deal, stage, actor, at)
    _follow_deal(deal, actor, at)
    return deal


def line_amount(quantity: int, unit_price: Decimal, discount_percent: Decimal) -> Decimal:
    gross = Decimal(quantity) * unit_price
    net = gross * (Decimal(100) - discount_percent) / Decimal(100)
    return net.quantize(CENT, rounding=ROUND_HALF_UP)


def _recompute_amount(deal: Deal) -> None:
    total = deal.line_items.aggregate(total=Sum("amount"))["total"]
    if total is not None:
        Deal.objects.filter(pk=deal.pk).update(amount=total, updated_at=timezone.now())
        deal.amount = total


def _check_line(quantity: int, discount_percent: Any) -> Decimal:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed("quantity: a whole number >= 1", field="quantity")
    discount = money(discount_percent, "discount_percent")
    if discount > 100:
        raise ValidationFailed("discount_percent: at most 100", field="discount_percent")
    return discount


@transaction.atomic
def line_item_add(
    *, deal: Deal, actor: Any, product: Product, quantity: int = 1,
    unit_price: Any = None, discount_percent: Any = "0",
) -> LineItem:
    """Add a product to the deal (price defaults to its list price); the deal's
    amount becomes the sum of its lines."""
    if not product.active:
        raise ValidationFailed("product_id: that product is not sold any more", field="product_id")
    discount = _check_line(quantity, discount_percent)
    price = product.list_price if unit_price is None else money(unit_price, "unit_price")
    line = LineItem.objects.create(
        deal=deal, product=product, quantity=quantity, unit_price=price,
        discount_percent=discount, amount=line_amount(quantity, price, discount),
    )
    _recompute_amount(deal)
    return line


@transaction.atomic
def line_item_update(
    *, line: LineItem, actor: Any, quantity: int | None = None, unit_price: Any = None,
    discount_percent: Any = None,
) -> LineItem:
    quantity = line.quantity if quantity is None else quantity
    discount = _check_line(
        quantity, line.discount_percent if discount_percent is None else discount_percent
    )
    line.quantity, line.discount_percent = quantity, discount
    if unit_price is not None:
        line.unit_price = money(unit_price, "unit_price")
    line.amount = line_amount(line.quantity, line.unit_price, line.discount_percent)
    line.save()
    _recompute_amount(line.deal)
    return line


@transaction.atomic
def line_item_remove(*, line: LineItem, actor: Any) -> None:
    """Remove a line; the amount is the sum of those left (unchanged when none are)."""
    deal = line.deal
    line.delete()
    _recompute_amount(deal)


@transaction.atomic
def product_create(
    *, actor: Any, name: str, list_price: Any, family: str = "", active: bool = True
) -> Product:
    if not name.strip():
        raise ValidationFailed("name: a product needs a name", field="name")
    if Product.objects.filter(name=name.strip()).exists():
        raise ValidationFailed(f"name: {name!r} already exists", field="name")
    return Product.objects.create(
        name=name.strip(), family=family.strip(), list_price=money(list_price, "list_price"),
        active=active,
    )


@transaction.atomic
def product_update(*, product: Product, actor: Any, **fields: Any) -> Product:
    unknown = sorted(set(fields) - {"name", "family", "list_price", "active"})
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not a product field", field=unknown[0])
    if "list_price" in fields:
        fields["list_price"] = money(fields["list_price"], "list_price")
    name = (fields.get("name") or product.name).strip()
    if Product.objects.filter(name=name).exclude(pk=product.pk).exists():
        raise ValidationFailed(f"name: {name!r} already exists", field="name")
    for key, value in fields.items():
        setattr(product, key, value if value is not None else "")
    product.save()
    return product


@transaction.atomic
def product_delete(*, product: Product, actor: Any) -> None:
    """Delete a product no line item uses; a used one is retired with active=false."""
    if product.line_items.exists():
        raise Conflict("line_items: deals' line items use this product; set active to false "
                       "to retire it", field="line_items")
    product.delete()


def _check_activity_links(contact: Any, company: Any, deal: Any) -> None:
    if contact is None and company is None and deal is None:
        raise ValidationFailed(
            "contact_id: link the activity to a contact, company or deal", field="contact_id"
        )


@transaction.atomic
def activity_log(
    *, actor: Any, kind: str, subject: str, body: str = "", outcome: str = "",
    at: dt.datetime | None = None, due_at: dt.datetime | None = None,
    done_at: dt.datetime | None = None, contact: Contact | None = None,
    company: Company | None = None, deal: Deal | None = None,
) -> Activity:
    """Log a call, email, meeting, demo or note (done when logged), or a task (due)."""
    _check_choice("kind", kind, ActivityKind.values)
    if not subject.strip():
        raise ValidationFailed("subject: an activity needs a subject", field="subject")
    _check_activity_links(contact, company, deal)
    if kind == ActivityKind.TASK and due_at is None:
        raise ValidationFailed("due_at: a task needs a due date", field="due_at")
    at = at or timezone.now()
    if kind != ActivityKind.TASK and done_at is None:
        done_at = at
    if company is None and contact is not None:
        company = contact.company
    return Activity.objects.create(
        kind=kind, subject=subject.strip()[:200], body=body, outcome=outcome[:200], at=at,
        due_at=due_at, done_at=done_at, owner=actor, contact=contact, company=company,
        deal=deal,
    )


ACTIVITY_EDITABLE = {"subject", "body", "outcome", "at", "due_at"}


def _activity_value(key: str, value: Any) -> Any:
    if key in ("subject", "outcome"):
        return (value or "").strip()[:200]
    return "" if key == "body" and value is None else value


@transaction.atomic
def activity_update(*, activity: Activity, actor: Any, **fields: Any) -> Activity:
    """Change what was logged (subject, body, outcome, at, due_at); a task keeps a due date."""
    unknown = sorted(set(fields) - ACTIVITY_EDITABLE)
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: not an editable activity field", field=unknown[0])
    if "subject" in fields and not (fields["subject"] or "").strip():
        raise ValidationFailed("subject: an activity needs a subject", field="subject")
    if "at" in fields and fields["at"] is None:
        raise ValidationFailed("at: an activity needs a time", field="at")
    if activity.kind == ActivityKind.TASK and "due_at" in fields and fields["due_at"] is None:
        raise ValidationFailed("due_at: a task needs a due date", field="due_at")
    for key, value in fields.items():
        setattr(activity, key, _activity_value(key, value))
    activity.save(update_fields=sorted(fields))
    return activity


def activity_delete(*, activity: Activity, actor: Any) -> None:
    """Delete a logged activity or task (follow-ups are derived from activities)."""
    activity.delete()


@transaction.atomic
def task_complete(
    *, activity: Activity, actor: Any, outcome: str = "", at: dt.datetime | None = None
) -> Activity:
    """Mark a task done (again is a no-op)."""
    if activity.done_at is not None:
        return activity
    activity.done_at = at or timezone.now()
    if outcome:
        activity.outcome = outcome[:200]
    activity.save(update_fields=["done_at", "outcome"])
    return activity


def period_start_ok(period: str, start: dt.date) -> bool:
    if start.day != 1:
        return False
    return period == QuotaPeriod.MONTH or start.month in (1, 4, 7, 10)


def quota_end(period: str, start: dt.date) -> dt.date:
    return add_months(start, 1 if period == QuotaPeriod.MONTH else 3)


def _check_no_mixed_quota(owner: Any, period: str, start: dt.date) -> None:
    """A rep's quota covers a span once: a month inside a quarter quota (or the
    reverse) would be counted twice."""
    end = quota_end(period, start)
    other = QuotaPeriod.QUARTER if period == QuotaPeriod.MONTH else QuotaPeriod.MONTH
    for quota in Quota.objects.filter(owner=owner, period=other):
        if quota.start < end and start < quota_end(quota.period, quota.start):
            raise ValidationFailed(
                f"period: {owner} already has a {other} quota from {quota.start} "
                "covering this span", field="period",
            )


@transaction.atomic
def quota_set(*, actor: Any, owner: Any, period: str, start: dt.date, amount: Any) -> Quota:
    """Set (or change) `owner`'s quota for the month or quarter starting at `start`."""
    _check_choice("period", period, QuotaPeriod.values)
    if not period_start_ok(period, start):
        raise ValidationFailed(f"start: not the first day of a {period}", field="start")
    _check_no_mixed_quota(owner, period, start)
    quota, _ = Quota.objects.update_or_create(
        owner=owner, period=period, start=start, defaults={"amount": money(amount, "amount")}
    )
    return quota


@transaction.atomic
def quota_update(*, quota: Quota, actor: Any, amount: Any) -> Quota:
    """Change a quota's amount (its owner, period and start identify it: set a new one)."""
    quota.amount = money(amount, "amount")
    quota.save(update_fields=["amount", "updated_at"])
    return quota


def quota_delete(*, quota: Quota, actor: Any) -> None:
    quota.delete()


@transaction.atomic
def suggested_deal_create(
    *, actor: Any, company: Company, product: Product, deal_type: str, owner: Any,
    expected_close_date: dt.date | None = None,
) -> Deal:
    """One click on a suggestion: an upsell / cross-sell deal for a customer with the
    product as its line, the primary contact of its latest won deal on it."""
    if deal_type not in (DealType.UPSELL, DealType.CROSS_SELL):
        raise ValidationFailed("type: an upsell or a cross-sell", field="type")
    latest = (DealContact.objects.filter(deal__company=company, deal__status=DealStatus.WON,
                                         is_primary=True)
              .select_related("contact").order_by("-deal__closed_at").first())
    contacts = [DealContactIn(contact=latest.contact, role=latest.role, is_primary=True)] \
        if latest else []
    deal = deal_create(
        actor=actor, name=f"{company.name} – {product.name}", owner=owner, company=company,
        expected_close_date=expected_close_date or timezone.localdate() + dt.timedelta(30),
        type=deal_type, contacts=contacts,
    )
    line_item_add(deal=deal, actor=actor, product=product)
    deal.refresh_from_db()
    return deal

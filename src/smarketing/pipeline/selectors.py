"""Reads for deals, activities, quotas and the board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from smarketing.core.errors import ValidationFailed
from smarketing.core.models import Profile
from smarketing.core.ordering import both_ways, check_sort, in_range, matching
from smarketing.core.timeline import TimelineItem
from smarketing.pipeline.models import (
    Activity,
    ActivityKind,
    Deal,
    DealStageChange,
    DealStatus,
    LineItem,
    LostReason,
    Pipeline,
    PipelineStage,
    Product,
    Quota,
    QuotaPeriod,
)

ZERO = Decimal("0.00")
PER_COLUMN = 25  # cards a board column shows at first and per "Load more"


def stalled_condition(now: dt.datetime) -> Q:
    """Open deals longer in their stage than the stage's limit (compared in Python
    per stage, since databases differ in interval arithmetic)."""
    condition = Q(pk__in=[])
    for stage in PipelineStage.objects.filter(stall_days__gt=0):
        condition |= Q(stage=stage, stage_entered_at__lt=now - dt.timedelta(days=stage.stall_days))
    return condition & Q(status=DealStatus.OPEN)


def deal_is_stalled(deal: Deal, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    limit = deal.stage.stall_days
    return (
        deal.status == DealStatus.OPEN and limit > 0
        and now - deal.stage_entered_at > dt.timedelta(days=limit)
    )


def with_stalled(qs: QuerySet[Deal], now: dt.datetime | None = None) -> QuerySet[Deal]:
    condition = stalled_condition(now or timezone.now())
    return qs.annotate(
        stalled=Case(When(condition, then=Value(True)), default=Value(False),
                     output_field=BooleanField())
    )


@dataclass
class DealFilters:
    owner_id: int | None = None
    team_id: int | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None  # exclusive
    status: str = ""
    q: str = ""
    stage_id: int | None = None
    pipeline_id: int | None = None
    company_id: int | None = None
    sort: str = "close_date"


# the deal list's `sort` values and their ORDER BY (id last: a stable page order)
DEAL_SORTS: dict[str, tuple[Any, ...]] = {
    f"{sign}{name}": tuple(f"{sign}{column}" for column in columns)
    for name, columns in (
        ("close_date", ("expected_close_date", "id")), ("amount", ("amount", "id")),
        ("created_at", ("created_at", "id")), ("updated_at", ("updated_at", "id")),
        ("name", ("name", "id")), ("stage", ("stage__pipeline_id", "stage__order", "id")),
    )
    for sign in ("", "-")
}
# open deals (no closed_at) last either way, on SQLite as on PostgreSQL
DEAL_SORTS["closed_at"] = (F("closed_at").asc(nulls_last=True), "id")
DEAL_SORTS["-closed_at"] = (F("closed_at").desc(nulls_last=True), "-id")


def owner_ids_of_team(team_id: int) -> QuerySet[Any]:
    return Profile.objects.filter(team_id=team_id).values("user_id")


def deal_list(filters: DealFilters) -> QuerySet[Deal]:
    order = check_sort(filters.sort, DEAL_SORTS)
    qs = Deal.objects.select_related("stage", "owner", "company")
    if filters.status:
        if filters.status not in DealStatus.values:
            raise ValidationFailed(f"status: {filters.status!r} is not a status", field="status")
        qs = qs.filter(status=filters.status)
    if filters.owner_id is not None:
        qs = qs.filter(owner_id=filters.owner_id)
    if filters.team_id is not None:
        qs = qs.filter(owner_id__in=owner_ids_of_team(filters.team_id))
    if filters.close_from is not None:
        qs = qs.filter(expected_close_date__gte=filters.close_from)
    if filters.close_to is not None:
        qs = qs.filter(expected_close_date__lt=filters.close_to)
    if filters.q.strip():
        qs = qs.filter(name__icontains=filters.q.strip())
    return _deal_refs(qs, filters).order_by(*order)


def _deal_refs(qs: QuerySet[Deal], filters: DealFilters) -> QuerySet[Deal]:
    for name, value in (("stage_id", filters.stage_id), ("company_id", filters.company_id),
                        ("stage__pipeline_id", filters.pipeline_id)):
        if value is not None:
            qs = qs.filter(**{name: value})
    return qs


@dataclass
class BoardColumn:
    stage: PipelineStage
    deals: list[Deal]
    count: int
    total: Decimal
    weighted: Decimal
    targets: list[PipelineStage] = field(default_factory=list)  # the card menu's moves


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn] = field(default_factory=list)


def _column_totals(qs: QuerySet[Deal]) -> dict[int, dict[str, Any]]:
    """Count and amount total per stage in one aggregate over the deal rows alone (a
    covering index scan unfiltered); weighted = total × the stage's probability, which
    is Σ amount × probability exactly, since the probability is the stage's."""
    rows = qs.order_by().values("stage_id").annotate(n=Count("id"), total=Sum("amount"))
    return {row["stage_id"]: dict(row) for row in rows}


def column_cards(
    pipeline: Pipeline, stage: PipelineStage, filters: DealFilters, *, offset: int = 0,
    limit: int = PER_COLUMN, now: dt.datetime | None = None,
) -> list[Deal]:
    """One column's cards by close date (an index range on stage, close date, id)."""
    return list(_cards(pipeline, filters, now).filter(stage=stage)[offset:offset + limit])


def _cards(pipeline: Pipeline, filters: DealFilters, now: dt.datetime | None) -> QuerySet[Deal]:
    """The board's deals (callers narrow to one stage of `pipeline`)."""
    return with_stalled(deal_list(filters), now)


def board(
    pipeline: Pipeline, filters: DealFilters, *, per_column: int = PER_COLUMN,
    now: dt.datetime | None = None,
) -> Board:
    """Columns of the pipeline's stages: the first `per_column` deals (by close date)
    and totals over all the filtered deals of the stage (one aggregate query)."""
    stages = list(pipeline.stages.order_by("order"))
    totals = _column_totals(deal_list(filters).filter(stage_id__in=[s.pk for s in stages]))
    cards = _cards(pipeline, filters, now)
    result = Board(pipeline=pipeline)
    for stage in stages:
        row = totals.get(stage.pk, {})
        result.columns.append(BoardColumn(
            stage=stage, deals=list(cards.filter(stage=stage)[:per_column]) if row else [],
            count=row.get("n", 0), total=row.get("total") or ZERO,
            weighted=_cents((row.get("total") or ZERO) * stage.probability),
            targets=move_targets(stages, stage),
        ))
    return result


def move_targets(stages: list[PipelineStage], stage: PipelineStage) -> list[PipelineStage]:
    """The stages a card's menu offers (lost needs a reason: by drag only)."""
    return [s for s in stages if s.pk != stage.pk and not s.is_lost]


def _cents(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


PIPELINE_SORTS = {
    "-is_default": ("-is_default", "name", "id"),  # the default pipeline first, then by name
    "name": ("name", "id"), "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"), "-created_at": ("-created_at", "-id"),
}
LOST_REASON_SORTS = {
    "name": ("name", "id"), "-name": ("-name", "-id"),
    "created_at": ("created_at", "id"), "-created_at": ("-created_at", "-id"),
}


def pipeline_list(
    *, q: str = "", is_default: bool | None = None, sort: str = "-is_default"
) -> QuerySet[Pipeline]:
    """Pipelines whose name contains `q` (any case), the default one or the others,
    with their stages (in order)."""
    qs = Pipeline.objects.prefetch_related("stages").order_by(*check_sort(sort, PIPELINE_SORTS))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return qs if is_default is None else qs.filter(is_default=is_default)


def lost_reason_list(
    *, q: str = "", active: bool | None = None, sort: str = "name"
) -> QuerySet[LostReason]:
    """Lost reasons whose name contains `q` (any case), offered (`active`) or retired."""
    qs = LostReason.objects.order_by(*check_sort(sort, LOST_REASON_SORTS))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return qs if active is None else qs.filter(active=active)


HISTORY_SORTS = both_ways("at")
LINE_ITEM_SORTS = both_ways("id", "amount", "quantity")  # `id`: the order they were added


def deal_history(
    deal: Deal, *, to_stage_id: int | None = None, start: dt.datetime | None = None,
    end: dt.datetime | None = None, sort: str = "at",
) -> QuerySet[DealStageChange]:
    """The deal's stage moves (oldest first by default): into one stage, `at` in
    [start, end)."""
    qs = deal.stage_changes.select_related("from_stage", "to_stage", "actor")
    qs = matching(qs.order_by(*check_sort(sort, HISTORY_SORTS)), to_stage_id=to_stage_id)
    return in_range(qs, "at", start, end)


def line_item_list(
    deal: Deal, *, product_id: int | None = None, sort: str = "id"
) -> QuerySet[LineItem]:
    """The deal's line items (in the order added by default), of one product."""
    qs = deal.line_items.select_related("product").order_by(*check_sort(sort, LINE_ITEM_SORTS))
    return matching(qs, product_id=product_id)


def open_tasks(owner_id: int, *, limit: int | None = 50) -> QuerySet[Activity]:
    """The owner's open tasks by due date (the first `limit`; None: all)."""
    qs = (
        Activity.objects.filter(owner_id=owner_id, kind=ActivityKind.TASK, done_at__isnull=True)
        .select_related("contact", "deal", "company").order_by("due_at", "id")
    )
    return qs[:limit] if limit is not None else qs


ACTIVITY_SORTS: dict[str, tuple[Any, ...]] = {
    "-at": ("-at", "-id"), "at": ("at", "id"),
    "-created_at": ("-created_at", "-id"), "created_at": ("created_at", "id"),
    # activities without a due date (not tasks) last either way
    "due_at": (F("due_at").asc(nulls_last=True), "id"),
    "-due_at": (F("due_at").desc(nulls_last=True), "-id"),
}


def activity_list(
    *, contact_id: int | None = None, company_id: int | None = None,
    deal_id: int | None = None, owner_id: int | None = None, kind: str = "",
    done: bool | None = None, sort: str = "-at",
) -> QuerySet[Activity]:
    """Filtered activities; `done` keeps the tasks done (true) or still open (false)."""
    order = check_sort(sort, ACTIVITY_SORTS)
    qs = Activity.objects.select_related("owner")
    for name, value in (("contact_id", contact_id), ("company_id", company_id),
                        ("deal_id", deal_id), ("owner_id", owner_id)):
        if value is not None:
            qs = qs.filter(**{name: value})
    if kind:
        if kind not in ActivityKind.values:
            raise ValidationFailed(f"kind: {kind!r} is not an activity kind", field="kind")
        qs = qs.filter(kind=kind)
    if done is not None:
        qs = qs.filter(kind=ActivityKind.TASK, done_at__isnull=not done)
    return qs.order_by(*order)


PRODUCT_SORTS = {
    "family": ("family", "name", "id"), "name": ("name", "id"), "-name": ("-name", "-id"),
    "list_price": ("list_price", "id"), "-list_price": ("-list_price", "-id"),
}


def product_list(
    *, q: str = "", family: str | None = None, active: bool | None = None,
    sort: str = "family",
) -> QuerySet[Product]:
    """The catalogue: name containing `q` (any case), one `family`, active or not."""
    qs = Product.objects.order_by(*check_sort(sort, PRODUCT_SORTS))
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    if family is not None:
        qs = qs.filter(family=family)
    return qs if active is None else qs.filter(active=active)


QUOTA_SORTS = {
    "start": ("start", "owner__username", "id"), "-start": ("-start", "owner__username", "id"),
    **both_ways("amount"),
}


def quota_list(
    *, owner_id: int | None = None, year: int | None = None, period: str = "",
    sort: str = "start",
) -> QuerySet[Quota]:
    """Quotas by start then owner (default) or amount, of one owner, year, period."""
    qs = Quota.objects.select_related("owner").order_by(*check_sort(sort, QUOTA_SORTS))
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if year is not None:
        qs = qs.filter(start__year=year)
    if period:
        if period not in QuotaPeriod.values:
            raise ValidationFailed(f"period: use one of {', '.join(QuotaPeriod.values)}",
                                   field="period")
        qs = qs.filter(period=period)
    return qs


def _actor_name(user: Any) -> str:
    return (user.get_full_name() or user.username) if user else ""


def activities_for_timeline(
    contact_id: int, before: dt.datetime | None, limit: int
) -> list[TimelineItem]:
    """Timeline provider: the contact's activities, newest first."""
    qs = Activity.objects.filter(contact_id=contact_id).select_related("owner")
    if before is not None:
        qs = qs.filter(at__lt=before)
    return [activity_item(a) for a in qs.order_by("-at", "-id")[:limit]]


def activity_item(activity: Activity) -> TimelineItem:
    detail = " · ".join(part for part in (activity.outcome, activity.body[:300]) if part)
    return TimelineItem(
        at=activity.at, kind="activity",
        title=f"{activity.get_kind_display()}: {activity.subject}", detail=detail,
        actor=_actor_name(activity.owner),
        url=f"/deals/{activity.deal_id}/" if activity.deal_id else "",
        data={"activity_kind": activity.kind, "deal_id": activity.deal_id,
              "due_at": activity.due_at.isoformat() if activity.due_at else None,
              "done": activity.done_at is not None},
    )


def deal_changes_for_timeline(
    contact_id: int, before: dt.datetime | None, limit: int
) -> list[TimelineItem]:
    """Timeline provider: stage moves of the deals the contact is on, newest first."""
    qs = DealStageChange.objects.filter(deal__deal_contacts__contact_id=contact_id)
    if before is not None:
        qs = qs.filter(at__lt=before)
    qs = qs.select_related("deal", "from_stage", "to_stage", "actor").order_by("-at", "-id")
    return [deal_change_item(change) for change in qs[:limit]]


def deal_change_item(change: DealStageChange) -> TimelineItem:
    moved = (f"{change.from_stage.name} → {change.to_stage.name}" if change.from_stage
             else f"opened in {change.to_stage.name}")
    return TimelineItem(
        at=change.at, kind="deal", title=f"Deal {change.deal.name}: {moved}",
        detail=f"{change.amount} · expected close {change.expected_close_date}",
        actor=_actor_name(change.actor), url=f"/deals/{change.deal_id}/",
        data={"deal_id": change.deal_id, "to_stage": change.to_stage.name,
              "amount": str(change.amount)},
    )


@dataclass
class CompanySales:
    """A company's pipeline at a glance (its page)."""

    deals: list[Deal]
    won_revenue: Decimal
    open_amount: Decimal
    first_won_at: dt.datetime | None
    owned: list[str]


def company_sales(company_id: int, *, limit: int = 50) -> CompanySales:
    """Its deals (open first, then by close date), won revenue, open pipeline, the
    first win (the company is a customer since), and the products it owns."""
    qs = Deal.objects.filter(company_id=company_id)
    totals = qs.aggregate(
        won=Sum("amount", filter=Q(status=DealStatus.WON)),
        open=Sum("amount", filter=Q(status=DealStatus.OPEN)),
        first_won=Min("closed_at", filter=Q(status=DealStatus.WON)),
    )
    deals = with_stalled(qs.select_related("stage", "owner")).annotate(
        closed_last=Case(When(status=DealStatus.OPEN, then=Value(0)), default=Value(1))
    ).order_by("closed_last", "expected_close_date", "id")[:limit]
    owned = (Product.objects.filter(line_items__deal__company_id=company_id,
                                    line_items__deal__status=DealStatus.WON)
             .order_by("family", "name").values_list("name", flat=True).distinct())
    return CompanySales(
        deals=list(deals), won_revenue=_cents(totals["won"]), open_amount=_cents(totals["open"]),
        first_won_at=totals["first_won"], owned=list(owned),
    )

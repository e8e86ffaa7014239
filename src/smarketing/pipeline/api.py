"""/api/v1/deals (+ line items, contacts, stage moves), /pipelines, /lost-reasons,
/products, /activities, /quotas, /forecast, /customers: thin handlers over services,
selectors, permissions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Query, Router, Status

from smarketing.core.errors import NotFound, PermissionDenied, ValidationFailed
from smarketing.core.export import queryset_csv
from smarketing.core.periods import Period, parse_period
from smarketing.core.schemas import PageQuery
from smarketing.people.models import Company, Contact
from smarketing.people.permissions import company_get_for_user
from smarketing.people.schemas import TimelineOut
from smarketing.pipeline import permissions as perms
from smarketing.pipeline import pipelines as setup
from smarketing.pipeline import services
from smarketing.pipeline.exports import (
    ACTIVITY_COLUMNS,
    CUSTOMER_COLUMNS,
    DEAL_COLUMNS,
    PRODUCT_COLUMNS,
    QUOTA_COLUMNS,
)
from smarketing.pipeline.forecast import DEFAULT_SEED, forecast
from smarketing.pipeline.models import (
    LineItem,
    LostReason,
    Pipeline,
    PipelineStage,
    Product,
    Quota,
)
from smarketing.pipeline.schemas import (
    AccuracyOut,
    ActivityIn,
    ActivityList,
    ActivityOut,
    ActivityPatch,
    CompleteIn,
    CustomerFilters,
    CustomerList,
    CustomerQuery,
    DealContactIn,
    DealContactOut,
    DealHistoryQuery,
    DealIn,
    DealList,
    DealOut,
    DealPatch,
    ForecastOut,
    LineItemIn,
    LineItemList,
    LineItemOut,
    LineItemPatch,
    LineItemQuery,
    LoseIn,
    LostReasonIn,
    LostReasonList,
    LostReasonPatch,
    LostReasonQuery,
    MoveIn,
    NamedOut,
    PipelineIn,
    PipelineList,
    PipelineOut,
    PipelinePatch,
    PipelineQuery,
    ProductIn,
    ProductList,
    ProductOut,
    ProductPatch,
    ProductQuery,
    QuotaIn,
    QuotaList,
    QuotaOut,
    QuotaPatch,
    QuotaQuery,
    ReopenIn,
    StageChangeList,
    StageIn,
    StageOrderIn,
    StageOut,
    StagePatch,
    SuggestedDealIn,
)
from smarketing.pipeline.selectors import (
    DealFilters,
    activity_list,
    deal_history,
    deal_list,
    line_item_list,
    lost_reason_list,
    owner_ids_of_team,
    pipeline_list,
    product_list,
    quota_list,
    with_stalled,
)
from smarketing.pipeline.snapshots import accuracy, snapshot_if_due
from smarketing.pipeline.timelines import company_timeline, deal_timeline
from smarketing.pipeline.upsell import (
    clv,
    customer_rows,
    customer_totals,
    customers,
    suggestion_owner,
)

deals_router = Router(tags=["deals"])
pipelines_router = Router(tags=["deals"])
products_router = Router(tags=["products"])
activities_router = Router(tags=["activities"])
quotas_router = Router(tags=["quotas"])
forecast_router = Router(tags=["forecast"])


class DealQuery(PageQuery):
    owner_id: int | None = None
    team_id: int | None = None
    status: str = ""
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    q: str = ""
    stage_id: int | None = None
    pipeline_id: int | None = None
    company_id: int | None = None
    sort: str = Field("close_date", description="close_date, amount, created_at, updated_at, "
                      "name, stage or closed_at; a leading - sorts descending")


def _get(model: Any, pk: int | None, field: str) -> Any:
    obj = model.objects.filter(pk=pk).first() if pk else None
    if obj is None:
        raise ValidationFailed(f"{field}: no {model._meta.verbose_name} {pk}", field=field)
    return obj


def _found(model: Any, pk: int) -> Any:
    """The object at a path id, or 404 naming `id`."""
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"{model._meta.verbose_name} {pk} not found", field="id")
    return obj


def _owner(user: Any, owner_id: int | None) -> Any:
    owner_id = owner_id or user.pk
    owner = get_user_model().objects.filter(pk=owner_id, is_active=True).first()
    if owner is None:
        raise ValidationFailed(f"owner_id: no active user {owner_id}", field="owner_id")
    if not perms.deal_can_own(user, owner.pk):
        raise PermissionDenied("owner_id: you may not give deals to that user", field="owner_id")
    return owner


def _refs(user: Any, data: dict[str, Any]) -> dict[str, Any]:
    if "owner_id" in data:
        data["owner"] = _owner(user, data.pop("owner_id"))
    if "company_id" in data:
        company_id = data.pop("company_id")
        data["company"] = _get(Company, company_id, "company_id") if company_id else None
    return data


def _deal_contacts(links: list[dict[str, Any]]) -> list[services.DealContactIn]:
    return [
        services.DealContactIn(contact=_get(Contact, link["contact_id"], "contact_id"),
                               role=link["role"], is_primary=link["is_primary"])
        for link in links
    ]


@pipelines_router.get("/pipelines", response=PipelineList,
                      summary="Pipelines and their stages (filters, `sort`, pages)")
def pipelines_list(request: HttpRequest, query: Query[PipelineQuery]) -> dict[str, Any]:
    services.default_pipeline()
    return query.page_of(pipeline_list(**query.filters()))


@pipelines_router.get("/lost-reasons", response=LostReasonList,
                      summary="Lost reasons (filters, `sort`, pages)")
def lost_reasons_list(request: HttpRequest, query: Query[LostReasonQuery]) -> dict[str, Any]:
    """By name; `active=true` only those offered for new lost deals, `false` the retired."""
    services.default_pipeline()
    return query.page_of(lost_reason_list(**query.filters()))


def _check_lost_reasons(user: Any) -> None:
    if not perms.lost_reason_can_change(user):
        raise PermissionDenied("only admins change lost reasons", field="name")


@pipelines_router.post("/lost-reasons", response={201: NamedOut},
                       summary="Add a lost reason (admins)")
def lost_reasons_create(request: HttpRequest, payload: LostReasonIn) -> Status:
    _check_lost_reasons(request.user)
    return Status(201, setup.lost_reason_save(actor=request.user, **payload.dict()))


@pipelines_router.patch("/lost-reasons/{reason_id}", response=NamedOut,
                        summary="Rename, retire (active: false) or bring back a lost reason")
def lost_reasons_patch(request: HttpRequest, reason_id: int, payload: LostReasonPatch) -> Any:
    _check_lost_reasons(request.user)
    reason = LostReason.objects.filter(pk=reason_id).first()
    if reason is None:
        raise NotFound(f"lost reason {reason_id} not found", field="reason_id")
    return setup.lost_reason_save(actor=request.user, reason=reason,
                                  **payload.dict(exclude_unset=True))


def _lost_reason(pk: int | None) -> LostReason:
    """A lost reason offered for new lost deals (a retired one is refused)."""
    reason: LostReason = _get(LostReason, pk, "lost_reason_id")
    if not reason.active:
        raise ValidationFailed(f"lost_reason_id: {reason.name!r} is retired",
                               field="lost_reason_id")
    return reason


@deals_router.get("", response=DealList,
                  summary="List deals (filters, `sort`)")
def deals_list(request: HttpRequest, filters: Query[DealQuery]) -> dict[str, Any]:
    qs = with_stalled(deal_list(DealFilters(**filters.filters())).prefetch_related("deal_contacts"))
    return filters.page_of(qs.select_related("stage", "lost_reason"))


@deals_router.get("/export.csv", summary="The deals matching the list's filters, as CSV")
def deals_export(request: HttpRequest, filters: Query[DealQuery]) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    qs = deal_list(DealFilters(**filters.filters()))
    return queryset_csv("deals.csv", qs, DEAL_COLUMNS)


@deals_router.post("", response={201: DealOut}, summary="Open a deal")
def deals_create(request: HttpRequest, payload: DealIn) -> Status:
    if not perms.deal_can_create(request.user):
        raise PermissionDenied("only sales and admins open deals", field="owner_id")
    data = payload.dict()
    data["owner_id"] = data.get("owner_id")
    contacts = _deal_contacts(data.pop("contacts"))
    stage_id = data.pop("stage_id")
    stage = _get(PipelineStage, stage_id, "stage_id") if stage_id else None
    data["forecast_category_override"] = data["forecast_category_override"] or ""
    deal = services.deal_create(
        actor=request.user, stage=stage, contacts=contacts, **_refs(request.user, data)
    )
    return Status(201, deal)


@deals_router.get("/{deal_id}", response=DealOut, summary="One deal")
def deals_get(request: HttpRequest, deal_id: int) -> Any:
    return perms.deal_get_for_user(user=request.user, deal_id=deal_id)


@deals_router.patch("/{deal_id}", response=DealOut, summary="Change a deal's fields")
def deals_patch(request: HttpRequest, deal_id: int, payload: DealPatch) -> Any:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    fields = _refs(request.user, payload.dict(exclude_unset=True))
    return services.deal_update(deal=deal, actor=request.user, **fields)


@deals_router.delete("/{deal_id}", response={204: None},
                      summary="Delete a deal (its activities stay on their contact or company)")
def deals_delete(request: HttpRequest, deal_id: int) -> Status:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    if not perms.deal_can_delete(request.user, deal):
        raise PermissionDenied("only admins and sales managers delete a won deal", field="id")
    services.deal_delete(deal=deal, actor=request.user)
    return Status(204, None)


@deals_router.post("/{deal_id}/move", response=DealOut, summary="Move to a stage")
def deals_move(request: HttpRequest, deal_id: int, payload: MoveIn) -> Any:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    reason = _lost_reason(payload.lost_reason_id) if payload.lost_reason_id else None
    return services.deal_move_stage(
        deal=deal, actor=request.user, stage=_get(PipelineStage, payload.stage_id, "stage_id"),
        lost_reason=reason, lost_note=payload.lost_note,
    )


@deals_router.post("/{deal_id}/win", response=DealOut, summary="Close as won")
def deals_win(request: HttpRequest, deal_id: int) -> Any:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    return services.deal_win(deal=deal, actor=request.user)


@deals_router.post("/{deal_id}/lose", response=DealOut, summary="Close as lost")
def deals_lose(request: HttpRequest, deal_id: int, payload: LoseIn) -> Any:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    reason = _lost_reason(payload.lost_reason_id)
    return services.deal_lose(deal=deal, actor=request.user, reason=reason, note=payload.note)


@deals_router.post("/{deal_id}/reopen", response=DealOut, summary="Reopen a closed deal")
def deals_reopen(request: HttpRequest, deal_id: int, payload: ReopenIn) -> Any:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    stage = _get(PipelineStage, payload.stage_id, "stage_id") if payload.stage_id else None
    return services.deal_reopen(deal=deal, actor=request.user, stage=stage)


@deals_router.get("/{deal_id}/history", response=StageChangeList,
                  summary="Stage history, oldest first (filters: stage, period; sort; pages)")
def deals_history(
    request: HttpRequest, deal_id: int, query: Query[DealHistoryQuery]
) -> dict[str, Any]:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id)
    return query.page_of(deal_history(deal, **query.filters()))


@deals_router.post("/{deal_id}/contacts", response={201: DealContactOut},
                   summary="Add a contact to a deal")
def deals_contact_add(request: HttpRequest, deal_id: int, payload: DealContactIn) -> Status:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    link = services.deal_contact_add(
        deal=deal, actor=request.user, contact=_get(Contact, payload.contact_id, "contact_id"),
        role=payload.role, is_primary=payload.is_primary,
    )
    return Status(201, link)


@deals_router.delete("/{deal_id}/contacts/{contact_id}", response={204: None},
                     summary="Take a contact off a deal")
def deals_contact_remove(request: HttpRequest, deal_id: int, contact_id: int) -> Status:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    services.deal_contact_remove(deal=deal, actor=request.user, contact_id=contact_id)
    return Status(204, None)


@deals_router.get("/{deal_id}/line-items", response=LineItemList,
                  summary="Line items, in the order added (filter: product; sort; pages)")
def line_items_list(
    request: HttpRequest, deal_id: int, query: Query[LineItemQuery]
) -> dict[str, Any]:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id)
    return query.page_of(line_item_list(deal, **query.filters()))


@deals_router.post("/{deal_id}/line-items", response={201: LineItemOut},
                   summary="Add a line item (the deal's amount becomes the sum of its lines)")
def line_items_add(request: HttpRequest, deal_id: int, payload: LineItemIn) -> Status:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id, change=True)
    line = services.line_item_add(
        deal=deal, actor=request.user, product=_get(Product, payload.product_id, "product_id"),
        quantity=payload.quantity, unit_price=payload.unit_price,
        discount_percent=payload.discount_percent,
    )
    return Status(201, line)


def _line(user: Any, deal_id: int, line_id: int) -> LineItem:
    deal = perms.deal_get_for_user(user=user, deal_id=deal_id, change=True)
    line = deal.line_items.filter(pk=line_id).select_related("deal", "product").first()
    if line is None:
        raise NotFound(f"line item {line_id} not found", field="line_id")
    return line


@deals_router.patch("/{deal_id}/line-items/{line_id}", response=LineItemOut,
                    summary="Change a line item")
def line_items_patch(
    request: HttpRequest, deal_id: int, line_id: int, payload: LineItemPatch
) -> Any:
    line = _line(request.user, deal_id, line_id)
    return services.line_item_update(line=line, actor=request.user,
                                     **payload.dict(exclude_unset=True))


@deals_router.delete("/{deal_id}/line-items/{line_id}", response={204: None},
                     summary="Remove a line item")
def line_items_delete(request: HttpRequest, deal_id: int, line_id: int) -> Status:
    services.line_item_remove(line=_line(request.user, deal_id, line_id), actor=request.user)
    return Status(204, None)


@products_router.get("", response=ProductList, summary="Products (filters, `sort`, pages)")
def products_list(request: HttpRequest, query: Query[ProductQuery]) -> dict[str, Any]:
    qs = product_list(**query.filters())
    return query.page_of(qs)


@products_router.get("/export.csv", summary="The products matching the list's filters, as CSV")
def products_export(request: HttpRequest, query: Query[ProductQuery]) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    qs = product_list(**query.filters())
    return queryset_csv("products.csv", qs, PRODUCT_COLUMNS)


@products_router.post("", response={201: ProductOut},
                      summary="Add a product (admins, sales managers)")
def products_create(request: HttpRequest, payload: ProductIn) -> Status:
    if not perms.catalogue_can_change(request.user):
        raise PermissionDenied("only admins and sales managers change products", field="name")
    return Status(201, services.product_create(actor=request.user, **payload.dict()))


def _product_for_change(user: Any, product_id: int) -> Product:
    product = _found(Product, product_id)
    if not perms.catalogue_can_change(user):
        raise PermissionDenied("only admins and sales managers change products", field="name")
    return product


@products_router.get("/{product_id}", response=ProductOut, summary="One product")
def products_get(request: HttpRequest, product_id: int) -> Any:
    return _found(Product, product_id)


@products_router.patch("/{product_id}", response=ProductOut,
                       summary="Change a product (admins, sales managers)")
def products_patch(request: HttpRequest, product_id: int, payload: ProductPatch) -> Any:
    return services.product_update(product=_product_for_change(request.user, product_id),
                                   actor=request.user, **payload.dict(exclude_unset=True))


@products_router.delete("/{product_id}", response={204: None},
                        summary="Delete a product no line item uses (admins, sales managers; "
                                "else 409: retire it with active=false)")
def products_delete(request: HttpRequest, product_id: int) -> Status:
    services.product_delete(product=_product_for_change(request.user, product_id),
                            actor=request.user)
    return Status(204, None)


class ActivityQuery(PageQuery):
    contact_id: int | None = None
    company_id: int | None = None
    deal_id: int | None = None
    owner_id: int | None = None
    kind: str = ""
    done: bool | None = Field(None, description="Tasks done (true) or still open (false)")
    sort: str = Field("-at", description="at, created_at or due_at; a leading - descends")


@activities_router.get("", response=ActivityList,
                       summary="Activities (filters, `sort`; newest first by default)")
def activities_list(request: HttpRequest, filters: Query[ActivityQuery]) -> dict[str, Any]:
    return filters.page_of(activity_list(**filters.filters()))


@activities_router.get("/export.csv", summary="The activities matching the filters, as CSV")
def activities_export(
    request: HttpRequest, filters: Query[ActivityQuery]
) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    qs = activity_list(**filters.filters())
    return queryset_csv("activities.csv", qs, ACTIVITY_COLUMNS)


@activities_router.post("", response={201: ActivityOut}, summary="Log an activity or a task")
def activities_create(request: HttpRequest, payload: ActivityIn) -> Status:
    data = payload.dict(exclude={"contact_id", "company_id", "deal_id"})
    contact = _get(Contact, payload.contact_id, "contact_id") if payload.contact_id else None
    company = _get(Company, payload.company_id, "company_id") if payload.company_id else None
    deal = (perms.deal_get_for_user(user=request.user, deal_id=payload.deal_id)
            if payload.deal_id else None)
    activity = services.activity_log(
        actor=request.user, contact=contact, company=company, deal=deal, **data
    )
    return Status(201, activity)


@activities_router.get("/{activity_id}", response=ActivityOut, summary="One activity")
def activities_get(request: HttpRequest, activity_id: int) -> Any:
    return perms.activity_get_for_user(user=request.user, activity_id=activity_id)


@activities_router.patch("/{activity_id}", response=ActivityOut,
                         summary="Change an activity (its owner, their manager, admins)")
def activities_patch(request: HttpRequest, activity_id: int, payload: ActivityPatch) -> Any:
    activity = perms.activity_get_for_user(user=request.user, activity_id=activity_id,
                                           change=True)
    return services.activity_update(activity=activity, actor=request.user,
                                    **payload.dict(exclude_unset=True))


@activities_router.delete("/{activity_id}", response={204: None},
                          summary="Delete an activity (its owner, their manager, admins)")
def activities_delete(request: HttpRequest, activity_id: int) -> Status:
    activity = perms.activity_get_for_user(user=request.user, activity_id=activity_id,
                                           change=True)
    services.activity_delete(activity=activity, actor=request.user)
    return Status(204, None)


@activities_router.post("/{activity_id}/complete", response=ActivityOut,
                        summary="Mark a task done")
def activities_complete(request: HttpRequest, activity_id: int, payload: CompleteIn) -> Any:
    activity = perms.activity_get_for_user(user=request.user, activity_id=activity_id,
                                           change=True)
    return services.task_complete(activity=activity, actor=request.user, outcome=payload.outcome)


@quotas_router.get("", response=QuotaList, summary="Quotas by start and owner (pages)")
def quotas_list(request: HttpRequest, query: Query[QuotaQuery]) -> dict[str, Any]:
    qs = quota_list(**query.filters())
    return query.page_of(qs)


@quotas_router.get("/export.csv", summary="The quotas matching the list's filters, as CSV")
def quotas_export(request: HttpRequest, query: Query[QuotaQuery]) -> StreamingHttpResponse:
    """Streamed: every matching row (limit and offset are ignored)."""
    qs = quota_list(**query.filters())
    return queryset_csv("quotas.csv", qs, QUOTA_COLUMNS)


@quotas_router.post("", response={201: QuotaOut},
                    summary="Set a rep's quota for a month or quarter (admins, their manager)")
def quotas_set(request: HttpRequest, payload: QuotaIn) -> Status:
    owner = get_user_model().objects.filter(pk=payload.owner_id, is_active=True).first()
    if owner is None:
        raise ValidationFailed(f"owner_id: no active user {payload.owner_id}", field="owner_id")
    if not perms.quota_can_set(request.user, owner.pk):
        raise PermissionDenied("you may not set this user's quota", field="owner_id")
    quota = services.quota_set(actor=request.user, owner=owner, period=payload.period,
                               start=payload.start, amount=payload.amount)
    return Status(201, quota)


def _quota_for_change(user: Any, quota_id: int) -> Quota:
    quota = _found(Quota, quota_id)
    if not perms.quota_can_set(user, quota.owner_id):
        raise PermissionDenied("you may not change this user's quota", field="owner_id")
    return quota


@quotas_router.get("/{quota_id}", response=QuotaOut, summary="One quota")
def quotas_get(request: HttpRequest, quota_id: int) -> Any:
    return _found(Quota, quota_id)


@quotas_router.patch("/{quota_id}", response=QuotaOut,
                     summary="Change a quota's amount (admins, the owner's manager)")
def quotas_patch(request: HttpRequest, quota_id: int, payload: QuotaPatch) -> Any:
    return services.quota_update(quota=_quota_for_change(request.user, quota_id),
                                 actor=request.user, amount=payload.amount)


@quotas_router.delete("/{quota_id}", response={204: None},
                      summary="Remove a quota (admins, the owner's manager)")
def quotas_delete(request: HttpRequest, quota_id: int) -> Status:
    services.quota_delete(quota=_quota_for_change(request.user, quota_id), actor=request.user)
    return Status(204, None)


FORECAST_MAX_DAYS = 366


def forecast_period(start: dt.date | None, end: dt.date | None, period: str | None) -> Period:
    """[start, end) with end exclusive, or a preset (KPI.md); neither: this quarter."""
    return parse_period(start, end, period=period, default="this-quarter",
                        max_days=FORECAST_MAX_DAYS)


def _owner_scope(owner: int | None, team: int | None) -> list[int] | None:
    if owner is not None:
        return [owner]
    if team is not None:
        return list(owner_ids_of_team(team).values_list("user_id", flat=True))
    return None


@forecast_router.get("", response=ForecastOut,
                     summary="Forecast of a period: categories, quota, gap, P10/P50/P90")
def forecast_get(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None,
    owner: int | None = None, team: int | None = None, seed: int = DEFAULT_SEED,
    period: str | None = None,
) -> Any:
    chosen = forecast_period(start, end, period)
    snapshot_if_due(chosen)
    return forecast(chosen, owner_ids=_owner_scope(owner, team), seed=seed)


@forecast_router.get("/accuracy", response=AccuracyOut,
                     summary="Weekly forecast snapshots of a period against what closed")
def forecast_accuracy(
    request: HttpRequest, start: dt.date | None = None, end: dt.date | None = None,
    period: str | None = None,
) -> Any:
    return accuracy(forecast_period(start, end, period))


@pipelines_router.get("/customers", response=CustomerList, tags=["customers"],
                      summary="Customers (filters, `sort`, pages): what they own, suggestions")
def customers_list(request: HttpRequest, query: Query[CustomerQuery]) -> dict[str, Any]:
    if not 1 <= query.limit <= 200:
        raise ValidationFailed("limit: between 1 and 200", field="limit")
    filters = query.dict(exclude={"limit", "offset"})
    rows, count = customers(limit=query.limit, offset=max(0, query.offset), **filters)
    products = {p.pk: p for p in Product.objects.all()}
    return {"items": customer_rows(rows, products), "count": count, "clv": clv()}


@pipelines_router.get("/customers/export.csv", tags=["customers"],
                      summary="Every customer account the list's filters match, as CSV")
def customers_export(
    request: HttpRequest, query: Query[CustomerFilters]
) -> StreamingHttpResponse:
    """Streamed: every row the list pages through (company, industry, revenue, deals won)."""
    return queryset_csv("customers.csv", customer_totals(**query.dict()), CUSTOMER_COLUMNS)


@pipelines_router.post(
    "/customers/{company_id}/suggestions/{product_id}/deal", response={201: DealOut},
    tags=["customers"], summary="Open the upsell / cross-sell deal a suggestion proposes",
)
def customers_suggestion_deal(
    request: HttpRequest, company_id: int, product_id: int, payload: SuggestedDealIn
) -> Status:
    if not perms.deal_can_create(request.user):
        raise PermissionDenied("only sales and admins open deals", field="owner_id")
    company = Company.objects.filter(pk=company_id).first()
    if company is None:
        raise NotFound(f"customer {company_id} not found", field="company_id")
    product = _get(Product, product_id, "product_id")
    owner = (_owner(request.user, payload.owner_id) if payload.owner_id
             else suggestion_owner(request.user, company))
    deal = services.suggested_deal_create(
        actor=request.user, company=company, product=product, deal_type=payload.type,
        owner=owner, expected_close_date=payload.expected_close_date,
    )
    return Status(201, deal)


def _timeline_limit(limit: int) -> int:
    if not 1 <= limit <= 200:
        raise ValidationFailed("limit: use 1 to 200", field="limit")
    return limit


def _timeline_out(page: Any) -> dict[str, Any]:
    return {"items": page.items, "count": len(page.items), "next_before": page.next_before}


@deals_router.get("/{deal_id}/timeline", response=TimelineOut,
                  summary="The deal's moves and activities with its contacts' events, newest "
                          "first (cursor: before)")
def deals_timeline(
    request: HttpRequest, deal_id: int, before: dt.datetime | None = None, limit: int = 50
) -> dict[str, Any]:
    deal = perms.deal_get_for_user(user=request.user, deal_id=deal_id)
    return _timeline_out(deal_timeline(deal, before=before, limit=_timeline_limit(limit)))


@pipelines_router.get("/companies/{company_id}/timeline", response=TimelineOut,
                      tags=["companies"],
                      summary="A company's deals, activities and its contacts' events, newest "
                              "first (cursor: before)")
def companies_timeline(
    request: HttpRequest, company_id: int, before: dt.datetime | None = None, limit: int = 50
) -> dict[str, Any]:
    company = company_get_for_user(user=request.user, company_id=company_id)
    return _timeline_out(company_timeline(company, before=before, limit=_timeline_limit(limit)))


def _pipeline_for_change(user: Any, pipeline_id: int) -> Pipeline:
    pipeline = Pipeline.objects.filter(pk=pipeline_id).first()
    if pipeline is None:
        raise NotFound(f"pipeline {pipeline_id} not found", field="pipeline_id")
    if not perms.pipeline_can_change(user):
        raise PermissionDenied("only admins and sales managers change pipelines", field="name")
    return pipeline


def _stage_for_change(user: Any, pipeline_id: int, stage_id: int) -> PipelineStage:
    pipeline = _pipeline_for_change(user, pipeline_id)
    stage = pipeline.stages.filter(pk=stage_id).first()
    if stage is None:
        raise NotFound(f"stage {stage_id} not found", field="stage_id")
    return stage


@pipelines_router.post("/pipelines", response={201: PipelineOut},
                       summary="Add a pipeline (default stages unless given; admins, managers)")
def pipelines_create(request: HttpRequest, payload: PipelineIn) -> Status:
    if not perms.pipeline_can_change(request.user):
        raise PermissionDenied("only admins and sales managers change pipelines", field="name")
    stages = ([setup.StageSpec(**s.dict()) for s in payload.stages]
              if payload.stages is not None else None)
    created = setup.pipeline_create(actor=request.user, name=payload.name,
                                        stages=stages, is_default=payload.is_default)
    return Status(201, created)


@pipelines_router.patch("/pipelines/{pipeline_id}", response=PipelineOut,
                        summary="Rename a pipeline or make it the default")
def pipelines_patch(request: HttpRequest, pipeline_id: int, payload: PipelinePatch) -> Any:
    pipeline = _pipeline_for_change(request.user, pipeline_id)
    return setup.pipeline_update(pipeline=pipeline, actor=request.user,
                                     **payload.dict(exclude_unset=True))


@pipelines_router.delete("/pipelines/{pipeline_id}", response={204: None},
                         summary="Delete a pipeline no deal is in (not the default one)")
def pipelines_delete(request: HttpRequest, pipeline_id: int) -> Status:
    setup.pipeline_delete(pipeline=_pipeline_for_change(request.user, pipeline_id),
                          actor=request.user)
    return Status(204, None)


@pipelines_router.post("/pipelines/{pipeline_id}/stages", response={201: StageOut},
                       summary="Add a stage at the end of a pipeline")
def stages_create(request: HttpRequest, pipeline_id: int, payload: StageIn) -> Status:
    pipeline = _pipeline_for_change(request.user, pipeline_id)
    stage = setup.stage_add(pipeline=pipeline, actor=request.user,
                                spec=setup.StageSpec(**payload.dict()))
    return Status(201, stage)


@pipelines_router.patch("/pipelines/{pipeline_id}/stages/{stage_id}", response=StageOut,
                        summary="Change a stage (won/lost flags only while it holds no deal)")
def stages_patch(
    request: HttpRequest, pipeline_id: int, stage_id: int, payload: StagePatch
) -> Any:
    stage = _stage_for_change(request.user, pipeline_id, stage_id)
    return setup.stage_update(stage=stage, actor=request.user,
                                  **payload.dict(exclude_unset=True))


@pipelines_router.delete("/pipelines/{pipeline_id}/stages/{stage_id}", response={204: None},
                         summary="Remove a stage no deal is in or went through")
def stages_delete(request: HttpRequest, pipeline_id: int, stage_id: int) -> Status:
    setup.stage_remove(stage=_stage_for_change(request.user, pipeline_id, stage_id),
                           actor=request.user)
    return Status(204, None)


@pipelines_router.post("/pipelines/{pipeline_id}/stage-order", response=PipelineOut,
                       summary="Reorder a pipeline's stages (every stage id once)")
def stages_order(request: HttpRequest, pipeline_id: int, payload: StageOrderIn) -> Any:
    pipeline = _pipeline_for_change(request.user, pipeline_id)
    return setup.stages_reorder(pipeline=pipeline, actor=request.user,
                                    stage_ids=payload.stage_ids)

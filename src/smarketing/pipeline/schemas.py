"""Typed shapes of the pipeline API. Money is a decimal string in and out."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from smarketing.core.schemas import PageQuery
from smarketing.people.schemas import InSchema
from smarketing.pipeline.models import (
    ActivityKind,
    ContactRole,
    Deal,
    DealType,
    ForecastCategory,
    QuotaPeriod,
)

Money = Decimal


class StageOut(Schema):
    id: int
    name: str
    order: int
    probability: Decimal
    forecast_category: str
    is_won: bool
    is_lost: bool
    stall_days: int


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Any) -> Any:
        return obj.stages.all()  # in `order` (the model's ordering; prefetched by lists)


class PipelineList(Schema):
    items: list[PipelineOut]
    count: int


class PipelineQuery(PageQuery):
    q: str = Field("", description="Name contains (any case).")
    is_default: bool | None = None
    sort: str = Field("-is_default", description="-is_default (the default first, then by "
                      "name), name, created_at; - descends")


class NamedOut(Schema):
    id: int
    name: str
    active: bool


class LostReasonList(Schema):
    items: list[NamedOut]
    count: int


class LostReasonQuery(PageQuery):
    q: str = Field("", description="Name contains (any case).")
    active: bool | None = Field(None, description="true: offered for new lost deals; "
                                "false: retired")
    sort: str = Field("name", description="name or created_at; - descends")


class DealContactOut(Schema):
    contact_id: int
    role: str
    is_primary: bool


class DealOut(Schema):
    id: int
    name: str
    company_id: int | None
    owner_id: int
    amount: Decimal
    expected_close_date: dt.date
    type: str
    source_campaign: str
    pipeline_id: int
    stage_id: int
    stage: str
    status: str
    probability: Decimal
    forecast_category: str
    forecast_category_override: str
    lost_reason: str
    lost_note: str
    stalled: bool
    contacts: list[DealContactOut]
    created_at: dt.datetime
    updated_at: dt.datetime
    stage_entered_at: dt.datetime
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_pipeline_id(obj: Deal) -> int:
        return obj.stage.pipeline_id

    @staticmethod
    def resolve_stage(obj: Deal) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_probability(obj: Deal) -> Decimal:
        return obj.stage.probability

    @staticmethod
    def resolve_forecast_category(obj: Deal) -> str:
        return obj.forecast_category_override or obj.stage.forecast_category

    @staticmethod
    def resolve_lost_reason(obj: Deal) -> str:
        return obj.lost_reason.name if obj.lost_reason else ""

    @staticmethod
    def resolve_stalled(obj: Deal) -> bool:
        from smarketing.pipeline.selectors import deal_is_stalled

        return bool(getattr(obj, "stalled", None) or deal_is_stalled(obj))

    @staticmethod
    def resolve_contacts(obj: Deal) -> Any:
        return obj.deal_contacts.order_by("-is_primary", "id")


class DealList(Schema):
    items: list[DealOut]
    count: int


class DealContactIn(InSchema):
    contact_id: int
    role: ContactRole = ContactRole.USER
    is_primary: bool = False


class DealIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    amount: Money = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    expected_close_date: dt.date
    owner_id: int | None = None
    company_id: int | None = None
    stage_id: int | None = None
    type: DealType = DealType.NEW_BUSINESS
    source_campaign: str = Field("", max_length=200)
    forecast_category_override: ForecastCategory | None = None
    contacts: list[DealContactIn] = []


class DealPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    amount: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    expected_close_date: dt.date | None = None
    owner_id: int | None = None
    company_id: int | None = None
    type: DealType | None = None
    source_campaign: str | None = Field(None, max_length=200)
    forecast_category_override: ForecastCategory | None = None


class MoveIn(InSchema):
    stage_id: int
    lost_reason_id: int | None = None
    lost_note: str = Field("", max_length=1000)


class LoseIn(InSchema):
    lost_reason_id: int
    note: str = Field("", max_length=1000)


class ReopenIn(InSchema):
    stage_id: int | None = None


class StageChangeOut(Schema):
    from_stage_id: int | None
    from_stage: str
    to_stage_id: int
    to_stage: str
    at: dt.datetime
    actor_id: int | None
    amount: Decimal
    expected_close_date: dt.date

    @staticmethod
    def resolve_from_stage(obj: Any) -> str:
        return obj.from_stage.name if obj.from_stage else ""

    @staticmethod
    def resolve_to_stage(obj: Any) -> str:
        return str(obj.to_stage.name)


class StageChangeList(Schema):
    items: list[StageChangeOut]
    count: int


class DealHistoryQuery(PageQuery):
    to_stage_id: int | None = None
    start: dt.datetime | None = Field(None, description="at >= start (ISO; a date is midnight)")
    end: dt.datetime | None = Field(None, description="at < end")
    sort: str = Field("at", description="at (oldest first) or -at")


class LineItemOut(Schema):
    id: int
    product_id: int
    product: str
    quantity: int
    unit_price: Decimal
    discount_percent: Decimal
    amount: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> str:
        return str(obj.product.name)


class LineItemList(Schema):
    items: list[LineItemOut]
    count: int


class LineItemQuery(PageQuery):
    product_id: int | None = None
    sort: str = Field("id", description="id (the order added), amount, quantity; - descends")


class LineItemIn(InSchema):
    product_id: int
    quantity: int = Field(1, ge=1)
    unit_price: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount_percent: Decimal = Field(Decimal("0"), ge=0, le=100, max_digits=5,
                                      decimal_places=2)


class LineItemPatch(InSchema):
    quantity: int | None = Field(None, ge=1)
    unit_price: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount_percent: Decimal | None = Field(None, ge=0, le=100, max_digits=5,
                                             decimal_places=2)


class ProductOut(Schema):
    id: int
    name: str
    family: str
    list_price: Decimal
    active: bool


class ProductList(Schema):
    items: list[ProductOut]
    count: int


class ProductQuery(PageQuery):
    """The product list's filters (its CSV export takes the same, without pages)."""

    active: bool | None = None
    q: str = Field("", description="Name contains (any case).")
    family: str | None = None
    sort: str = Field("family", description="family, name, list_price; - descends")


class ProductIn(InSchema):
    name: str = Field(..., min_length=1, max_length=200)
    family: str = Field("", max_length=100)
    list_price: Money = Field(..., ge=0, max_digits=14, decimal_places=2)
    active: bool = True


class ProductPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=200)
    family: str | None = Field(None, max_length=100)
    list_price: Money | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    active: bool | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    outcome: str
    at: dt.datetime
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    owner_id: int
    contact_id: int | None
    company_id: int | None
    deal_id: int | None


class ActivityList(Schema):
    items: list[ActivityOut]
    count: int


class ActivityIn(InSchema):
    kind: ActivityKind
    subject: str = Field(..., min_length=1, max_length=200)
    body: str = ""
    outcome: str = Field("", max_length=200)
    at: dt.datetime | None = None
    due_at: dt.datetime | None = None
    contact_id: int | None = None
    company_id: int | None = None
    deal_id: int | None = None


class ActivityPatch(InSchema):
    subject: str | None = Field(None, min_length=1, max_length=200)
    body: str | None = None
    outcome: str | None = Field(None, max_length=200)
    at: dt.datetime | None = None
    due_at: dt.datetime | None = None


class CompleteIn(InSchema):
    outcome: str = Field("", max_length=200)


class QuotaOut(Schema):
    id: int
    owner_id: int
    period: str
    start: dt.date
    amount: Decimal


class QuotaList(Schema):
    items: list[QuotaOut]
    count: int


class QuotaQuery(PageQuery):
    """The quota list's filters (its CSV export takes the same, without pages)."""

    owner_id: int | None = None
    year: int | None = None
    period: str = Field("", description="month or quarter")
    sort: str = Field("start", description="start (then owner), amount; - descends")


class QuotaPatch(InSchema):
    amount: Money = Field(..., ge=0, max_digits=14, decimal_places=2)


class QuotaIn(InSchema):
    owner_id: int
    period: QuotaPeriod
    start: dt.date
    amount: Money = Field(..., ge=0, max_digits=14, decimal_places=2)


class _ForecastFigures(Schema):
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted: Decimal
    quota: Decimal
    gap: Decimal
    attainment: Decimal | None
    p10: Decimal
    p50: Decimal
    p90: Decimal


class ForecastOwnerOut(_ForecastFigures):
    owner_id: int
    owner: str


class ForecastOut(_ForecastFigures):
    start: dt.date
    end: dt.date
    reps_at_quota_share: Decimal | None
    simulations: int
    seed: int
    rates_as_of: dt.date | None = Field(
        None, description="Day of the stored win/slip rates used (null: none learnt yet, "
                          "the stages' default probabilities).")
    owners: list[ForecastOwnerOut]


class _Comparison(Schema):
    closed_won_then: Decimal
    p10: Decimal
    p50: Decimal
    p90: Decimal
    commit_total: Decimal
    weighted_total: Decimal
    actual: Decimal
    error: Decimal
    error_pct: Decimal | None
    within_interval: bool


class AccuracyOwnerOut(_Comparison):
    owner_id: int
    owner: str


class AccuracyWeekOut(_Comparison):
    week_start: dt.date
    taken_at: dt.datetime
    owners: list[AccuracyOwnerOut]


class AccuracyOut(Schema):
    start: dt.date
    end: dt.date
    final: bool
    actual: Decimal | None
    weeks: list[AccuracyWeekOut]


class OwnedProductOut(Schema):
    id: int
    name: str
    family: str


class SuggestionOut(Schema):
    product_id: int
    product: str
    deal_type: str
    share: float
    explanation: str


class CustomerOut(Schema):
    company_id: int
    company: str
    industry: str
    revenue: Decimal
    deals_won: int
    owns: list[OwnedProductOut]
    suggestions: list[SuggestionOut]


class ClvOut(Schema):
    value: Decimal | None
    revenue: Decimal
    customers: int


class CustomerFilters(Schema):
    """The customer list's and its CSV export's filters and `sort` (upsell.customer_totals)."""

    q: str = Field("", description="Company name contains (any case).")
    industry: str = Field("", description="The company's industry (exact).")
    sort: str = Field("-revenue", description="-revenue (default), revenue, deals_won, "
                      "company (name); - descends")


class CustomerQuery(CustomerFilters):
    limit: int = Field(50, description="1 to 200")
    offset: int = 0


class CustomerList(Schema):
    items: list[CustomerOut]
    count: int
    clv: ClvOut


class SuggestedDealIn(InSchema):
    type: DealType
    owner_id: int | None = None
    expected_close_date: dt.date | None = None


class StageIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    probability: Decimal = Field(..., ge=0, le=1, max_digits=5, decimal_places=4)
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    is_won: bool = False
    is_lost: bool = False
    stall_days: int = Field(0, ge=0)


class StagePatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    probability: Decimal | None = Field(None, ge=0, le=1, max_digits=5, decimal_places=4)
    forecast_category: ForecastCategory | None = None
    is_won: bool | None = None
    is_lost: bool | None = None
    stall_days: int | None = Field(None, ge=0)


class PipelineIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    is_default: bool = False
    stages: list[StageIn] | None = None


class PipelinePatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    is_default: bool | None = None


class LostReasonIn(InSchema):
    name: str = Field(..., min_length=1, max_length=100)
    active: bool = True


class LostReasonPatch(InSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    active: bool | None = Field(None, description="false retires it: no longer offered")


class StageOrderIn(InSchema):
    stage_ids: list[int]

"""Demo pipeline data for `smarketing generate`, consistent with the contacts'
stage histories (registered as a generate extension in PipelineConfig.ready()).

For every contact that reached `opportunity`, one deal opened at
`became_opportunity_at` with the contact as primary decision maker, owned by the
contact's (or the company's) owner: won at `became_customer_at` for customers,
lost for opportunities the rep marked bad timing / unqualified and for deals left
open more than two sales cycles (stale), open otherwise.
Deals get line items from a small catalogue (the amount is their sum), a stage
history through the default pipeline, activities between opening and closing,
and open tasks. Reps get quarterly quotas near their actual revenue, and the
last completed quarter gets weekly forecast snapshots **reconstructed** from the
deals as they stood each Monday (stage, amount, expected close date then; the
stage's default probabilities, since no earlier history exists), so forecast
accuracy can be shown. Bulk inserts, one transaction; deterministic per seed.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from smarketing.core.periods import Period, quarter_of
from smarketing.core.selectors import sales_users
from smarketing.people.generate.companies import tier_of
from smarketing.people.generate.extensions import GenerateContext
from smarketing.people.generate.writer import DbValues, Table
from smarketing.people.models import Contact, LeadStatus
from smarketing.pipeline.forecast import OpenDeal, assemble, prorated_quotas
from smarketing.pipeline.models import (
    Activity,
    Deal,
    DealContact,
    DealStageChange,
    ForecastSnapshot,
    LineItem,
    PipelineStage,
    Product,
    Quota,
)
from smarketing.pipeline.services import default_pipeline, line_amount, product_create
from smarketing.pipeline.snapshots import as_json, week_start

DAY = 86400
CATALOGUE: tuple[tuple[str, str, str], ...] = (
    ("Platform Starter", "Platform", "6000"), ("Platform Professional", "Platform", "18000"),
    ("Platform Enterprise", "Platform", "48000"), ("Analytics add-on", "Add-ons", "4800"),
    ("Automation add-on", "Add-ons", "7200"), ("API access", "Add-ons", "3600"),
    ("Onboarding", "Services", "2500"), ("Training day", "Services", "1500"),
    ("Premium support", "Services", "9000"),
)
EDITION = {"SMB": "Platform Starter", "Mid-Market": "Platform Professional",
           "Enterprise": "Platform Enterprise", "": "Platform Starter"}
CYCLE_DAYS = {"SMB": 21, "Mid-Market": 38, "Enterprise": 65, "": 30}
ACTIVITY_KINDS = (("call", 5), ("email", 6), ("meeting", 3), ("demo", 1), ("note", 2))
SUBJECTS = {
    "call": ("Discovery call", "Follow-up call", "Pricing call", "Check-in call"),
    "email": ("Sent the deck", "Sent a proposal", "Answered questions", "Shared a case study"),
    "meeting": ("Stakeholder meeting", "Kick-off meeting", "Procurement meeting"),
    "demo": ("Product demo", "Technical deep-dive"),
    "note": ("Budget confirmed", "Competitor in play", "Champion identified"),
}
OUTCOMES = ("Connected", "Left voicemail", "Positive", "Needs follow-up", "")
TASKS = ("Send the proposal", "Call back the champion", "Book the demo", "Chase the contract")
DISCOUNTS = (Decimal("0"), Decimal("0"), Decimal("5"), Decimal("10"), Decimal("15"))
MODELS: tuple[type[models.Model], ...] = (
    Deal, DealContact, LineItem, DealStageChange, Activity, Quota, ForecastSnapshot,
)


@dataclass
class DemoDeal:
    """One generated deal, kept in memory for quotas and snapshots."""

    id: int
    owner: int
    amount: Decimal
    created: int
    closed: int | None
    won: bool
    changes: list[tuple[int, int, dt.date]] = field(default_factory=list)  # (at, stage, close)


class Ids:
    def __init__(self) -> None:
        self.next = {m: (m._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
                     for m in MODELS}

    def take(self, model: type[models.Model]) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def _date(ts: int) -> dt.date:
    return dt.datetime.fromtimestamp(ts, dt.UTC).date()


def _ts(value: dt.datetime | None) -> int | None:
    return int(value.timestamp()) if value is not None else None


def clear_pipeline_data() -> None:
    """Delete generated deals, activities, quotas and snapshots (for --force)."""
    for model in (ForecastSnapshot, Activity, Quota, DealStageChange, LineItem, DealContact,
                  Deal):
        model._default_manager.all().delete()


def _catalogue() -> dict[str, Product]:
    products = {p.name: p for p in Product.objects.all()}
    for name, family, price in CATALOGUE:
        if name not in products:
            products[name] = product_create(actor=None, name=name, family=family,
                                            list_price=price)
    return products


DEAL_FIELDS = ("id", "name", "company", "owner", "amount", "expected_close_date", "type",
               "source_campaign", "stage", "status", "stage_entered_at", "lost_reason",
               "created_at", "updated_at", "closed_at")
LINK_FIELDS = ("id", "deal", "contact", "role", "is_primary")
LINE_FIELDS = ("id", "deal", "product", "quantity", "unit_price", "discount_percent", "amount")
CHANGE_FIELDS = ("id", "deal", "from_stage", "to_stage", "at", "actor", "expected_close_date",
                 "amount")
ACTIVITY_FIELDS = ("id", "kind", "subject", "outcome", "at", "due_at", "done_at", "owner",
                   "contact", "company", "deal", "created_at")
CONTACT_COLUMNS = ("id", "company_id", "owner_id", "company__owner_id",
                   "company__employee_count", "became_opportunity_at", "became_customer_at",
                   "lifecycle_stage", "lead_status", "original_campaign", "first_name",
                   "last_name", "company__name")


class PipelineMaker:
    """Builds the rows of every table in memory (tens of thousands of deals at most)."""

    def __init__(self, context: GenerateContext) -> None:
        self.rng = random.Random(f"{context.seed}:pipeline")
        self.end = context.end
        self.values = DbValues(connection)
        self.ops = connection.ops
        self.ids = Ids()
        pipeline = default_pipeline()
        stages = list(pipeline.stages.order_by("order"))
        self.open_stages = [s for s in stages if not s.is_closed]
        self.won_stage = next(s for s in stages if s.is_won)
        self.lost_stage = next(s for s in stages if s.is_lost)
        self.products = _catalogue()
        self.reasons: list[int] = []
        self.rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.deals: list[DemoDeal] = []
        reps = list(sales_users().filter(profile__role="sales_rep").values_list("pk", flat=True))
        self.fallback_owner = reps[0] if reps else None

    def money(self, value: Decimal) -> Any:
        return self.ops.adapt_decimalfield_value(value, 14, 2)

    def day(self, value: dt.date) -> Any:
        return self.ops.adapt_datefield_value(value)

    def run(self) -> None:
        from smarketing.pipeline.models import LostReason

        self.reasons = list(LostReason.objects.order_by("pk").values_list("pk", flat=True))
        contacts = Contact.objects.filter(became_opportunity_at__isnull=False).order_by("id")
        for row in contacts.values_list(*CONTACT_COLUMNS).iterator(chunk_size=5000):
            self.add_deal(dict(zip(CONTACT_COLUMNS, row, strict=True)))

    def add_deal(self, c: dict[str, Any]) -> None:
        owner = c["owner_id"] or c["company__owner_id"] or self.fallback_owner
        created = _ts(c["became_opportunity_at"])
        if owner is None or created is None or created >= self.end:
            return
        tier = tier_of(c["company__employee_count"]) if c["company__employee_count"] else ""
        cycle = CYCLE_DAYS[tier] * DAY
        deal = DemoDeal(self.ids.take(Deal), owner, Decimal(0), created, None, False)
        self._outcome(deal, c, cycle)
        expected = _date(created + cycle)
        lines = self._lines(deal, tier)
        deal.amount = sum((line[-1] for line in lines), Decimal(0))
        self.rows["lines"].extend(
            (i, deal.id, p, q, self.money(u), self.money(d), self.money(a))
            for i, p, q, u, d, a in lines
        )
        last_stage = self._changes(deal, expected, cycle)
        self._deal_row(deal, c, last_stage, expected, tier)
        self.rows["links"].append(
            (self.ids.take(DealContact), deal.id, c["id"], "decision_maker", True))
        self._activities(deal, c)
        self.deals.append(deal)

    def _outcome(self, deal: DemoDeal, c: dict[str, Any], cycle: int) -> None:
        won_at = _ts(c["became_customer_at"])
        rng = self.rng
        if won_at is not None:
            deal.closed, deal.won = won_at, True
        elif c["lead_status"] in (LeadStatus.BAD_TIMING, LeadStatus.UNQUALIFIED):
            closed = deal.created + int(cycle * rng.uniform(0.4, 1.6))
            if closed < self.end:
                deal.closed = closed
        elif deal.created + 2 * cycle < self.end:  # long stale: the rep closed it lost
            deal.closed = deal.created + int(cycle * rng.uniform(1.2, 2.0))

    def _lines(self, deal: DemoDeal, tier: str) -> list[tuple[Any, ...]]:
        rng, products = self.rng, self.products
        picks = [(products[EDITION[tier]], 1, rng.choice(DISCOUNTS))]
        for name in ("Analytics add-on", "Automation add-on", "API access"):
            if rng.random() < 0.35:
                picks.append((products[name], 1, Decimal(0)))
        if rng.random() < 0.5:
            picks.append((products["Onboarding"], 1, Decimal(0)))
        if rng.random() < 0.3:
            picks.append((products["Training day"], rng.randint(1, 3), Decimal(0)))
        return [
            (self.ids.take(LineItem), p.pk, q, p.list_price, d, line_amount(q, p.list_price, d))
            for p, q, d in picks
        ]

    def _path(self, deal: DemoDeal, cycle: int) -> tuple[list[PipelineStage], int]:
        """The open stages the deal went through, and the span they took."""
        rng, stages = self.rng, self.open_stages
        if deal.won:
            path = [s for s in stages if s.order != 2 or rng.random() < 0.8]
            return path, (deal.closed or self.end) - deal.created
        if deal.closed is not None:
            return stages[: 1 + rng.randrange(len(stages))], deal.closed - deal.created
        age = self.end - deal.created
        reached = 1 + int(age / cycle * 3 * rng.uniform(0.6, 1.4))
        return stages[: max(1, min(len(stages), reached))], int(min(age, cycle) * 0.9)

    def _changes(self, deal: DemoDeal, expected: dt.date, cycle: int) -> PipelineStage:
        path, span = self._path(deal, cycle)
        times = [deal.created + int(span * i / len(path) * self.rng.uniform(0.85, 1.0))
                 for i in range(len(path))]
        moves = list(zip(times, path, strict=True))
        if deal.closed is not None:
            moves.append((deal.closed, self.won_stage if deal.won else self.lost_stage))
        previous = None
        for at, stage in moves:
            self.rows["changes"].append((
                self.ids.take(DealStageChange), deal.id, previous, stage.pk,
                self.values.dt(at), deal.owner, self.day(expected), self.money(deal.amount),
            ))
            deal.changes.append((at, stage.pk, expected))
            previous = stage.pk
        return moves[-1][1]

    def _deal_row(
        self, deal: DemoDeal, c: dict[str, Any], stage: PipelineStage, expected: dt.date,
        tier: str,
    ) -> None:
        rng = self.rng
        if deal.closed is not None:
            expected = _date(deal.closed)
        elif expected < _date(self.end) and rng.random() < 0.6:
            expected = _date(self.end + rng.randrange(7, 60) * DAY)  # pushed
        status = "won" if deal.won else ("lost" if deal.closed is not None else "open")
        who = c["company__name"] or f"{c['first_name']} {c['last_name']}".strip()
        entered = deal.changes[-1][0]
        self.rows["deals"].append((
            deal.id, f"{who} – {EDITION[tier].removeprefix('Platform ')}", c["company_id"],
            deal.owner, self.money(deal.amount), self.day(expected), "new_business",
            c["original_campaign"], stage.pk, status, self.values.dt(entered),
            rng.choice(self.reasons) if status == "lost" else None,
            self.values.dt(deal.created), self.values.dt(entered),
            self.values.dt(deal.closed),
        ))

    def _activities(self, deal: DemoDeal, c: dict[str, Any]) -> None:
        rng = self.rng
        until = (deal.closed or self.end) - 3600
        kinds = [k for k, _ in ACTIVITY_KINDS]
        weights = [w for _, w in ACTIVITY_KINDS]
        for _ in range(rng.randint(2, 8)):
            at = rng.randint(deal.created, max(deal.created, until))
            kind = rng.choices(kinds, weights)[0]
            self._activity(deal, c, kind, rng.choice(SUBJECTS[kind]), at, None, at)
        if deal.closed is None and rng.random() < 0.6:
            due = self.end + int(rng.uniform(-3, 10) * DAY)
            self._activity(deal, c, "task", rng.choice(TASKS), self.end - 2 * DAY, due, None)

    def _activity(
        self, deal: DemoDeal, c: dict[str, Any], kind: str, subject: str, at: int,
        due: int | None, done: int | None,
    ) -> None:
        outcome = self.rng.choice(OUTCOMES) if kind in ("call", "meeting") else ""
        self.rows["activities"].append((
            self.ids.take(Activity), kind, subject, outcome, self.values.dt(at),
            self.values.dt(due), self.values.dt(done), deal.owner, c["id"], c["company_id"],
            deal.id, self.values.dt(at),
        ))

    def quotas(self) -> None:
        """A quarterly quota per deal owner near their won revenue (the quarter in
        progress: their average quarter, plus 5 %)."""
        revenue: dict[tuple[int, dt.date], Decimal] = defaultdict(Decimal)
        for deal in self.deals:
            if deal.won and deal.closed is not None:
                revenue[(deal.owner, quarter_of(_date(deal.closed)).start)] += deal.amount
        current = quarter_of(_date(self.end)).start
        first = quarter_of(_date(min((d.created for d in self.deals), default=self.end))).start
        for owner in sorted({d.owner for d in self.deals}):
            past = [revenue[(owner, q)] for q in _quarters(first, current)]
            for start, earned in zip(_quarters(first, current), past, strict=True):
                self._quota(owner, start, earned * Decimal(self.rng.uniform(0.85, 1.35)))
            average = sum(past, Decimal(0)) / max(1, len(past))
            self._quota(owner, current, average * Decimal("1.05"))

    def _quota(self, owner: int, start: dt.date, amount: Decimal) -> None:
        rounded = max(Decimal(10000), (amount / 1000).quantize(Decimal(1)) * 1000)
        now = self.values.dt(self.end)
        self.rows["quotas"].append((self.ids.take(Quota), now, now, owner, "quarter",
                                    self.day(start), self.money(rounded)))

    def write(self) -> None:
        tables = (
            (Deal, DEAL_FIELDS, "deals"), (DealContact, LINK_FIELDS, "links"),
            (LineItem, LINE_FIELDS, "lines"), (DealStageChange, CHANGE_FIELDS, "changes"),
            (Activity, ACTIVITY_FIELDS, "activities"),
            (Quota, ("id", "created_at", "updated_at", "owner", "period", "start", "amount"),
             "quotas"),
        )
        with connection.cursor() as cursor:
            for model, names, key in tables:
                Table(model, names, connection).insert(cursor, self.rows[key], 5000)


def _quarters(first: dt.date, stop: dt.date) -> list[dt.date]:
    quarters, start = [], first
    while start < stop:
        quarters.append(start)
        start = quarter_of(start).end
    return quarters


def reconstruct_snapshots(maker: PipelineMaker) -> int:
    """Weekly snapshots of the last completed quarter, from the deals as they stood."""
    period = quarter_of(quarter_of(_date(maker.end)).start - dt.timedelta(days=1))
    quotas = prorated_quotas(period, None)
    stages = {s.pk: s for s in PipelineStage.objects.all()}
    day, written = period.start, 0
    while day < period.end:
        at = int(dt.datetime.combine(day, dt.time(9), dt.UTC).timestamp())
        if at >= maker.end:
            break
        figures = _as_of(maker.deals, period, at, stages, quotas)
        ForecastSnapshot.objects.create(
            start=period.start, end=period.end, week_start=week_start(day),
            taken_at=dt.datetime.fromtimestamp(at, dt.UTC), figures=as_json(figures),
        )
        written += 1
        day = week_start(day) + dt.timedelta(days=7)
    return written


def _as_of(
    deals: list[DemoDeal], period: Period, at: int, stages: dict[int, PipelineStage],
    quotas: dict[int, Decimal],
) -> dict[str, Any]:
    start, _ = period.bounds()
    won: dict[int, Decimal] = defaultdict(Decimal)
    open_now: list[OpenDeal] = []
    for deal in deals:
        if deal.created > at:
            continue
        if deal.closed is not None and deal.closed <= at:
            if deal.won and deal.closed >= start.timestamp():
                won[deal.owner] += deal.amount
            continue
        _, stage_id, expected = max(c for c in deal.changes if c[0] <= at)
        stage = stages[stage_id]
        if expected < period.end:
            open_now.append(OpenDeal(deal.owner, deal.amount, stage.forecast_category,
                                     stage.probability, float(stage.probability)))
    return assemble(period, dict(won), open_now, quotas)


def generate_pipeline(context: GenerateContext) -> list[str]:
    with transaction.atomic():
        maker = PipelineMaker(context)
        maker.run()
        maker.quotas()
        maker.write()
        statements = connection.ops.sequence_reset_sql(no_style(), list(MODELS))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
        snapshots = reconstruct_snapshots(maker)
    rows = maker.rows
    return [
        f"Pipeline: {len(rows['deals']):,} deals ({sum(d.won for d in maker.deals):,} won), "
        f"{len(rows['lines']):,} line items, {len(rows['changes']):,} deal stage changes, "
        f"{len(rows['activities']):,} activities, {len(rows['quotas']):,} quotas, "
        f"{snapshots} forecast snapshots.",
    ]

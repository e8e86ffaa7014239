"""Deliberately naive computations of every KPI of KPI.md, with pandas over raw rows.

Written from KPI.md's text alone, separately from the engine: no engine code, no
selectors, no SQL beyond reading whole tables. Periods are turned into UTC bounds
here from the organisation's zone, and everything else is plain dataframe work.
"""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from django.conf import settings
from django.utils import timezone

from smarketing.campaigns.models import Campaign, CampaignCost, ChannelMetric, ContentAsset
from smarketing.handoff.models import SLA, Assignment
from smarketing.people.models import Company, Contact
from smarketing.pipeline.models import (
    Activity,
    Deal,
    DealContact,
    DealStageChange,
    LineItem,
    PipelineStage,
    Product,
    Quota,
)
from smarketing.tracking.models import Event

Q4 = Decimal("0.0001")
CENT = Decimal("0.01")


def frame(model: Any, *fields: str) -> pd.DataFrame:
    rows = list(model.objects.values(*fields))
    return pd.DataFrame(rows, columns=list(fields))


def rate(numerator: Any, denominator: Any) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(int(numerator)) / Decimal(int(denominator))).quantize(Q4, ROUND_HALF_UP)


def money_ratio(numerator: Decimal, denominator: Any) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / Decimal(int(denominator))).quantize(CENT, ROUND_HALF_UP)


def total(values: Any) -> Decimal:
    return sum((Decimal(v) for v in values), Decimal("0")).quantize(CENT)


class Naive:
    def __init__(self, start: dt.date, end: dt.date, now: dt.datetime):
        zone = ZoneInfo(settings.TIME_ZONE)
        self.day_start, self.day_end = start, end
        self.start = pd.Timestamp(dt.datetime.combine(start, dt.time(), zone)).tz_convert("UTC")
        self.end = pd.Timestamp(dt.datetime.combine(end, dt.time(), zone)).tz_convert("UTC")
        self.now = pd.Timestamp(now).tz_convert("UTC")
        self.contacts = frame(Contact, "id", "became_subscriber_at", "became_lead_at",
                              "became_mql_at", "became_sql_at",
                              "became_opportunity_at", "became_customer_at",
                              "original_campaign", "company_id")
        self.events = frame(Event, "id", "type", "name", "contact_id", "anonymous_id",
                            "user_id", "timestamp", "properties", "utm_campaign")
        self.deals = frame(Deal, "id", "amount", "status", "created_at", "closed_at",
                           "owner_id", "company_id")

    def inside(self, series: pd.Series) -> pd.Series:
        stamps = pd.to_datetime(series, utc=True)
        return (stamps >= self.start) & (stamps < self.end)

    # ---- contacts ------------------------------------------------------------------

    def entered(self, stage: str) -> pd.DataFrame:
        return self.contacts[self.inside(self.contacts[f"became_{stage}_at"])]

    def cohort(self, first: str, later: str) -> Decimal | None:
        cohort = self.entered(first)
        return rate(cohort[f"became_{later}_at"].notna().sum(), len(cohort))

    # ---- web -------------------------------------------------------------------------

    def visitor(self, events: pd.DataFrame) -> pd.Series:
        def key(row: Any) -> str:
            if pd.notna(row.contact_id):
                return f"c{int(row.contact_id)}"
            return f"a{row.anonymous_id}" if row.anonymous_id else f"u{row.user_id}"
        return events.apply(key, axis=1) if len(events) else pd.Series(dtype=str)

    def pages(self) -> pd.DataFrame:
        e = self.events
        return e[(e.type == "page") & self.inside(e.timestamp)]

    def sessions(self) -> list[tuple[pd.Timestamp, int, int]]:
        """(start, events, page views) of every session starting in P, from all events."""
        e = self.events[self.events.type.isin(["page", "track"])].copy()
        if e.empty:
            return []
        e["visitor"] = self.visitor(e)
        e["ts"] = pd.to_datetime(e.timestamp, utc=True)
        found = []
        for _, group in e.sort_values(["ts", "id"]).groupby("visitor"):
            current: list[Any] = []
            for row in group.itertuples():
                if current and (row.ts - current[-1].ts) > pd.Timedelta(minutes=30):
                    found.append(current)
                    current = []
                current.append(row)
            found.append(current)
        return [(s[0].ts, len(s), sum(1 for r in s if r.type == "page")) for s in found
                if self.start <= s[0].ts < self.end]

    def web(self) -> dict[str, Any]:
        pages = self.pages()
        visitors = set(self.visitor(pages))
        sessions = self.sessions()
        bounces = sum(1 for _, events, views in sessions if events == 1 and views == 1)
        leads = set(self.entered("lead").id)
        converted = {v for v in visitors if v.startswith("c") and int(v[1:]) in leads}
        return {"visitors": len(visitors), "page_views": len(pages), "sessions": len(sessions),
                "bounce_rate": rate(bounces, len(sessions)),
                "visitor_to_lead_rate": rate(len(converted), len(visitors))}

    def email(self, name: str) -> int:
        e = self.events
        chosen = e[(e.type == "track") & (e.name == name) & self.inside(e.timestamp)
                   & e.contact_id.notna()]
        return len({(int(r.contact_id), (r.properties or {}).get("email_id", ""))
                    for r in chosen.itertuples()})

    # ---- spend -------------------------------------------------------------------------

    def spend(self) -> Decimal:
        amount = Decimal("0")
        for cost in CampaignCost.objects.all():
            day = cost.start_date
            while day <= cost.end_date:
                if self.day_start <= day < self.day_end:
                    amount += cost.amount
                day += dt.timedelta(days=1)
                if cost.kind == "lump_sum":
                    break
        for metric in ChannelMetric.objects.all():
            if self.day_start <= metric.day < self.day_end:
                amount += metric.spend
        return amount.quantize(CENT)

    def social(self) -> int:
        return sum(m.likes + m.shares + m.comments for m in ChannelMetric.objects.all()
                   if self.day_start <= m.day < self.day_end)

    # ---- deals -------------------------------------------------------------------------

    def closed(self, status: str) -> pd.DataFrame:
        d = self.deals
        return d[(d.status == status) & self.inside(d.closed_at)]

    def by_product(self) -> dict[str, Decimal]:
        won = set(self.closed("won").id)
        names = dict(Product.objects.values_list("id", "name"))
        result: dict[str, Decimal] = {}
        lined = set()
        for line in LineItem.objects.all():
            if line.deal_id in won:
                lined.add(line.deal_id)
                result[names[line.product_id]] = result.get(names[line.product_id],
                                                            Decimal(0)) + line.amount
        rest = [d.amount for d in self.closed("won").itertuples() if d.id not in lined]
        if rest:
            result["(no product)"] = total(rest)
        return {k: v.quantize(CENT) for k, v in result.items()}

    def by_region(self) -> dict[str, Decimal]:
        regions = dict(Company.objects.values_list("id", "region"))
        result: dict[str, Decimal] = {}
        for d in self.closed("won").itertuples():
            key = regions.get(d.company_id) if pd.notna(d.company_id) else None
            key = key or "(none)"
            result[key] = result.get(key, Decimal(0)) + d.amount
        return {k: v.quantize(CENT) for k, v in result.items()}

    def cycle(self) -> tuple[Decimal | None, Decimal | None]:
        won = self.closed("won")
        days = [(pd.Timestamp(r.closed_at) - pd.Timestamp(r.created_at)).total_seconds() / 86400
                for r in won.itertuples()]
        if not days:
            return None, None
        one = Decimal("0.1")
        return (Decimal(str(statistics.median(days))).quantize(one, ROUND_HALF_UP),
                Decimal(str(statistics.mean(days))).quantize(one, ROUND_HALF_UP))

    def quota(self) -> tuple[Decimal | None, Decimal | None]:
        """Team attainment (all won revenue / sum of prorated quotas), share of reps at 100 %."""
        quotas: dict[int, Decimal] = {}
        for q in Quota.objects.all():
            months = 1 if q.period == "month" else 3
            end = (pd.Timestamp(q.start) + pd.DateOffset(months=months)).date()
            days = [q.start + dt.timedelta(days=i) for i in range((end - q.start).days)]
            inside = sum(1 for d in days if self.day_start <= d < self.day_end)
            quotas[q.owner_id] = quotas.get(q.owner_id, Decimal(0)) + (
                q.amount * inside / len(days)).quantize(CENT)
        won = self.closed("won")
        revenue = {o: total(g.amount) for o, g in won.groupby("owner_id")}
        with_quota = [o for o, q in quotas.items() if q]
        at = sum(1 for o in with_quota if revenue.get(o, 0) >= quotas[o])
        return (money_ratio_rate(total(won.amount), sum(quotas.values(), Decimal(0))),
                rate(at, len(with_quota)))

    def pipeline(self) -> tuple[Decimal, Decimal]:
        """Open deals at the end of P (from the stage history when P is over)."""
        stages = {s.pk: s for s in PipelineStage.objects.all()}
        if self.end > self.now:
            rows = [(d.amount, stages[d.stage_id].probability)
                    for d in Deal.objects.filter(status="open")]
        else:
            changes = frame(DealStageChange, "id", "deal_id", "to_stage_id", "at", "amount")
            before = changes[pd.to_datetime(changes["at"], utc=True) < self.end]
            last = before.sort_values(["at", "id"]).groupby("deal_id").tail(1)
            rows = [(r.amount, stages[r.to_stage_id].probability) for r in last.itertuples()
                    if not stages[r.to_stage_id].is_won and not stages[r.to_stage_id].is_lost]
        return (total(a for a, _ in rows),
                sum((a * p for a, p in rows), Decimal(0)).quantize(CENT, ROUND_HALF_UP))

    def clv(self) -> Decimal | None:
        d = self.deals
        won = d[(d.status == "won") & (pd.to_datetime(d.closed_at, utc=True) < self.end)]
        customers = won.company_id.dropna().nunique() + won.company_id.isna().sum()
        return money_ratio(total(won.amount), customers)

    # ---- attribution -----------------------------------------------------------------

    def basis(self, basis: str) -> pd.DataFrame:
        d = self.deals
        if basis == "pipeline":
            return d[self.inside(d.created_at)]
        return self.closed("won")

    def sourced(self, basis: str) -> Decimal:
        primary = dict(DealContact.objects.filter(is_primary=True).values_list(
            "deal_id", "contact__original_campaign"))
        return total(r.amount for r in self.basis(basis).itertuples() if primary.get(r.id))

    def influenced(self, basis: str) -> Decimal:
        utms = set(Campaign.objects.values_list("utm_campaign", flat=True))
        assets = {str(pk) for pk in ContentAsset.objects.values_list("pk", flat=True)}
        contacts: dict[int, list[int]] = {}
        for deal_id, contact_id in DealContact.objects.values_list("deal_id", "contact_id"):
            contacts.setdefault(deal_id, []).append(contact_id)
        e = self.events

        def touched(deal: Any) -> bool:
            until = deal.created_at if basis == "pipeline" else deal.closed_at
            mine = e[e.contact_id.isin(contacts.get(deal.id, []))
                     & (pd.to_datetime(e.timestamp, utc=True) <= pd.Timestamp(until))]
            return any(r.utm_campaign.lower() in utms
                       or str((r.properties or {}).get("asset_id", "")) in assets
                       for r in mine.itertuples())

        return total(r.amount for r in self.basis(basis).itertuples() if touched(r))

    # ---- alignment -------------------------------------------------------------------

    def alignment(self) -> dict[str, Any]:
        a = frame(Assignment, "id", "contact_id", "assigned_at", "due_at", "first_follow_up_at",
                  "decided_at", "outcome", "reason__code")
        acts = frame(Activity, "contact_id", "kind", "at")
        acts = acts[acts.kind.isin(["call", "email", "meeting"])]
        assigned = a[self.inside(a.assigned_at)]
        follow = {}
        for r in assigned.itertuples():
            mine = acts[(acts.contact_id == r.contact_id)
                        & (pd.to_datetime(acts["at"], utc=True) >= pd.Timestamp(r.assigned_at))]
            first = pd.to_datetime(mine["at"], utc=True).min() if len(mine) else None
            stored = r.first_follow_up_at
            follow[r.id] = pd.Timestamp(stored) if stored is not None and pd.notna(stored) \
                else first
        due = {r.id: pd.Timestamp(r.due_at) for r in assigned.itertuples()}
        measurable = [i for i in follow if follow[i] is not None or due[i] <= self.now]
        in_time = [i for i in follow if follow[i] is not None and follow[i] <= due[i]]
        breaches = [i for i in follow if (follow[i] is not None and follow[i] > due[i])
                    or (follow[i] is None and due[i] < self.now)]
        hours = [(follow[r.id] - pd.Timestamp(r.assigned_at)).total_seconds() / 3600
                 for r in assigned.itertuples() if follow[r.id] is not None]
        decided = a[self.inside(a.decided_at)]
        accepted = (decided.outcome == "accepted").sum()
        rejected = (decided.outcome == "rejected").sum()
        sla = SLA.objects.filter(is_active=True).first()
        mqls = len(self.entered("mql"))
        target = prorated(sla, self.day_start, self.day_end) if sla else None
        return {
            "follow_up_compliance": rate(len(in_time), len(measurable)),
            "median_response_hours": round(statistics.median(hours), 2) if hours else None,
            "sla_breaches": len(breaches),
            "mql_acceptance_rate": rate(accepted, accepted + rejected),
            "rejection_reasons": int(rejected),
            "mql_target_attainment": rate_of(mqls, target),
        }


def prorated(sla: SLA, start: dt.date, end: dt.date) -> Decimal:
    """The monthly target over [start, end): each day weighs 1 / the days of its month."""
    amount = Decimal(0)
    day = start
    while day < end:
        days = pd.Timestamp(day).days_in_month
        amount += Decimal(sla.mql_target) / days
        day += dt.timedelta(days=1)
    return amount.quantize(CENT, ROUND_HALF_UP)


def rate_of(numerator: int, denominator: Decimal | None) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) / denominator).quantize(Q4, ROUND_HALF_UP)


def money_ratio_rate(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    if not denominator:
        return None
    return (numerator / denominator).quantize(Q4, ROUND_HALF_UP)


def local_now() -> dt.datetime:
    return timezone.now()

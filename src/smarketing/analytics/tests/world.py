"""A small, varied world for the KPI correctness suite, built through the real services.

Seeded and deterministic. It holds the edge cases KPI.md's numbers must survive:
contacts imported straight into a later stage (stage skipping), MQLs recycled and
qualified again, deals won, lost, reopened and won again, events and stage moves
exactly on period boundaries (in the organisation's time zone) and a microsecond
before them, sessions split by gaps just under and over 30 minutes, anonymous
visitors, email events with repeated opens, daily costs spanning a boundary,
month and quarter quotas, assignments followed up in time, late and never.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

import time_machine
from django.utils import timezone

from smarketing.campaigns.models import Campaign, CampaignCost, ChannelMetric, ContentAsset
from smarketing.core.models import Region
from smarketing.handoff.routing import route_mql
from smarketing.handoff.services import assignment_accept, assignment_reject, follow_up_log
from smarketing.handoff.tests.helpers import make_rule, make_sla
from smarketing.people.lifecycle import contact_recycle, contact_transition
from smarketing.people.models import Cause, Contact, Stage
from smarketing.pipeline.models import Deal
from smarketing.pipeline.services import deal_lose, deal_reopen, deal_win, line_item_add, quota_set
from smarketing.pipeline.tests.factories import make_deal, make_product, reason
from smarketing.testing.factories import make_company, make_contact
from smarketing.tracking.models import Event
from smarketing.tracking.services import source_create

CAMPAIGNS = (("Spring webinar", "events_webinars", "spring-webinar"),
             ("Google brand", "paid_search", "google-brand"),
             ("Newsletter", "email", "newsletter"))
SOURCES = ("organic_search", "paid_search", "email", "referral", "")
REGIONS = (*Region.values, "")


def local(day: dt.date, hour: int = 0, minute: int = 0, micro: int = 0) -> dt.datetime:
    """A moment in the organisation's time zone."""
    naive = dt.datetime.combine(day, dt.time(hour, minute, 0, micro))
    return timezone.make_aware(naive, timezone.get_default_timezone())


class World:
    """Builds the data around a period [start, end) and its previous period."""

    def __init__(self, users: dict[str, Any], start: dt.date, end: dt.date, seed: int = 7):
        self.users, self.start, self.end = users, start, end
        self.rng = random.Random(seed)
        self.reps = [users["rep"], users["rep_b"], users["rep_other"]]
        self.n = 0
        self.source, _ = source_create(actor=None, name="Website", kind="website")

    # ---- helpers ----------------------------------------------------------------

    def moment(self) -> dt.datetime:
        """A random moment from a month before the previous period to a week after
        the period; one in five exactly on a boundary or a microsecond before."""
        days = (self.end - self.start).days
        first = self.start - dt.timedelta(days=days + 20)
        roll = self.rng.random()
        if roll < 0.1:
            return local(self.rng.choice((self.start, self.end)))
        if roll < 0.2:
            return local(self.rng.choice((self.start, self.end))) - dt.timedelta(microseconds=1)
        offset = self.rng.uniform(0, (days * 2 + 27) * 86400)
        return local(first) + dt.timedelta(seconds=offset)

    def event(self, at: dt.datetime, *, contact: Contact | None = None, kind: str = "page",
              name: str = "", anonymous_id: str = "", **fields: Any) -> Event:
        self.n += 1
        return Event.objects.create(
            source=self.source, message_id=f"m{self.n}", type=kind, name=name,
            contact=contact, anonymous_id=anonymous_id or (f"anon-{contact.pk}" if contact
                                                           else f"anon-x{self.n}"),
            timestamp=at, received_at=at + dt.timedelta(days=self.rng.choice((0, 0, 3))),
            **fields,
        )

    # ---- the world ----------------------------------------------------------------

    def build(self) -> World:
        self.campaigns()
        self.contacts = [self.contact(i) for i in range(36)]
        self.web()
        self.email()
        self.deals()
        self.quotas()
        return self

    def campaigns(self) -> None:
        self.campaign_rows = [
            Campaign.objects.create(name=name, channel=channel, utm_campaign=utm,
                                    start_date=self.start - dt.timedelta(days=90))
            for name, channel, utm in CAMPAIGNS
        ]
        self.asset = ContentAsset.objects.create(title="Guide", type="ebook",
                                                 campaign=self.campaign_rows[0])
        first, last = self.start - dt.timedelta(days=3), self.start + dt.timedelta(days=2)
        CampaignCost.objects.create(campaign=self.campaign_rows[0], kind="daily",
                                    amount=Decimal("10.50"), start_date=first, end_date=last)
        for day in (self.start - dt.timedelta(days=1), self.start, self.end,
                    self.end - dt.timedelta(days=1)):
            CampaignCost.objects.create(campaign=self.campaign_rows[1], kind="lump_sum",
                                        amount=Decimal("333.33"), start_date=day, end_date=day)
        for offset in range(-3, 4):
            for day in (self.start + dt.timedelta(days=offset),
                        self.end + dt.timedelta(days=offset)):
                ChannelMetric.objects.get_or_create(
                    campaign=self.campaign_rows[2], day=day,
                    defaults={"spend": Decimal("7.25"), "likes": 3 + offset, "shares": 2,
                              "comments": offset % 3, "clicks": 5})

    def contact(self, i: int) -> Contact:
        """A contact with a random journey: some skip stages, some are recycled."""
        campaign = self.rng.choice((*CAMPAIGNS, None))
        company = make_company(region=self.rng.choice(REGIONS)) if i % 3 else None
        moments = sorted(self.moment() for _ in range(4))
        first_stage = self.rng.choice((Stage.SUBSCRIBER, Stage.LEAD, Stage.LEAD, Stage.MQL,
                                       Stage.SQL))
        contact = make_contact(
            first_stage, at=moments[0], company=company,
            owner=self.rng.choice((*self.reps, None)),
            original_source=self.rng.choice(SOURCES),
            original_campaign=campaign[2] if campaign else "",
        )
        self.journey(contact, first_stage, moments[1:])
        contact.refresh_from_db()
        return contact

    def journey(self, contact: Contact, stage: str, moments: list[dt.datetime]) -> None:
        if stage == Stage.SUBSCRIBER and self.rng.random() < 0.7:
            contact_transition(contact=contact, to_stage=Stage.LEAD, cause=Cause.TRACKING,
                               at=moments[0])
            stage = Stage.LEAD
        if stage == Stage.LEAD and self.rng.random() < 0.6:
            contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING,
                               at=moments[1])
            stage = Stage.MQL
        if stage == Stage.MQL and self.rng.random() < 0.3:  # recycled, qualified again
            contact_recycle(contact=contact, actor=self.users["rep"], reason="not now",
                            at=moments[2])
            contact_transition(contact=contact, to_stage=Stage.MQL, cause=Cause.SCORING,
                               at=moments[2] + dt.timedelta(hours=5))

    def web(self) -> None:
        """Page and track events: sessions with gaps of 29 and 31 minutes, anonymous
        visitors, bounces, events a microsecond around the boundaries."""
        for contact in self.contacts[:24]:
            at = self.moment()
            for gap in self.rng.sample((1, 29, 30, 31, 45, 5), k=self.rng.randint(1, 4)):
                kind = self.rng.choice(("page", "page", "track"))
                self.event(at, contact=contact, kind=kind,
                           name="Form Submitted" if kind == "track" else "Home",
                           utm_campaign=self.rng.choice(("spring-webinar", "", "unknown")))
                at += dt.timedelta(minutes=gap)
        for k in range(10):
            at = self.moment()
            self.event(at, anonymous_id=f"visitor-{k % 6}")
            if k % 2:
                self.event(at + dt.timedelta(minutes=10), anonymous_id=f"visitor-{k % 6}",
                           kind="track", name="Asset Downloaded")
        for contact in self.contacts[24:28]:  # touches by content asset
            self.event(self.moment(), contact=contact, kind="track", name="Asset Downloaded",
                       properties={"asset_id": self.asset.pk})

    def email(self) -> None:
        for contact in self.contacts[::2]:
            for message in ("e1", "e2"):
                at = self.moment()
                self.event(at, contact=contact, kind="track", name="Email Delivered",
                           properties={"email_id": message})
                for _ in range(self.rng.choice((0, 1, 2))):  # repeated opens count once
                    self.event(at + dt.timedelta(hours=1), contact=contact, kind="track",
                               name="Email Opened", properties={"email_id": message})
                if self.rng.random() < 0.3:
                    self.event(at + dt.timedelta(hours=2), contact=contact, kind="track",
                               name="Email Link Clicked", properties={"email_id": message})

    def deals(self) -> None:
        """Deals created around the period; won, lost, reopened and won again."""
        products = [make_product(f"P{k}", price=str(100 * (k + 1))) for k in range(3)]
        candidates = [c for c in self.contacts if c.lifecycle_stage in ("mql", "sql", "lead")]
        for k, contact in enumerate(candidates[:14]):
            created = max(self.moment(), self._last_move(contact))
            owner = self.reps[k % 3]
            deal = make_deal(owner, amount=str(1000 + 250 * k), contacts=[contact], at=created,
                             company=contact.company)
            if k % 3 == 0:
                line_item_add(deal=deal, actor=owner, product=products[k % 3], quantity=k + 1)
                line_item_add(deal=deal, actor=owner, product=products[(k + 1) % 3])
            self.close(deal, created, k)

    def _last_move(self, contact: Contact) -> dt.datetime:
        return contact.stage_changes.order_by("-at").values_list("at", flat=True).first()

    def close(self, deal: Deal, created: dt.datetime, k: int) -> None:
        closed = created + dt.timedelta(days=self.rng.uniform(0.5, 40))
        if k % 4 == 0:
            deal_win(deal=deal, actor=deal.owner, at=closed)
        elif k % 4 == 1:
            deal_lose(deal=deal, actor=deal.owner, reason=reason(), at=closed)
        elif k % 4 == 2:  # won, reopened, won again later
            deal_win(deal=deal, actor=deal.owner, at=closed)
            deal_reopen(deal=deal, actor=deal.owner, at=closed + dt.timedelta(days=3))
            if k % 8 == 2:
                deal_win(deal=deal, actor=deal.owner, at=closed + dt.timedelta(days=9))

    def quotas(self) -> None:
        month = self.start.replace(day=1)
        quota_set(actor=None, owner=self.reps[0], period="month", start=month, amount="5000")
        quarter = month.replace(month=3 * ((month.month - 1) // 3) + 1)
        quota_set(actor=None, owner=self.reps[1], period="quarter", start=quarter,
                  amount="9000")

    # ---- the handoff ----------------------------------------------------------------

    def handoff(self, team: Any) -> None:
        """MQLs of the period routed to reps; followed up in time, late or never;
        accepted or rejected with a reason."""
        make_rule(team)
        make_sla(follow_up_hours=8, mql_target=20, period="month")
        for i, contact in enumerate(self.contacts[:20]):
            self.assign(contact, i)

    def assign(self, contact: Contact, i: int) -> None:
        when = self.moment()
        with time_machine.travel(when, tick=False):
            fresh = make_contact(Stage.LEAD, at=when, original_campaign=contact.original_campaign,
                                 original_source=contact.original_source)
            contact_transition(contact=fresh, to_stage=Stage.MQL, cause=Cause.SCORING, at=when)
            assignment = route_mql(contact_id=fresh.pk, at=when)
        if assignment is None:
            return
        if i % 3:
            follow = when + dt.timedelta(hours=(2, 11)[i % 2])
            with time_machine.travel(follow, tick=False):
                follow_up_log(assignment=assignment, actor=assignment.rep, kind="call")
        decided = when + dt.timedelta(hours=20)
        if i % 4 == 1:
            assignment_accept(assignment=assignment, actor=assignment.rep, at=decided)
        elif i % 4 == 2:
            assignment_reject(assignment=assignment, actor=assignment.rep,
                              reason=("no_budget", "not_a_fit")[i % 2], at=decided)

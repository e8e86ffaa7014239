"""Demo handoff data for `smarketing generate` (a generate extension registered in
HandoffConfig.ready()), consistent with the contacts' stage histories.

- An office calendar (the organisation's zone, Monday to Friday 9:00-17:00, New
  Year and Christmas off) and two SLA versions: v1 from the window's start (8
  business hours, a monthly MQL target near the real monthly flow), v2 sixty days
  before its end (6 business hours, a higher target).
- A routing rule per regional sales team (region condition, the team's manager as
  fallback) and a catch-all to the first team.
- One assignment per MQL entry of the stage history (`mql_change`): to the
  company's owner (account-based) or, without a company, round-robin in the
  catch-all team; due by the SLA version then in force. The next stage change
  decides it: `sql` by handoff = accepted, recycled to `lead` = rejected with the
  managed reason matching the recycle reason; none = still open.
- First follow-ups as logged calls, emails and meetings: mostly in time, some
  late, some never (breaches), none after the decision; recent open MQLs partly
  not yet followed up (live countdowns, a few open breaches).
- Contacts keep the generator's owners (set once they reached `sql`); the
  assignment rows name the rep.
- Notifications already sent for everything due more than a day ago (a worker
  started on the demo sends the rest, once); the reps' recent assignments in
  the bell.
Deterministic per seed; bulk inserts.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from smarketing.core.models import Notification, Role, Team
from smarketing.handoff.business_hours import CalendarSpec, add_business_hours
from smarketing.handoff.models import (
    SLA,
    Assignment,
    Holiday,
    Outcome,
    RejectionReason,
    RoutedBy,
    RoutingCredit,
    RoutingRule,
    WorkingCalendar,
)
from smarketing.handoff.reasons import ensure_default_reasons
from smarketing.people.generate.extensions import GenerateContext
from smarketing.people.models import Stage, StageChange
from smarketing.pipeline.models import Activity

DAY = dt.timedelta(days=1)
FOLLOW_UP_SUBJECT = "(MQL follow-up)"
NOTIFICATION_KINDS = ("mql.assigned", "sla.warning", "sla.breached")
REASON_CODES = {  # the generator's recycle reasons -> the managed list
    "No budget this year": ("no_budget", ""),
    "Not the decision maker": ("no_authority", ""),
    "Bad timing: revisit next quarter": ("no_need_bad_timing", ""),
    "Student or job seeker": ("student_job_seeker", ""),
    "Competitor": ("competitor", ""),
    "Already a customer of a competitor, locked in": ("not_a_fit", "Locked in with a competitor"),
    "No response after 5 attempts": ("other", "No response after 5 attempts"),
    "Wrong region or segment": ("not_a_fit", "Wrong region or segment"),
}
KINDS = ("call", "call", "email", "email", "meeting")


@dataclass
class Entry:
    """One MQL entry of a contact's history and the change that followed it."""

    change_id: int
    contact_id: int
    at: dt.datetime
    company_owner: int | None
    name: str
    next_to: str = ""
    next_cause: str = ""
    next_at: dt.datetime | None = None
    next_reason: str = ""


def clear_handoff_data() -> None:
    """Delete generated assignments, rules, SLAs, calendars, follow-ups (for --force)."""
    Notification.objects.filter(kind__in=NOTIFICATION_KINDS).delete()
    Activity.objects.filter(subject__endswith=FOLLOW_UP_SUBJECT).delete()
    for model in (Assignment, RoutingCredit, RoutingRule, SLA, Holiday, WorkingCalendar):
        model._default_manager.all().delete()


def _calendar(start: dt.datetime, end: dt.datetime) -> WorkingCalendar:
    calendar = WorkingCalendar.objects.create(
        name="Head office", time_zone=str(timezone.get_default_timezone()),
        working_days=[0, 1, 2, 3, 4], day_start=dt.time(9), day_end=dt.time(17),
    )
    Holiday.objects.bulk_create(
        Holiday(calendar=calendar, date=dt.date(year, month, day), name=name)
        for year in range(start.year, end.year + 1)
        for month, day, name in ((1, 1, "New Year's Day"), (12, 25, "Christmas Day"))
    )
    return calendar


def _slas(entries: list[Entry], start: dt.datetime, end: dt.datetime) -> list[SLA]:
    calendar = _calendar(start, end)
    months = max(1.0, (end - start).days / 30.4)
    monthly = max(5, round(len(entries) / months * 1.1 / 5) * 5)
    admin = User.objects.filter(username="admin").first()
    common = {"period": "month", "warning_share": Decimal("0.75"), "calendar": calendar,
              "created_by": admin}
    first = SLA.objects.create(
        version=1, mql_target=monthly, follow_up_hours=Decimal(8), created_at=start,
        change_note="First agreement: a working day to follow up", **common,
    )
    second = SLA.objects.create(
        version=2, is_active=True, mql_target=round(monthly * 1.2 / 5) * 5,
        follow_up_hours=Decimal(6), created_at=max(start + DAY, end - 60 * DAY),
        change_note="Quarterly review: more MQLs, faster follow-up", **common,
    )
    return [first, second]


def _rules() -> dict[int, list[int]]:
    """A rule per regional team, a catch-all last; returns team id -> its reps."""
    teams = list(Team.objects.exclude(region="").order_by("id"))
    reps: dict[int, list[int]] = defaultdict(list)
    managers: dict[int, int] = {}
    people = User.objects.filter(profile__team__in=teams).order_by("id")
    for pk, role, team_id in people.values_list("pk", "profile__role", "profile__team_id"):
        if role == Role.SALES_REP:
            reps[team_id].append(pk)
        elif role == Role.SALES_MANAGER:
            managers.setdefault(team_id, pk)
    for position, team in enumerate(teams, start=1):
        RoutingRule.objects.create(
            position=position, name=f"{team.region} accounts", team=team,
            conditions={"region": [team.region]}, fallback_owner_id=managers.get(team.pk),
        )
    if teams:
        RoutingRule.objects.create(
            position=len(teams) + 1, name="Everyone else", team=teams[0], conditions={},
            fallback_owner_id=managers.get(teams[0].pk),
        )
    return {team.pk: reps[team.pk] for team in teams if reps[team.pk]}


def _entries() -> list[Entry]:
    changes = StageChange.objects.filter(contact__became_mql_at__isnull=False).order_by(
        "contact_id", "at", "id"
    ).values_list("id", "contact_id", "to_stage", "cause", "at", "reason",
                  "contact__company__owner_id", "contact__first_name", "contact__last_name")
    entries: list[Entry] = []
    previous: Entry | None = None
    for pk, contact_id, to_stage, cause, at, reason, owner, first, last in changes.iterator(
        chunk_size=10_000
    ):
        if previous is not None and previous.contact_id == contact_id and not previous.next_to:
            previous.next_to, previous.next_cause = to_stage, cause
            previous.next_at, previous.next_reason = at, reason
        previous = None
        if to_stage == Stage.MQL:
            previous = Entry(pk, contact_id, at, owner, f"{first} {last}".strip())
            entries.append(previous)
    return entries


class HandoffMaker:
    """Builds the assignments and follow-ups of every MQL entry, deterministically."""

    def __init__(self, context: GenerateContext, slas: list[SLA], teams: dict[int, list[int]]):
        self.rng = random.Random(f"{context.seed}:handoff")
        self.end = dt.datetime.fromtimestamp(context.end, dt.UTC)
        self.slas = slas
        self.spec: CalendarSpec | None = slas[0].calendar.spec() if slas[0].calendar else None
        self.catch_all: tuple[int | None, list[int]] = next(iter(teams.items()), (None, []))
        self.turn = 0
        self.reasons = {r.code: r for r in RejectionReason.objects.all()}
        self.assignments: list[Assignment] = []
        self.activities: list[Activity] = []

    def sla_at(self, at: dt.datetime) -> SLA:
        return self.slas[1] if at >= self.slas[1].created_at else self.slas[0]

    def rep_for(self, entry: Entry) -> tuple[int | None, str, int | None]:
        """(rep, routed_by, team): the account owner, else round-robin in the catch-all."""
        if entry.company_owner:
            return entry.company_owner, RoutedBy.ACCOUNT_OWNER, None
        team, reps = self.catch_all
        if not reps:
            return None, "", None
        self.turn += 1
        return reps[self.turn % len(reps)], RoutedBy.RULE, team

    def add(self, entry: Entry) -> None:
        rep, routed_by, team = self.rep_for(entry)
        if rep is None or entry.at >= self.end:
            return
        sla = self.sla_at(entry.at)
        hours = float(sla.follow_up_hours)
        row = Assignment(
            contact_id=entry.contact_id, rep_id=rep, team_id=team, routed_by=routed_by,
            mql_change_id=entry.change_id, sla=sla, assigned_at=entry.at,
            due_at=add_business_hours(entry.at, hours, self.spec),
            warn_at=add_business_hours(entry.at, hours * float(sla.warning_share), self.spec),
        )
        self._decide(row, entry)
        self._follow_up(row, hours)
        self._notified(row)
        self.assignments.append(row)

    def _decide(self, row: Assignment, entry: Entry) -> None:
        if entry.next_at is None or entry.next_at >= self.end:
            return
        if entry.next_to == Stage.LEAD:  # recycled by the rep: a rejection
            code, note = REASON_CODES.get(entry.next_reason, ("other", entry.next_reason))
            row.outcome, row.reason, row.note = Outcome.REJECTED, self.reasons[code], note
        else:  # to sql by handoff (or further on)
            row.outcome = Outcome.ACCEPTED
        row.decided_at, row.decided_by_id = max(entry.next_at, row.assigned_at), row.rep_id

    def _follow_up_at(self, row: Assignment, hours: float) -> dt.datetime | None:
        """In time for most, late for some, never for a few; recent ones may be pending."""
        roll = self.rng.random()
        recent = self.end - row.assigned_at < 3 * DAY and row.outcome == Outcome.OPEN
        if roll < (0.45 if recent else 0.08):
            return None
        late = self.rng.random() < 0.22
        share = self.rng.uniform(1.1, 3.0) if late else self.rng.uniform(0.05, 0.95)
        at = add_business_hours(row.assigned_at, hours * share, self.spec)
        if row.decided_at is not None and at > row.decided_at:
            at = row.assigned_at + (row.decided_at - row.assigned_at) * self.rng.uniform(0.2, 0.9)
        return at if at < self.end else None

    def _follow_up(self, row: Assignment, hours: float) -> None:
        at = self._follow_up_at(row, hours)
        if at is None:
            return
        row.first_follow_up_at = at
        kind = self.rng.choice(KINDS)
        self.activities.append(Activity(
            kind=kind, subject=f"{kind.capitalize()} {FOLLOW_UP_SUBJECT}", at=at, done_at=at,
            owner_id=row.rep_id, contact_id=row.contact_id, created_at=at,
        ))

    def _notified(self, row: Assignment) -> None:
        """What a worker would already have sent: warnings and breaches due > 1 day ago."""
        settled = self.end - DAY
        stopped = row.first_follow_up_at or row.decided_at
        if row.warn_at < settled and (stopped is None or stopped > row.warn_at):
            row.warned_at = row.warn_at
        if row.due_at < settled and (stopped is None or stopped > row.due_at):
            row.breached_notified_at = row.due_at


def _bell(assignments: list[Assignment], end: dt.datetime) -> list[Notification]:
    """The in-app `mql.assigned` of the reps' open MQLs (read once older than two days)."""
    return [
        Notification(
            user_id=row.rep_id, kind="mql.assigned", title="New MQL assigned to you",
            body=f"Follow up by {row.due_at:%Y-%m-%d %H:%M} UTC.", url="/inbox/",
            dedupe_key=f"mql.assigned:{row.pk}", created_at=row.assigned_at,
            read_at=row.assigned_at + DAY if end - row.assigned_at > 2 * DAY else None,
        )
        for row in assignments
        if row.outcome == Outcome.OPEN
    ]


def _summary(assignments: list[Assignment], activities: int) -> str:
    outcomes: dict[str, int] = defaultdict(int)
    for row in assignments:
        outcomes[row.outcome] += 1
    late = sum(1 for r in assignments if r.first_follow_up_at and r.first_follow_up_at > r.due_at)
    return (
        f"Handoff: 2 SLA versions, {RoutingRule.objects.count()} routing rules, "
        f"{len(assignments):,} assignments ({outcomes[Outcome.ACCEPTED]:,} accepted, "
        f"{outcomes[Outcome.REJECTED]:,} rejected, {outcomes[Outcome.OPEN]:,} open), "
        f"{activities:,} follow-ups ({late:,} late)."
    )


@transaction.atomic
def generate_handoff(context: GenerateContext) -> list[str]:
    """The extension: SLA, routing and assignments with follow-ups and decisions."""
    ensure_default_reasons()
    entries = _entries()
    start = dt.datetime.fromtimestamp(context.start, dt.UTC)
    end = dt.datetime.fromtimestamp(context.end, dt.UTC)
    maker = HandoffMaker(context, _slas(entries, start, end), _rules())
    for entry in entries:
        maker.add(entry)
    Assignment.objects.bulk_create(maker.assignments, batch_size=2000)
    Activity.objects.bulk_create(maker.activities, batch_size=2000)
    Notification.objects.bulk_create(_bell(maker.assignments, end), batch_size=2000)
    return [_summary(maker.assignments, len(maker.activities))]

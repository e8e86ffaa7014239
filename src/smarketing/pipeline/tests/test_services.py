"""Deals through their lifecycle, line items, activities and quotas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import Cause, Contact, Stage, StageChange
from smarketing.pipeline.models import (
    Activity,
    ActivityKind,
    Deal,
    DealStageChange,
    DealStatus,
    Pipeline,
    PipelineStage,
    Quota,
)
from smarketing.pipeline.selectors import DealFilters, deal_is_stalled, deal_list, with_stalled
from smarketing.pipeline.services import (
    activity_log,
    deal_delete,
    deal_lose,
    deal_move_stage,
    deal_reopen,
    deal_update,
    deal_win,
    default_pipeline,
    line_item_add,
    line_item_remove,
    line_item_update,
    quota_set,
    task_complete,
)
from smarketing.pipeline.tests.factories import make_deal, make_product, reason, stage
from smarketing.testing.factories import make_company, make_contact

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_the_default_pipeline_has_six_ordered_stages_and_is_created_once() -> None:
    first, again = default_pipeline(), default_pipeline()
    assert first == again and Pipeline.objects.count() == 1
    names = list(first.stages.order_by("order").values_list("name", flat=True))
    assert names == ["Discovery", "Demo", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
    won = first.stages.get(is_won=True)
    assert (won.name, won.probability, won.forecast_category) == ("Closed Won", 1, "closed_won")


def test_opening_a_deal_makes_its_contacts_opportunities(users: dict[str, Any]) -> None:
    sql, customer = make_contact(Stage.SQL), make_contact(Stage.CUSTOMER)
    make_deal(users["rep"], contacts=[sql, customer])
    sql.refresh_from_db(); customer.refresh_from_db()  # noqa: E702
    assert sql.lifecycle_stage == Stage.OPPORTUNITY and sql.became_opportunity_at is not None
    assert sql.stage_changes.last().cause == Cause.PIPELINE
    assert customer.lifecycle_stage == Stage.CUSTOMER  # forward-only: left alone


def test_the_source_campaign_defaults_from_the_primary_contact(users: dict[str, Any]) -> None:
    first = make_contact(Stage.SQL, original_campaign="Ebook Q1")
    second = make_contact(Stage.SQL, original_campaign="Webinar")
    deal = make_deal(users["rep"], contacts=[first, second])
    assert deal.source_campaign == "Ebook Q1"
    explicit = make_deal(users["rep"], contacts=[first], source_campaign="Trade show")
    assert explicit.source_campaign == "Trade show"


def test_moving_a_deal_records_from_to_when_and_who(users: dict[str, Any]) -> None:
    rep = users["rep"]
    deal = make_deal(rep, at=T0)
    deal_move_stage(deal=deal, actor=rep, stage=stage("Demo"), at=T0 + dt.timedelta(days=3))
    rows = list(DealStageChange.objects.filter(deal=deal).order_by("at"))
    assert [(r.from_stage and r.from_stage.name, r.to_stage.name) for r in rows] == [
        (None, "Discovery"), ("Discovery", "Demo")]
    assert rows[1].actor == rep and rows[1].at == T0 + dt.timedelta(days=3)
    deal_move_stage(deal=deal, actor=rep, stage=stage("Demo"))
    assert DealStageChange.objects.filter(deal=deal).count() == 2  # same stage: nothing


def test_winning_makes_contacts_customers_once(users: dict[str, Any]) -> None:
    contact = make_contact(Stage.SQL)
    deal = make_deal(users["rep"], contacts=[contact])
    won = deal_win(deal=deal, actor=users["rep"])
    assert (won.status, won.stage.name) == (DealStatus.WON, "Closed Won")
    assert won.closed_at is not None
    deal_win(deal=won, actor=users["rep"])
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.CUSTOMER
    moves = list(StageChange.objects.filter(contact=contact).values_list("to_stage", flat=True))
    assert moves == [Stage.SQL, Stage.OPPORTUNITY, Stage.CUSTOMER]
    assert DealStageChange.objects.filter(deal=deal).count() == 2


def test_moving_to_the_won_stage_is_a_win(users: dict[str, Any]) -> None:
    contact = make_contact(Stage.SQL)
    deal = make_deal(users["rep"], contacts=[contact])
    deal_move_stage(deal=deal, actor=users["rep"], stage=stage("Closed Won"))
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.CUSTOMER


def test_losing_needs_a_reason_and_leaves_contacts_as_they_are(users: dict[str, Any]) -> None:
    contact = make_contact(Stage.SQL)
    deal = make_deal(users["rep"], contacts=[contact])
    with pytest.raises(ValidationFailed) as refused:
        deal_move_stage(deal=deal, actor=users["rep"], stage=stage("Closed Lost"))
    assert refused.value.field == "lost_reason"
    lost = deal_lose(deal=deal, actor=users["rep"], reason=reason("Competitor"), note="Went with X")
    assert (lost.status, lost.lost_reason.name, lost.lost_note) == ("lost", "Competitor",
                                                                    "Went with X")
    contact.refresh_from_db()
    assert contact.lifecycle_stage == Stage.OPPORTUNITY


def test_reopening_is_recorded_and_a_second_win_counts_once(users: dict[str, Any]) -> None:
    rep = users["rep"]
    deal = make_deal(rep, stage_name="Negotiation", at=T0)
    deal_win(deal=deal, actor=rep, at=T0 + dt.timedelta(days=1))
    reopened = deal_reopen(deal=deal, actor=rep, at=T0 + dt.timedelta(days=2))
    assert (reopened.status, reopened.stage.name, reopened.closed_at) == ("open", "Negotiation",
                                                                          None)
    deal_win(deal=deal, actor=rep, at=T0 + dt.timedelta(days=5))
    won = Deal.objects.filter(status=DealStatus.WON)
    assert won.count() == 1 and won.get().closed_at == T0 + dt.timedelta(days=5)
    path = DealStageChange.objects.filter(deal=deal).values_list("to_stage__name", flat=True)
    assert list(path) == ["Negotiation", "Closed Won", "Negotiation", "Closed Won"]


def test_reopening_an_open_deal_is_refused(users: dict[str, Any]) -> None:
    deal = make_deal(users["rep"])
    with pytest.raises(ValidationFailed) as refused:
        deal_reopen(deal=deal, actor=users["rep"])
    assert refused.value.field == "status"


def test_a_stage_of_another_pipeline_is_refused(users: dict[str, Any]) -> None:
    renewals = Pipeline.objects.create(name="Renewals")
    other = PipelineStage.objects.create(
        pipeline=renewals, name="Due", order=1, probability=Decimal("0.9"),
        forecast_category="commit",
    )
    deal = make_deal(users["rep"])
    with pytest.raises(ValidationFailed) as refused:
        deal_move_stage(deal=deal, actor=users["rep"], stage=other)
    assert refused.value.field == "stage"


def test_the_amount_is_the_decimal_sum_of_the_line_items(users: dict[str, Any]) -> None:
    rep = users["rep"]
    deal = make_deal(rep, amount="5000")
    seats = make_product(price="19.99")
    line = line_item_add(deal=deal, actor=rep, product=seats, quantity=3,
                         discount_percent="10")
    assert line.amount == Decimal("53.97")  # 59.97 * 0.9 = 53.973
    line_item_add(deal=deal, actor=rep, product=make_product(price="0.10"), quantity=3)
    deal.refresh_from_db()
    assert deal.amount == Decimal("54.27") and isinstance(deal.amount, Decimal)
    line_item_update(line=line, actor=rep, quantity=1, discount_percent="0")
    deal.refresh_from_db()
    assert deal.amount == Decimal("20.29")


def test_the_amount_cannot_be_typed_over_line_items(users: dict[str, Any]) -> None:
    rep = users["rep"]
    deal = make_deal(rep)
    line = line_item_add(deal=deal, actor=rep, product=make_product(price="300"))
    with pytest.raises(ValidationFailed) as refused:
        deal_update(deal=deal, actor=rep, amount="1")
    assert refused.value.field == "amount"
    line_item_remove(line=line, actor=rep)
    deal.refresh_from_db()
    assert deal.amount == Decimal("300.00")
    assert deal_update(deal=deal, actor=rep, amount="250.5").amount == Decimal("250.50")


@pytest.mark.parametrize("bad", [12.5, "-1", "NaN", "abc"])
def test_money_must_be_a_non_negative_decimal(users: dict[str, Any], bad: Any) -> None:
    with pytest.raises(ValidationFailed) as refused:
        make_deal(users["rep"], amount=bad)
    assert refused.value.field == "amount"


def test_a_deal_opened_in_a_closed_stage_is_refused(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        make_deal(users["rep"], stage_name="Closed Won")
    assert refused.value.field == "stage"


def test_a_deal_longer_than_its_stage_limit_is_stalled(users: dict[str, Any]) -> None:
    deal = make_deal(users["rep"], stage_name="Discovery", at=T0)  # limit 21 days
    assert not deal_is_stalled(deal, T0 + dt.timedelta(days=21))
    assert deal_is_stalled(deal, T0 + dt.timedelta(days=22))
    rows = with_stalled(deal_list(DealFilters()), T0 + dt.timedelta(days=22))
    assert [d.stalled for d in rows] == [True]
    deal_move_stage(deal=deal, actor=users["rep"], stage=stage("Demo"),
                    at=T0 + dt.timedelta(days=22))
    deal.refresh_from_db()
    assert not deal_is_stalled(deal, T0 + dt.timedelta(days=23))


def test_a_note_is_done_when_logged_and_a_task_when_completed(users: dict[str, Any]) -> None:
    rep = users["rep"]
    contact = make_contact(Stage.SQL, company=make_company())
    with time_machine.travel(T0, tick=False):
        note = activity_log(actor=rep, kind=ActivityKind.CALL, subject="Intro call",
                            outcome="Connected", contact=contact)
        with pytest.raises(ValidationFailed) as refused:
            activity_log(actor=rep, kind=ActivityKind.TASK, subject="Send deck", contact=contact)
        task = activity_log(actor=rep, kind=ActivityKind.TASK, subject="Send deck",
                            contact=contact, due_at=T0 + dt.timedelta(days=1))
    assert refused.value.field == "due_at"
    assert note.done_at == T0 and note.company == contact.company
    assert task.done_at is None and task.is_open_task
    done = task_complete(activity=task, actor=rep, at=T0 + dt.timedelta(hours=3))
    assert task_complete(activity=done, actor=rep).done_at == T0 + dt.timedelta(hours=3)


def test_an_activity_must_be_linked_to_something(users: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as refused:
        activity_log(actor=users["rep"], kind="note", subject="Loose")
    assert refused.value.field == "contact_id"
    assert Activity.objects.count() == 0


def test_a_quota_starts_a_period_and_may_be_changed(users: dict[str, Any]) -> None:
    rep = users["rep"]
    quota_set(actor=None, owner=rep, period="quarter", start=dt.date(2026, 4, 1), amount="90000")
    quota_set(actor=None, owner=rep, period="quarter", start=dt.date(2026, 4, 1), amount="99000")
    assert Quota.objects.get().amount == Decimal("99000.00")
    with pytest.raises(ValidationFailed) as not_a_start:
        quota_set(actor=None, owner=rep, period="quarter", start=dt.date(2026, 5, 1), amount="1")
    assert not_a_start.value.field == "start"


def test_a_month_quota_inside_a_quarter_quota_is_refused(users: dict[str, Any]) -> None:
    rep = users["rep"]
    quota_set(actor=None, owner=rep, period="quarter", start=dt.date(2026, 4, 1), amount="90000")
    with pytest.raises(ValidationFailed) as refused:
        quota_set(actor=None, owner=rep, period="month", start=dt.date(2026, 5, 1), amount="1")
    assert refused.value.field == "period"
    quota_set(actor=None, owner=rep, period="month", start=dt.date(2026, 7, 1), amount="30000")
    assert Quota.objects.count() == 2


def test_deleting_a_deal_keeps_its_activities_on_the_contact_and_company(
    users: dict[str, Any],
) -> None:
    rep = users["rep"]
    company = make_company(name="Acme")
    ada = make_contact(Stage.SQL, company=company)
    deal = make_deal(rep, contacts=[ada], company=company)
    call = activity_log(actor=rep, kind="call", subject="Intro", contact=ada, deal=deal)
    note = activity_log(actor=rep, kind="note", subject="Budget", deal=deal)
    deal_delete(deal=deal, actor=rep)
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert not DealStageChange.objects.filter(deal_id=deal.pk).exists()
    assert Activity.objects.filter(pk=call.pk, contact=ada, deal=None).exists()
    assert Activity.objects.filter(pk=note.pk, company=company, deal=None).exists()
    assert Contact.objects.get(pk=ada.pk).lifecycle_stage == Stage.OPPORTUNITY

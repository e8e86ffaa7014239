"""The pipeline pages: board, deal page, my work, contact panel, forecast, quotas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from smarketing.core.periods import quarter_of
from smarketing.people.models import Stage
from smarketing.pipeline.models import Activity, Deal, DealStatus, Quota
from smarketing.pipeline.services import activity_log, deal_win, quota_set
from smarketing.pipeline.tests.factories import make_deal, make_product, reason, stage
from smarketing.testing.factories import make_contact

pytestmark = pytest.mark.django_db


def test_the_board_shows_columns_with_totals_and_weighted_totals(
    users: dict[str, Any], as_user: Any
) -> None:
    make_deal(users["rep"], amount="1000", stage_name="Proposal", name="Alpha")
    make_deal(users["rep_b"], amount="3000", stage_name="Proposal", name="Beta")
    response = as_user("marketing").get("/deals/")
    assert response.status_code == 200
    columns = {c.stage.name: c for c in response.context["board"].columns}
    assert (columns["Proposal"].count, columns["Proposal"].total,
            columns["Proposal"].weighted) == (2, Decimal("4000"), Decimal("2000.00"))
    assert columns["Discovery"].count == 0
    assert response.context["changeable"] == set()  # marketing moves nothing
    assert b"Alpha" in response.content


def test_the_board_filters_by_owner_and_close_period(users: dict[str, Any], as_user: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 5, tzinfo=dt.UTC), tick=False):
        make_deal(users["rep"], close=dt.date(2026, 5, 20), name="May")
        make_deal(users["rep"], close=dt.date(2026, 9, 20), name="September")
        make_deal(users["rep_b"], close=dt.date(2026, 5, 20), name="Theirs")
        client = as_user("rep")
        this_month = client.get("/deals/", {"close": "this_month"}, headers={"HX-Target": "board"})
        mine = client.get("/deals/", {"owner": users["rep"].pk})
    names = lambda r: sorted(d.name for c in r.context["board"].columns for d in c.deals)  # noqa: E731
    assert names(this_month) == ["May", "Theirs"]
    assert this_month.templates[0].name == "pipeline/_board.html"
    assert names(mine) == ["May", "September"]
    assert mine.context["changeable"] == {d.pk for d in Deal.objects.filter(owner=users["rep"])}


def test_a_column_shows_25_cards_and_loads_the_next_ones_under_the_filters(
    users: dict[str, Any], as_user: Any
) -> None:
    for n in range(30):
        make_deal(users["rep"], amount="10", stage_name="Demo", name=f"Mine {n:02}",
                  close=dt.date(2026, 12, 1) + dt.timedelta(days=n))
    make_deal(users["rep_b"], amount="10", stage_name="Demo", name="Theirs")
    client = as_user("rep")
    board = client.get("/deals/", {"owner": users["rep"].pk})
    demo = {c.stage.name: c for c in board.context["board"].columns}["Demo"]
    assert (len(demo.deals), demo.count, demo.total) == (25, 30, Decimal("300"))
    assert b'data-testid="load-more-demo"' in board.content
    more = client.get(f"/deals/column/{stage('Demo').pk}/",
                      {"offset": 25, "owner": users["rep"].pk})
    assert [d.name for d in more.context["deals"]] == [f"Mine {n}" for n in range(25, 30)]
    assert more.context["next_offset"] is None and b"Load more" not in more.content
    assert more.context["changeable"] == {d.pk for d in more.context["deals"]}
    assert client.get(f"/deals/column/{stage('Demo').pk}/", {"offset": "x"}).status_code == 400
    assert client.get("/deals/column/999999/").status_code == 404


def test_the_board_runs_a_fixed_number_of_queries_however_many_cards(
    users: dict[str, Any], as_user: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(40):
        make_deal(users["rep" if n % 2 else "rep_b"], stage_name=("Demo", "Proposal")[n % 2])
    client = as_user("manager")
    with django_assert_max_num_queries(20):
        response = client.get("/deals/")
    assert len(response.context["changeable"]) == 40  # the manager's team owns them all


def test_moving_from_the_board_answers_the_board_again(users: dict[str, Any], as_user: Any) -> None:
    deal = make_deal(users["rep"], amount="500", stage_name="Discovery")
    response = as_user("rep").post(f"/deals/{deal.pk}/move/", {"stage": stage("Demo").pk},
                                   headers={"HX-Request": "true", "HX-Target": "board"})
    assert response.status_code == 200
    assert "Moved" in response.context["board_message"]
    columns = {c.stage.name: c for c in response.context["board"].columns}
    assert columns["Demo"].total == Decimal("500")
    deal.refresh_from_db()
    assert deal.stage.name == "Demo"


def test_another_reps_deal_cannot_be_moved_from_the_ui(users: dict[str, Any], as_user: Any) -> None:
    deal = make_deal(users["rep"])
    response = as_user("rep_other").post(f"/deals/{deal.pk}/move/", {"stage": stage("Demo").pk})
    assert response.status_code == 403
    assert Deal.objects.get(pk=deal.pk).stage.name == "Discovery"


def test_the_deal_page_shows_lines_and_timeline_and_wins(
    users: dict[str, Any], as_user: Any
) -> None:
    ada = make_contact(Stage.SQL, first_name="Ada")
    deal = make_deal(users["rep"], contacts=[ada], name="Engines")
    client = as_user("rep")
    product = make_product(name="Seats", price="20")
    client.post(f"/deals/{deal.pk}/lines/", {"product": product.pk, "quantity": 5,
                                             "discount_percent": "0"})
    client.post("/activities/new/", {"kind": "call", "subject": "Kickoff", "deal": deal.pk,
                                     "next": f"/deals/{deal.pk}/"})
    page = client.get(f"/deals/{deal.pk}/")
    assert page.status_code == 200
    assert page.context["deal"].amount == Decimal("100.00")
    items = page.context["timeline"].items
    assert [i.kind for i in items if "contact" not in i.data] == ["activity", "deal"]
    assert "SQL → Opportunity" in [i.title for i in items if i.data.get("contact") == str(ada)]
    won = client.post(f"/deals/{deal.pk}/win/", follow=True)
    assert won.context["deal"].status == DealStatus.WON
    ada.refresh_from_db()
    assert ada.lifecycle_stage == Stage.CUSTOMER


def test_losing_from_the_deal_page_needs_a_reason(users: dict[str, Any], as_user: Any) -> None:
    deal = make_deal(users["rep"])
    client = as_user("rep")
    refused = client.post(f"/deals/{deal.pk}/move/", {"stage": stage("Closed Lost").pk},
                          follow=True)
    assert "lost deal needs a reason" in refused.content.decode()
    client.post(f"/deals/{deal.pk}/move/", {"stage": stage("Closed Lost").pk,
                                            "lost_reason": reason("Price").pk})
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.LOST


def test_a_rep_opens_a_deal_from_a_contact(users: dict[str, Any], as_user: Any) -> None:
    ada = make_contact(Stage.SQL)
    client = as_user("rep")
    panel = client.get(f"/contacts/{ada.pk}/sales/")
    assert panel.status_code == 200 and b"New deal" in panel.content
    response = client.post("/deals/new/", {
        "name": "From Ada", "amount": "250", "expected_close_date": "2026-12-01",
        "type": "new_business", "contact": ada.pk})
    deal = Deal.objects.get(name="From Ada")
    assert response.url == f"/deals/{deal.pk}/"
    assert deal.owner == users["rep"]
    ada.refresh_from_db()
    assert ada.lifecycle_stage == Stage.OPPORTUNITY
    assert as_user("marketing").get("/deals/new/").status_code == 403


def test_a_reps_home_lists_open_tasks_and_done_removes_them(
    users: dict[str, Any], as_user: Any
) -> None:
    ada = make_contact(Stage.SQL)
    task = activity_log(actor=users["rep"], kind="task", subject="Send the proposal",
                        contact=ada, due_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    client = as_user("rep")
    home = client.get("/work/")  # their work page (the home page is the shared dashboard)
    assert [t.subject for t in home.context["tasks"]] == ["Send the proposal"]
    client.post(f"/activities/{task.pk}/done/", {"next": "/work/"})
    assert Activity.objects.get(pk=task.pk).done_at is not None
    assert list(client.get("/work/").context["tasks"]) == []


def test_the_home_page_shows_the_owners_open_tasks_and_done_removes_them(
    users: dict[str, Any], as_user: Any
) -> None:
    for n in range(12):
        activity_log(actor=users["rep"], kind="task", subject=f"Task {n:02}",
                     due_at=dt.datetime(2026, 1, 1 + n, tzinfo=dt.UTC),
                     contact=make_contact(Stage.SQL))
    client = as_user("rep")
    home = client.get("/", follow=True)
    assert b'data-testid="home-tasks"' in home.content and b"My open tasks (12)" in home.content
    assert b"Task 00" in home.content and b"Task 10" not in home.content  # the first ten
    assert b"home-tasks" not in as_user("rep_b").get("/", follow=True).content  # none: no panel
    first = Activity.objects.get(subject="Task 00")
    client.post(f"/activities/{first.pk}/done/", {"next": "/dashboards/"})
    assert b"Task 00" not in client.get("/", follow=True).content


def test_the_forecast_page_renders_figures_and_chart_data(
    users: dict[str, Any], as_user: Any
) -> None:
    with time_machine.travel(dt.datetime(2026, 5, 5, tzinfo=dt.UTC), tick=False):
        quota_set(actor=None, owner=users["rep"], period="quarter", start=dt.date(2026, 4, 1),
                  amount="10000")
        make_deal(users["rep"], amount="4000", stage_name="Negotiation",
                  close=dt.date(2026, 6, 1))
        response = as_user("manager").get("/forecast/")
    assert response.status_code == 200
    assert response.context["f"]["commit"] == Decimal("4000")
    assert response.context["chart"]["labels"] == ["rep1"]
    assert b'id="forecast-data"' in response.content
    assert response.context["history"]["final"] is True


def test_the_forecast_page_shows_last_quarters_accuracy_per_rep(
    users: dict[str, Any], as_user: Any
) -> None:
    from smarketing.pipeline.snapshots import snapshot_if_due

    with time_machine.travel(dt.datetime(2026, 2, 2, tzinfo=dt.UTC), tick=False):
        deal = make_deal(users["rep"], amount="4000", stage_name="Negotiation",
                         close=dt.date(2026, 3, 1))
        snapshot_if_due(quarter_of(dt.date(2026, 1, 1)))
        deal_win(deal=deal, actor=users["rep"])
    with time_machine.travel(dt.datetime(2026, 5, 5, tzinfo=dt.UTC), tick=False):
        response = as_user("manager").get("/forecast/")
    rows = response.context["rep_history"]
    assert [(r["owner"], r["actual"]) for r in rows] == [("rep1", Decimal("4000.00"))]
    assert b'data-testid="forecast-accuracy-reps"' in response.content


def test_quotas_are_set_by_managers_for_their_team_only(
    users: dict[str, Any], as_user: Any
) -> None:
    client = as_user("manager")
    page = client.get("/quotas/", {"year": 2026})
    assert [row["user"].username for row in page.context["rows"]] == ["manager", "rep1", "rep2"]
    ok = client.post("/quotas/", {"owner": users["rep"].pk, "period": "quarter",
                                  "start": "2026-04-01", "amount": "50000"})
    assert ok.status_code == 302
    refused = client.post("/quotas/", {"owner": users["rep_other"].pk, "period": "quarter",
                                       "start": "2026-04-01", "amount": "50000"})
    assert refused.status_code == 400
    assert list(Quota.objects.values_list("owner__username", flat=True)) == ["rep1"]
    assert as_user("rep").get("/quotas/").status_code == 403


def test_the_quota_page_derives_each_teams_quota_from_its_members(
    users: dict[str, Any], as_user: Any
) -> None:
    for rep, amount in (("rep", "30000"), ("rep_b", "20000"), ("rep_other", "7000")):
        quota_set(actor=None, owner=users[rep], period="quarter", start=dt.date(2026, 4, 1),
                  amount=amount)
    quota_set(actor=None, owner=users["rep"], period="month", start=dt.date(2026, 7, 1),
              amount="1000")
    page = as_user("admin").get("/quotas/", {"year": 2026})
    teams = dict(page.context["teams"])
    team_of_rep = next(r["team"] for r in page.context["rows"] if r["user"] == users["rep"])
    assert teams[team_of_rep][1:3] == [Decimal("50000.00"), Decimal("1000.00")]
    assert Decimal("7000.00") in [amounts[1] for amounts in teams.values()]
    assert as_user("admin").get("/quotas/", {"year": "20x6"}).status_code == 400


def test_a_rep_edits_close_date_and_forecast_override_on_the_deal_page(
    users: dict[str, Any], as_user: Any
) -> None:
    deal = make_deal(users["rep"], amount="800", stage_name="Demo", name="Edit me")
    client = as_user("rep")
    form = client.get(f"/deals/{deal.pk}/").context["edit_form"]
    assert form.initial["name"] == "Edit me"
    data = {**{k: v for k, v in form.initial.items() if v is not None},
            "owner": users["rep"].pk, "expected_close_date": "2027-01-15",
            "forecast_category_override": "commit", "amount": "900"}
    client.post(f"/deals/{deal.pk}/edit/", data)
    deal.refresh_from_db()
    assert (deal.expected_close_date, deal.forecast_category_override, deal.amount) == (
        dt.date(2027, 1, 15), "commit", Decimal("900.00"))
    refused = client.post(f"/deals/{deal.pk}/edit/", {**data, "owner": users["rep_other"].pk},
                          follow=True)
    assert "owner: you may not give deals to that user" in refused.content.decode()
    deal.refresh_from_db()
    assert deal.owner == users["rep"]
    assert as_user("rep_b").post(f"/deals/{deal.pk}/edit/", data).status_code == 403


def test_a_contact_is_added_to_a_deal_by_email_with_a_role(
    users: dict[str, Any], as_user: Any
) -> None:
    deal = make_deal(users["rep"])
    ada = make_contact(Stage.SQL, email="ada@example.com")
    client = as_user("rep")
    client.post(f"/deals/{deal.pk}/contacts/", {"email": "ADA@example.com ",
                                                "role": "champion"})
    link = deal.deal_contacts.get()
    assert (link.contact, link.role) == (ada, "champion")
    ada.refresh_from_db()
    assert ada.lifecycle_stage == Stage.OPPORTUNITY  # added to an open deal
    unknown = client.post(f"/deals/{deal.pk}/contacts/", {"email": "nobody@example.com",
                                                          "role": "user"}, follow=True)
    assert "no contact has nobody@example.com" in unknown.content.decode()

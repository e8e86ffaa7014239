"""REST gaps filled for issue 9: the deal list's `sort` and its stage, pipeline and
company filters; deleting a pipeline; adding, renaming and retiring lost reasons; the
product, activity and quota lists' filters, `sort` and pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.pipeline.models import Deal, LostReason, Pipeline
from smarketing.pipeline.pipelines import pipeline_create
from smarketing.pipeline.services import (
    activity_log,
    deal_create,
    deal_win,
    default_pipeline,
    quota_set,
    task_complete,
)
from smarketing.pipeline.tests.factories import make_deal, make_product, reason
from smarketing.testing.factories import make_company

pytestmark = pytest.mark.django_db


def _names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


def test_the_deal_list_sorts_by_amount_name_or_close_date_either_way(
    users: dict[str, Any], api_as: Any
) -> None:
    rep = users["rep"]
    make_deal(rep, name="Beta", amount="500", close=dt.date(2026, 3, 1))
    make_deal(rep, name="Alpha", amount="900", close=dt.date(2026, 5, 1))
    make_deal(rep, name="Gamma", amount="100", close=dt.date(2026, 1, 1))
    api = api_as("manager")
    assert _names(api.get("/api/v1/deals")) == ["Gamma", "Beta", "Alpha"]
    assert _names(api.get("/api/v1/deals?sort=-amount")) == ["Alpha", "Beta", "Gamma"]
    assert _names(api.get("/api/v1/deals?sort=name")) == ["Alpha", "Beta", "Gamma"]
    assert _names(api.get("/api/v1/deals?sort=-close_date&limit=2")) == ["Alpha", "Beta"]
    assert _names(api.get("/api/v1/deals?sort=-created_at&limit=1&offset=2")) == ["Beta"]


def test_an_unknown_deal_sort_is_a_422_naming_sort(api_as: Any) -> None:
    response = api_as("rep").get("/api/v1/deals?sort=owner_password")
    body = response.json()
    assert (response.status_code, body["field"], body["code"]) == (422, "sort", "invalid")
    assert "close_date" in body["detail"]


def test_the_deal_list_filters_by_stage_pipeline_and_company(
    users: dict[str, Any], api_as: Any
) -> None:
    rep, acme = users["rep"], make_company(name="Acme")
    make_deal(rep, name="Early", company=acme)
    demo = make_deal(rep, name="Later", stage_name="Demo")
    other = pipeline_create(actor=users["admin"], name="Renewals")
    api = api_as("rep")
    assert _names(api.get(f"/api/v1/deals?stage_id={demo.stage_id}")) == ["Later"]
    assert _names(api.get(f"/api/v1/deals?company_id={acme.pk}")) == ["Early"]
    assert _names(api.get(f"/api/v1/deals?pipeline_id={other.pk}")) == []
    assert len(_names(api.get(f"/api/v1/deals?pipeline_id={default_pipeline().pk}"))) == 2


def test_a_manager_deletes_an_empty_pipeline_with_its_stages(api_as: Any) -> None:
    pipeline = pipeline_create(actor=None, name="Partners")
    response = api_as("manager").delete(f"/api/v1/pipelines/{pipeline.pk}")
    assert response.status_code == 204, response.content
    assert not Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_a_pipeline_with_deals_is_kept_with_a_409_saying_how_many(
    users: dict[str, Any], api_as: Any
) -> None:
    pipeline = pipeline_create(actor=None, name="Partners")
    deal_create(actor=users["rep"], owner=users["rep"], name="Reseller", stage=pipeline.stages
                .order_by("order").first(), expected_close_date=dt.date(2026, 9, 1))
    response = api_as("admin").delete(f"/api/v1/pipelines/{pipeline.pk}")
    body = response.json()
    assert (response.status_code, body["field"], body["code"]) == (409, "deals", "conflict")
    assert "1 deals" in body["detail"]
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_the_default_pipeline_cannot_be_deleted(api_as: Any) -> None:
    default = default_pipeline()
    response = api_as("admin").delete(f"/api/v1/pipelines/{default.pk}")
    assert (response.status_code, response.json()["field"]) == (409, "is_default")
    assert Pipeline.objects.filter(pk=default.pk).exists()


def test_reps_and_marketing_may_not_delete_a_pipeline_and_an_unknown_one_is_404(
    api_as: Any
) -> None:
    pipeline = pipeline_create(actor=None, name="Partners")
    for role in ("rep", "marketing"):
        refused = api_as(role).delete(f"/api/v1/pipelines/{pipeline.pk}")
        assert refused.status_code == 403, (role, refused.content)
    missing = api_as("admin").delete("/api/v1/pipelines/999999")
    assert (missing.status_code, missing.json()["field"]) == (404, "pipeline_id")
    assert Pipeline.objects.filter(pk=pipeline.pk).exists()


def test_an_admin_adds_renames_and_retires_a_lost_reason(api_as: Any) -> None:
    api = api_as("admin")
    created = api.post("/api/v1/lost-reasons", {"name": " Went dark "})
    assert created.status_code == 201, created.content
    assert (created.json()["name"], created.json()["active"]) == ("Went dark", True)
    url = f"/api/v1/lost-reasons/{created.json()['id']}"
    renamed = api.patch(url, {"name": "No response"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "No response"
    retired = api.patch(url, {"active": False})
    assert retired.status_code == 200 and retired.json()["active"] is False
    listed = api.get("/api/v1/lost-reasons?active=false").json()["items"]
    assert [r["name"] for r in listed] == ["No response"]
    offered = [r["name"] for r in api.get("/api/v1/lost-reasons?active=true").json()["items"]]
    assert "No response" not in offered and offered


def test_a_lost_reason_name_is_required_and_unique(api_as: Any) -> None:
    reason("Price")
    api = api_as("admin")
    taken = api.post("/api/v1/lost-reasons", {"name": "Price"})
    assert (taken.status_code, taken.json()["field"]) == (422, "name")
    blank = api.post("/api/v1/lost-reasons", {"name": "   "})
    assert (blank.status_code, blank.json()["field"]) == (422, "name")
    missing = api.patch("/api/v1/lost-reasons/999999", {"active": False})
    assert (missing.status_code, missing.json()["field"]) == (404, "reason_id")


def test_only_admins_change_lost_reasons(api_as: Any) -> None:
    price = reason("Price")
    for role in ("manager", "rep", "marketing"):
        added = api_as(role).post("/api/v1/lost-reasons", {"name": f"By {role}"})
        assert added.status_code == 403, (role, added.content)
        retired = api_as(role).patch(f"/api/v1/lost-reasons/{price.pk}", {"active": False})
        assert retired.status_code == 403, (role, retired.content)
    assert LostReason.objects.get(pk=price.pk).active
    assert not LostReason.objects.filter(name__startswith="By ").exists()


def test_a_retired_reason_keeps_its_lost_deals_but_loses_no_new_one(
    users: dict[str, Any], api_as: Any
) -> None:
    price = reason("Price")
    lost = make_deal(users["rep"])
    api = api_as("rep")
    assert api.post(f"/api/v1/deals/{lost.pk}/lose", {"lost_reason_id": price.pk}
                    ).status_code == 200
    assert api_as("admin").patch(f"/api/v1/lost-reasons/{price.pk}",
                                 {"active": False}).status_code == 200
    assert Deal.objects.get(pk=lost.pk).lost_reason_id == price.pk
    other = make_deal(users["rep"])
    refused = api.post(f"/api/v1/deals/{other.pk}/lose", {"lost_reason_id": price.pk})
    assert (refused.status_code, refused.json()["field"]) == (422, "lost_reason_id")
    assert Deal.objects.get(pk=other.pk).status == "open"


def test_a_deal_sort_by_close_puts_open_deals_last_either_way(
    users: dict[str, Any], api_as: Any
) -> None:
    rep = users["rep"]
    make_deal(rep, name="Open")
    for name, day in (("Early win", 1), ("Late win", 9)):
        with time_machine.travel(dt.datetime(2026, 3, day, tzinfo=dt.UTC), tick=False):
            deal_win(deal=make_deal(rep, name=name), actor=rep)
    api = api_as("rep")
    assert _names(api.get("/api/v1/deals?sort=closed_at")) == ["Early win", "Late win", "Open"]
    assert _names(api.get("/api/v1/deals?sort=-closed_at")) == ["Late win", "Early win", "Open"]


def test_the_product_list_searches_filters_sorts_and_pages(api_as: Any) -> None:
    make_product("Seats", price="30", family="Licences")
    make_product("Support", price="90", family="Services")
    make_product("Setup", price="60", family="Services")
    api = api_as("rep")
    assert _names(api.get("/api/v1/products?sort=-list_price")) == ["Support", "Setup", "Seats"]
    assert _names(api.get("/api/v1/products?family=Services")) == ["Setup", "Support"]
    assert _names(api.get("/api/v1/products?q=se&sort=name")) == ["Seats", "Setup"]
    second = api.get("/api/v1/products?sort=name&limit=1&offset=1").json()
    assert ([p["name"] for p in second["items"]], second["count"]) == (["Setup"], 3)
    bad = api.get("/api/v1/products?sort=cost")
    assert (bad.status_code, bad.json()["field"]) == (422, "sort")


def test_the_activity_list_sorts_by_due_date_and_keeps_open_or_done_tasks(
    users: dict[str, Any], api_as: Any
) -> None:
    rep, deal = users["rep"], make_deal(users["rep"])
    at = dt.datetime(2026, 5, 1, 9, tzinfo=dt.UTC)
    later = activity_log(actor=rep, kind="task", subject="Later", deal=deal,
                         due_at=at + dt.timedelta(days=3))
    activity_log(actor=rep, kind="task", subject="Sooner", due_at=at, deal=deal)
    activity_log(actor=rep, kind="call", subject="Called", deal=deal)
    task_complete(activity=later, actor=rep)
    api = api_as("rep")
    subjects = [a["subject"] for a in api.get("/api/v1/activities?sort=due_at").json()["items"]]
    assert subjects == ["Sooner", "Later", "Called"]
    open_tasks = api.get("/api/v1/activities?done=false").json()["items"]
    assert [a["subject"] for a in open_tasks] == ["Sooner"]
    done = api.get("/api/v1/activities?done=true").json()["items"]
    assert [a["subject"] for a in done] == ["Later"]
    bad = api.get("/api/v1/activities?sort=subject")
    assert (bad.status_code, bad.json()["field"]) == (422, "sort")


def test_the_quota_list_filters_by_period_and_pages(users: dict[str, Any], api_as: Any) -> None:
    rep = users["rep"]
    for start, period in ((dt.date(2026, 1, 1), "quarter"), (dt.date(2026, 4, 1), "month"),
                          (dt.date(2026, 5, 1), "month")):
        quota_set(actor=users["admin"], owner=rep, period=period, start=start, amount="1000")
    api = api_as("rep")
    months = api.get("/api/v1/quotas?period=month").json()
    assert [q["start"] for q in months["items"]] == ["2026-04-01", "2026-05-01"]
    page = api.get("/api/v1/quotas?limit=1&offset=2").json()
    assert ([q["start"] for q in page["items"]], page["count"]) == (["2026-05-01"], 3)
    bad = api.get("/api/v1/quotas?period=week")
    assert (bad.status_code, bad.json()["field"]) == (422, "period")

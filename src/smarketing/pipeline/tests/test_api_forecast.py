"""GET /api/v1/forecast and /forecast/accuracy: the DESIGN.md shape, scopes and errors."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from smarketing.pipeline.models import ForecastSnapshot
from smarketing.pipeline.services import deal_win, quota_set
from smarketing.pipeline.tests.factories import make_deal

pytestmark = pytest.mark.django_db
KEYS = {"closed_won", "commit", "best_case", "pipeline", "weighted", "quota", "gap", "p10",
        "p50", "p90", "owners"}


@time_machine.travel(dt.datetime(2026, 4, 10, 12, 0, tzinfo=dt.UTC), tick=False)
def test_the_forecast_has_the_design_shape_and_takes_the_weeks_snapshot(
    users: dict[str, Any], api_as: Any
) -> None:
    rep = users["rep"]
    quota_set(actor=None, owner=rep, period="quarter", start=dt.date(2026, 4, 1), amount="9000")
    make_deal(rep, amount="1000", stage_name="Negotiation", close=dt.date(2026, 5, 1))
    won = make_deal(users["rep_other"], amount="500", stage_name="Demo")
    deal_win(deal=won, actor=users["rep_other"])
    body = api_as("manager").get("/api/v1/forecast", start="2026-04-01", end="2026-07-01").json()
    assert set(body) >= KEYS
    assert (body["closed_won"], body["commit"], body["weighted"]) == ("500.00", "1000.00",
                                                                      "750.00")
    assert (body["quota"], body["gap"]) == ("9000.00", "8500.00")
    assert [row["owner"] for row in body["owners"]] == ["rep1", "rep3"]
    assert ForecastSnapshot.objects.count() == 1
    mine = api_as("rep").get("/api/v1/forecast", start="2026-04-01", end="2026-07-01",
                             owner=rep.pk).json()
    assert (mine["closed_won"], mine["commit"]) == ("0.00", "1000.00")
    team = api_as("rep").get("/api/v1/forecast", start="2026-04-01", end="2026-07-01",
                             team=users["manager"].profile.team_id).json()
    assert [row["owner"] for row in team["owners"]] == ["rep1"]
    assert ForecastSnapshot.objects.count() == 1
    current = api_as("rep").get("/api/v1/forecast").json()
    assert (current["start"], current["end"]) == ("2026-04-01", "2026-07-01")
    month = api_as("rep").get("/api/v1/forecast", period="this-month").json()
    assert (month["start"], month["end"]) == ("2026-04-01", "2026-05-01")


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-04-01"}, "end"), ({"start": "2026-04-01", "end": "2026-04-01"}, "end"),
    ({"start": "2026-01-01", "end": "2027-06-01"}, "end"), ({"period": "next-decade"}, "period"),
    ({"period": "this-month", "start": "2026-04-01", "end": "2026-05-01"}, "period"),
])
def test_a_bad_period_is_refused_by_field(
    users: dict[str, Any], api_as: Any, params: dict[str, str], field: str
) -> None:
    response = api_as("rep").get("/api/v1/forecast", **params)
    assert (response.status_code, response.json()["field"]) == (422, field)


def test_accuracy_is_pending_until_the_period_ends(users: dict[str, Any], api_as: Any) -> None:
    with time_machine.travel(dt.datetime(2026, 4, 10, tzinfo=dt.UTC), tick=False):
        make_deal(users["rep"], amount="1000", stage_name="Negotiation",
                  close=dt.date(2026, 5, 1))
        api_as("rep").get("/api/v1/forecast", start="2026-04-01", end="2026-07-01")
        pending = api_as("rep").get("/api/v1/forecast/accuracy", start="2026-04-01",
                                    end="2026-07-01").json()
    assert (pending["final"], pending["weeks"]) == (False, [])
    with time_machine.travel(dt.datetime(2026, 7, 3, tzinfo=dt.UTC), tick=False):
        done = api_as("rep").get("/api/v1/forecast/accuracy", start="2026-04-01",
                                 end="2026-07-01").json()
    assert done["final"] is True and done["actual"] == "0.00"
    assert [w["week_start"] for w in done["weeks"]] == ["2026-04-06"]
    assert done["weeks"][0]["commit_total"] == "1000.00"

"""Setting up pipelines and their stages: shape rules, history kept, order, the API."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smarketing.core.errors import Conflict, ValidationFailed
from smarketing.pipeline.models import Pipeline, PipelineStage
from smarketing.pipeline.pipelines import (
    StageSpec,
    pipeline_create,
    pipeline_update,
    stage_add,
    stage_remove,
    stage_shift,
    stage_update,
)
from smarketing.pipeline.services import deal_move_stage, default_pipeline
from smarketing.pipeline.tests.factories import make_deal, stage

pytestmark = pytest.mark.django_db


def names(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.order_by("order").values_list("name", flat=True))


def test_a_new_pipeline_gets_the_default_stages_and_can_become_the_default() -> None:
    first = default_pipeline()
    renewals = pipeline_create(actor=None, name="Renewals")
    assert names(renewals) == ["Discovery", "Demo", "Proposal", "Negotiation", "Closed Won",
                               "Closed Lost"]
    pipeline_update(pipeline=renewals, actor=None, is_default=True)
    assert Pipeline.objects.get(is_default=True) == renewals
    assert not Pipeline.objects.get(pk=first.pk).is_default
    with pytest.raises(ValidationFailed) as refused:
        pipeline_create(actor=None, name="Renewals")
    assert refused.value.field == "name"


def test_a_pipeline_needs_an_open_a_won_and_a_lost_stage() -> None:
    with pytest.raises(ValidationFailed) as refused:
        pipeline_create(actor=None, name="Odd", stages=[
            StageSpec("Talk", "0.2"), StageSpec("Won", "1", "closed_won", is_won=True)])
    assert (refused.value.field, "a lost stage" in refused.value.message) == ("stages", True)
    assert not Pipeline.objects.filter(name="Odd").exists()


def test_stages_are_added_changed_reordered_and_removed_while_unused() -> None:
    pipeline = default_pipeline()
    trial = stage_add(pipeline=pipeline, actor=None,
                      spec=StageSpec("Trial", "0.4", "best_case", stall_days=14))
    assert (trial.order, trial.probability) == (7, Decimal("0.4000"))
    stage_shift(stage=trial, actor=None, step=-1)
    stage_shift(stage=PipelineStage.objects.get(pk=trial.pk), actor=None, step=-1)
    stage_shift(stage=PipelineStage.objects.get(pk=trial.pk), actor=None, step=-1)
    assert names(pipeline)[3] == "Trial"
    stage_update(stage=PipelineStage.objects.get(pk=trial.pk), actor=None, probability="0.45",
                 name="Pilot")
    assert PipelineStage.objects.get(pk=trial.pk).probability == Decimal("0.4500")
    stage_remove(stage=PipelineStage.objects.get(pk=trial.pk), actor=None)
    assert names(pipeline) == ["Discovery", "Demo", "Proposal", "Negotiation", "Closed Won",
                               "Closed Lost"]
    assert list(pipeline.stages.order_by("order").values_list("order", flat=True)) == [
        1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(("fields", "field"), [
    ({"probability": "1.5"}, "probability"), ({"probability": 0.5}, "probability"),
    ({"name": " "}, "name"), ({"name": "Demo"}, "name"), ({"stall_days": -1}, "stall_days"),
    ({"forecast_category": "maybe"}, "forecast_category"), ({"colour": "red"}, "colour"),
])
def test_a_bad_stage_change_names_its_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        stage_update(stage=stage("Proposal"), actor=None, **fields)
    assert refused.value.field == field


def test_a_stage_with_deals_or_history_keeps_its_flags_and_stays(users: dict[str, Any]) -> None:
    deal = make_deal(users["rep"], stage_name="Discovery")
    deal_move_stage(deal=deal, actor=users["rep"], stage=stage("Demo"))
    with pytest.raises(Conflict) as flags:
        stage_update(stage=stage("Demo"), actor=None, is_won=True)
    assert flags.value.field == "is_won"
    with pytest.raises(Conflict):
        stage_remove(stage=stage("Demo"), actor=None)
    with pytest.raises(Conflict) as history:
        stage_remove(stage=stage("Discovery"), actor=None)  # empty, but the deal went through
    assert "history" in history.value.message


def test_the_pipelines_api_for_managers(users: dict[str, Any], api_as: Any) -> None:
    created = api_as("manager").post("/api/v1/pipelines", {
        "name": "Renewals", "stages": [
            {"name": "Due", "probability": "0.6", "forecast_category": "commit"},
            {"name": "Renewed", "probability": "1", "forecast_category": "closed_won",
             "is_won": True},
            {"name": "Churned", "probability": "0", "forecast_category": "omitted",
             "is_lost": True}]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert [s["name"] for s in body["stages"]] == ["Due", "Renewed", "Churned"]
    base = f"/api/v1/pipelines/{body['id']}"
    added = api_as("admin").post(f"{base}/stages", {"name": "Quoted", "probability": "0.8",
                                                     "forecast_category": "commit"})
    assert added.status_code == 201
    ids = [s["id"] for s in body["stages"]]
    order = api_as("admin").post(f"{base}/stage-order",
                                 {"stage_ids": [ids[0], added.json()["id"], ids[1], ids[2]]})
    assert [s["name"] for s in order.json()["stages"]] == ["Due", "Quoted", "Renewed", "Churned"]
    patched = api_as("manager").patch(f"{base}/stages/{ids[0]}", {"stall_days": 10})
    assert patched.json()["stall_days"] == 10
    bad = api_as("manager").patch(f"{base}/stages/{ids[0]}", {"probability": "2"})
    assert bad.status_code == 422 and "probability" in str(bad.json()["detail"])
    assert api_as("manager").delete(f"{base}/stages/{added.json()['id']}").status_code == 204
    assert api_as("rep").post(f"{base}/stages", {"name": "X", "probability": "0.1"}
                              ).status_code == 403
    renamed = api_as("manager").patch(base, {"name": "Renewals 2027", "is_default": True})
    assert (renamed.json()["name"], renamed.json()["is_default"]) == ("Renewals 2027", True)

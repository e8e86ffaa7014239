"""The scoring lists take a checked `sort` (issue 9): model versions, predictive
models, rescore runs and score history sort both ways, the default the order they had
before (newest first), an unknown value a 422 naming `sort` with the accepted values;
plus the filters a user expects (active model, finished runs, a model's runs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from smarketing.people.models import Stage
from smarketing.scoring.models import (
    PredictiveModel,
    RescoreRun,
    ScoreChange,
    ScoringModel,
)
from smarketing.testing.factories import make_company, make_contact
from smarketing.testing.lists import assert_refuses_sort, list_column

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 4, 6, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def models() -> list[ScoringModel]:
    return [ScoringModel.objects.create(version=version, threshold=threshold,
                                        is_active=version == 2, created_at=T0 + version * HOUR)
            for version, threshold in ((1, 60), (2, 40), (3, 80))]


def test_model_versions_sort_both_ways_and_filter_by_active(
    models: list[ScoringModel], api_as: Any
) -> None:
    api, url = api_as("marketing"), "/api/v1/scoring/models"
    assert list_column(api, url, "version") == [3, 2, 1]
    assert list_column(api, url, "version", sort="version") == [1, 2, 3]
    assert list_column(api, url, "version", sort="threshold") == [2, 1, 3]
    assert list_column(api, url, "version", sort="-threshold") == [3, 1, 2]
    assert list_column(api, url, "version", is_active="true") == [2]
    assert_refuses_sort(api, url, "version, -version, created_at")


def test_predictive_models_sort_both_ways(api_as: Any) -> None:
    for version, hours in ((1, 5), (2, 3), (3, 9)):
        PredictiveModel.objects.create(version=version, trained_at=T0 + hours * HOUR,
                                       estimator=b"-")
    api, url = api_as("marketing"), "/api/v1/scoring/predictive"
    assert list_column(api, url, "version") == [3, 2, 1]
    assert list_column(api, url, "version", sort="version") == [1, 2, 3]
    assert list_column(api, url, "version", sort="trained_at") == [2, 1, 3]
    assert list_column(api, url, "version", sort="-trained_at") == [3, 1, 2]
    assert_refuses_sort(api, url, "version, -version, trained_at")


def test_rescore_runs_sort_both_ways_and_filter(models: list[ScoringModel], api_as: Any) -> None:
    runs = [RescoreRun.objects.create(model=models[i], queued_at=T0, seconds=seconds,
                                      changed=changed, finished_at=T0 if done else None)
            for i, seconds, changed, done in ((0, 9.5, 10, True), (1, 2.0, 30, True),
                                              (1, 0.0, 0, False))]
    first, second, third = (run.pk for run in runs)
    api, url = api_as("marketing"), "/api/v1/scoring/rescores"
    assert list_column(api, url, "id") == [third, second, first]
    assert list_column(api, url, "id", sort="id") == [first, second, third]
    assert list_column(api, url, "id", sort="-seconds") == [first, second, third]
    assert list_column(api, url, "id", sort="changed") == [third, first, second]
    assert list_column(api, url, "id", finished="false") == [third]
    assert list_column(api, url, "id", model_version=2, sort="id") == [second, third]
    assert_refuses_sort(api, url, "id, -id, queued_at")


def test_score_history_sorts_both_ways(models: list[ScoringModel], api_as: Any) -> None:
    company = make_company(name="Acme")
    contact = make_contact(Stage.LEAD, company=company)
    for hours, total in ((0, 20), (1, 70), (2, 45)):
        ScoreChange.objects.create(contact=contact, model=models[1], at=T0 + hours * HOUR,
                                   fit=0, engagement=total, total=total, previous_total=0)
    api = api_as("admin")
    for url in (f"/api/v1/contacts/{contact.pk}/score/history",
                f"/api/v1/companies/{company.pk}/score/history"):
        assert list_column(api, url, "total") == [45, 70, 20]
        assert list_column(api, url, "total", sort="at") == [20, 70, 45]
        assert list_column(api, url, "total", sort="-total") == [70, 45, 20]
        since = (T0 + HOUR).isoformat()
        assert list_column(api, url, "total", sort="total", since=since) == [45, 70]
        assert_refuses_sort(api, url, "at, -at, total, -total")

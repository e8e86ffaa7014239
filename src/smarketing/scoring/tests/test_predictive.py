"""The predictive score: learns from outcomes with a time-based holdout, reports AUC,
calibration and factors, scores every contact, refuses with too few outcomes, and never
looks at events after the outcome."""

from __future__ import annotations

import datetime as dt
import random
from io import StringIO
from typing import Any

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from smarketing.core.errors import ValidationFailed
from smarketing.people.models import Contact
from smarketing.scoring.learning import calibration, fit_and_report, split_by_time
from smarketing.scoring.models import ContactScore, PredictiveModel
from smarketing.scoring.predictive import _event_features, train
from smarketing.scoring.tests.helpers import NOW, event
from smarketing.testing.factories import make_company, make_contact

DAY = dt.timedelta(days=1)


def outcomes(n: int, seed: int = 7) -> None:
    """n contacts created a day apart; big companies that request demos tend to buy."""
    rng = random.Random(seed)
    for i in range(n):
        created = NOW - dt.timedelta(days=400 - i)
        big = rng.random() < 0.5
        company = make_company(employee_count=2000 if big else 20)
        contact = make_contact(company=company)
        buys = rng.random() < (0.8 if big else 0.1)
        if buys or rng.random() < 0.2:
            event(contact, "track", "Demo Requested", at=created + DAY)
        Contact.objects.filter(pk=contact.pk).update(
            created_at=created, became_customer_at=created + 30 * DAY if buys else None)


def test_it_learns_reports_and_scores_every_contact(db: Any) -> None:
    outcomes(160)
    model = train(now=NOW, min_outcomes=20)
    report = model.report
    assert report["positives"] + report["negatives"] == 160
    assert report["train_rows"] == 128 and report["holdout_rows"] == 32
    assert report["holdout_auc"] > 0.75
    assert [row["decile"] for row in report["calibration"]] == list(range(1, 11))
    top = {f["feature"] for f in report["top_factors"][:2]}
    assert top & {"company.employee_count", "events.track:Demo Requested"}
    scores = ContactScore.objects.all()
    assert scores.count() == 160
    assert all(0 <= s.probability <= 1 and s.predictive_version == 1 for s in scores)
    assert any(s.factors for s in scores)


def test_it_refuses_with_too_few_outcomes_and_says_how_many(db: Any) -> None:
    outcomes(30)
    with pytest.raises(ValidationFailed, match="at least 50 of each are needed"):
        train(now=NOW)
    assert not PredictiveModel.objects.exists()


def test_the_command_reports_auc_calibration_and_factors(db: Any) -> None:
    outcomes(120)
    out = StringIO()
    call_command("predict", "train", "--min-outcomes", "15", stdout=out)
    text = out.getvalue()
    assert "Holdout ROC AUC: " in text and "decile" in text and "Top factors" in text


def test_the_command_explains_a_refusal(db: Any) -> None:
    with pytest.raises(CommandError, match="too few outcomes"):
        call_command("predict", "train")


def test_events_after_the_outcome_are_never_features() -> None:
    cutoff = NOW
    features = _event_features([("page", NOW - DAY), ("track:Demo Requested", NOW + DAY),
                                ("page", NOW - 40 * DAY)], cutoff)
    assert features == {"events.page": 2, "events.last_30_days": 1,
                        "events.days_since_last": 1.0}


def test_the_holdout_is_the_latest_rows_and_calibration_has_deciles() -> None:
    assert split_by_time(100, 0.2) == 80
    p = np.linspace(0, 1, 100)
    rows = calibration(p, (p > 0.5).astype(int))
    assert rows[0]["observed"] == 0 and rows[-1]["observed"] == 1
    assert sum(r["contacts"] for r in rows) == 100


def test_a_pure_signal_is_learned_from_feature_dicts() -> None:
    rng = random.Random(1)
    rows = [{"x": rng.random(), "kind": rng.choice("ab")} for _ in range(400)]
    labels = [int(r["x"] > 0.5) for r in rows]
    trained = fit_and_report(rows, labels)
    assert trained.report["holdout_auc"] > 0.95
    assert trained.report["top_factors"][0]["feature"] == "x"


def test_the_scoring_page_shows_the_report(users: Any) -> None:
    from django.test import Client

    outcomes(100)
    model = train(now=NOW, min_outcomes=15)
    client = Client()
    client.force_login(users["rep"])
    html = client.get("/scoring/").content.decode()
    assert f'predictive-auc">{model.report["holdout_auc"]}' in html

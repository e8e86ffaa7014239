"""The predictive model's learning, on plain feature dicts (no database here).

A contact is a dict of features: numbers stay numbers, text becomes one-hot
columns (scikit-learn's DictVectorizer). Two candidates, both with probabilistic
(log-loss) outputs and both fitted with recency weights (a row's weight halves
every RECENCY_HALF_LIFE of the rows back in time, so the latest behaviour counts
most under drift):
- a regularised (L2) logistic regression on standardised columns;
- gradient boosting on top of that logistic regression (the trees fit what the
  linear model leaves, starting from its log-odds), for non-linear effects.
Both extrapolate like the linear model outside the training range; a plain tree
ensemble predicts a constant there, which on the drifting bank data set (see
docs/scoring.md) lost 0.10 of holdout AUC to the plain logistic baseline, so
it is not a candidate. The holdout is time-based: the last `holdout` share of the
rows in time order is never seen in training nor in choosing the candidate; the
candidate is chosen by ROC AUC on the latest `holdout` share of the training rows
(also time-based). The report shows the holdout AUC and predicted vs observed
rates by decile.

Training and prediction run OpenMP single-threaded: on a shared, busy machine
OpenMP's spinning threads made a 0.3 s fit take 30 s.

Factors: a feature's global importance is the holdout ROC AUC lost when the
feature is removed from every holdout row; a contact's factors are the change in
its probability when one of the most important features is removed (occlusion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

Features = dict[str, Any]
TOP_FEATURES = 8


RECENCY_HALF_LIFE = 0.1  # share of the rows


def recency_weights(n: int) -> np.ndarray:
    """Rows in time order: the latest weighs 1, and weights halve every 10 % back."""
    age = np.arange(n - 1, -1, -1, dtype=float)
    return np.asarray(0.5 ** (age / max(1.0, RECENCY_HALF_LIFE * n)))


def logistic() -> Pipeline:
    """The plain baseline: one-hot + standardised numbers + logistic regression."""
    return make_pipeline(
        DictVectorizer(sparse=False), StandardScaler(), LogisticRegression(max_iter=2000)
    )


def boosted_logistic() -> Pipeline:
    """Gradient boosting whose trees start from a logistic regression's log-odds."""
    return make_pipeline(
        DictVectorizer(sparse=False), StandardScaler(),
        GradientBoostingClassifier(
            init=LogisticRegression(max_iter=2000), n_estimators=50, learning_rate=0.1,
            max_depth=3, subsample=0.8, random_state=0,
        ),
    )


CANDIDATES = {"logistic_regression": logistic, "boosted_logistic_regression": boosted_logistic}


def fit_recent(model: Pipeline, rows: Sequence[Features], y: np.ndarray) -> Pipeline:
    """Fit with recency weights (rows in time order)."""
    step = model.steps[-1][0]
    return model.fit(list(rows), y, **{f"{step}__sample_weight": recency_weights(len(rows))})


def choose(rows: Sequence[Features], y: np.ndarray, holdout: float) -> tuple[str, dict]:
    """The candidate with the best AUC on the latest part of the training rows."""
    cut = split_by_time(len(rows), holdout)
    if len(set(y[cut:])) < 2 or len(set(y[:cut])) < 2:
        return "logistic_regression", {}
    aucs = {}
    for name, make in CANDIDATES.items():
        model = fit_recent(make(), rows[:cut], y[:cut])
        aucs[name] = round(float(roc_auc_score(y[cut:], model.predict_proba(
            list(rows[cut:]))[:, 1])), 4)
    return max(aucs, key=lambda name: aucs[name]), aucs


def split_by_time(n: int, holdout: float) -> int:
    """Rows [0, cut) train, [cut, n) test (rows are in time order)."""
    return max(1, min(n - 1, int(round(n * (1 - holdout)))))


def calibration(probabilities: np.ndarray, labels: np.ndarray) -> list[dict[str, float]]:
    """Mean predicted vs observed positive rate per decile of predicted probability."""
    order = np.argsort(probabilities, kind="stable")
    rows = []
    for decile, chunk in enumerate(np.array_split(order, 10), start=1):
        if len(chunk):
            rows.append({"decile": decile, "contacts": int(len(chunk)),
                         "predicted": round(float(probabilities[chunk].mean()), 4),
                         "observed": round(float(labels[chunk].mean()), 4)})
    return rows


def _without(rows: Sequence[Features], key: str) -> list[Features]:
    return [{k: v for k, v in row.items() if k != key and not k.startswith(key + "=")}
            for row in rows]


def feature_names(rows: Sequence[Features]) -> list[str]:
    return sorted({key for row in rows for key in row})


def importance(
    model: Pipeline, rows: Sequence[Features], labels: np.ndarray, auc: float
) -> list[dict[str, Any]]:
    """Holdout AUC lost without each feature, biggest first."""
    lost = []
    for key in feature_names(rows):
        p = model.predict_proba(_without(rows, key))[:, 1]
        lost.append({"feature": key, "auc_loss": round(auc - float(roc_auc_score(labels, p)), 4)})
    return sorted(lost, key=lambda item: -item["auc_loss"])


@dataclass
class Trained:
    model: Pipeline
    report: dict[str, Any]


def fit_and_report(
    rows: Sequence[Features], labels: Sequence[int], *, holdout: float = 0.2,
    estimator: Pipeline | None = None,
) -> Trained:
    """Train on the earlier rows, report on the later ones, then refit on all rows."""
    with threadpool_limits(limits=1, user_api="openmp"):
        return _fit_and_report(rows, labels, holdout=holdout, estimator=estimator)


def _fit_and_report(
    rows: Sequence[Features], labels: Sequence[int], *, holdout: float,
    estimator: Pipeline | None,
) -> Trained:
    y = np.asarray(labels, dtype=int)
    cut = split_by_time(len(rows), holdout)
    name, validation = ("given", {}) if estimator else choose(rows[:cut], y[:cut], holdout)
    model = fit_recent(estimator or CANDIDATES[name](), rows[:cut], y[:cut])
    test_rows, test_y = list(rows[cut:]), y[cut:]
    p = model.predict_proba(test_rows)[:, 1]
    auc = float(roc_auc_score(test_y, p)) if len(set(test_y)) == 2 else float("nan")
    report = {
        "estimator": name, "validation_auc": validation, "train_rows": cut,
        "holdout_rows": len(test_rows), "positives": int(y.sum()),
        "negatives": int(len(y) - y.sum()), "holdout_auc": round(auc, 4),
        "calibration": calibration(p, test_y),
        "top_factors": importance(model, test_rows, test_y, auc)[:TOP_FEATURES]
        if auc == auc else [],
    }
    fit_recent(model, rows, y)
    return Trained(model=model, report=report)


def contact_factors(
    model: Pipeline, rows: Sequence[Features], keys: Sequence[str]
) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
    """Probabilities, and per row the top 3 (feature, change in probability)."""
    with threadpool_limits(limits=1, user_api="openmp"):
        return _contact_factors(model, rows, keys)


def _contact_factors(
    model: Pipeline, rows: Sequence[Features], keys: Sequence[str]
) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
    base = model.predict_proba(list(rows))[:, 1]
    deltas = {key: base - model.predict_proba(_without(rows, key))[:, 1] for key in keys}
    factors = []
    for i in range(len(rows)):
        ranked = sorted(keys, key=lambda k: -abs(deltas[k][i]))[:3]
        factors.append([{"feature": k, "contribution": round(float(deltas[k][i]), 4)}
                        for k in ranked if abs(deltas[k][i]) >= 0.0005])
    return base, factors

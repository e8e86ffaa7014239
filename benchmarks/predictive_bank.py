"""The predictive score measured on a real public data set: UCI Bank Marketing.

Run (from the repository root):

    .venv/bin/python benchmarks/predictive_bank.py               # ./var/bench-predictive
    .venv/bin/python benchmarks/predictive_bank.py --csv PATH --data-dir /tmp/bench-pred

What it does:
1. imports bank-additional-full.csv (41,188 phone-campaign contacts, in time order,
   May 2008 - Nov 2010) as contacts: every column becomes a custom property except
   `duration` (the call's length, only known after the outcome) and `y`; a row
   with y = yes is a positive outcome (reached `customer`), the rest are stale
   negatives; creation times follow the file's order, so the time-based holdout is
   the latest 20 % of the campaign;
2. trains the product's predictive model through `smarketing.scoring.predictive.train`
   (the same code as `smarketing predict train`): holdout ROC AUC, calibration,
   top factors, and every contact scored;
3. fits a plain logistic-regression baseline (one-hot + standardised numbers) on the
   very same feature rows and split, and prints both AUCs.

Not a test: it prints figures and never fails on them.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks.harness import database_label, setup_django  # noqa: E402

DEFAULT_CSV = (
    Path(__file__).resolve().parents[2] / "shared/data/uci_bank_marketing/bank-additional-full.csv"
)
LEFT_OUT = {"duration", "y"}
START = dt.datetime(2008, 5, 1, tzinfo=dt.UTC)


def _value(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def import_bank(path: Path) -> tuple[int, int]:
    from smarketing.people.models import Contact, Stage

    Contact.objects.all().delete()
    rows, positives = [], 0
    with path.open(newline="") as handle:
        for i, record in enumerate(csv.DictReader(handle, delimiter=";")):
            created = START + dt.timedelta(minutes=30 * i)
            buys = record["y"] == "yes"
            positives += buys
            rows.append(Contact(
                email=f"bank{i}@example.org", created_at=created, updated_at=created,
                lifecycle_stage=Stage.CUSTOMER if buys else Stage.LEAD,
                became_customer_at=created + dt.timedelta(days=1) if buys else None,
                properties={k: _value(v) for k, v in record.items() if k not in LEFT_OUT},
            ))
    Contact.objects.bulk_create(rows, batch_size=5000)
    # created_at is auto_now_add, so bulk_create stamped "now": put the campaign's order back.
    for i, contact in enumerate(rows):
        contact.created_at = START + dt.timedelta(minutes=30 * i)
    Contact.objects.bulk_update(rows, ["created_at"], batch_size=2000)
    return len(rows), positives


def random_split(rows: list[Any], labels: list[int]) -> None:
    """The usual (published) protocol: a stratified random 80/20 split, for comparison."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    from threadpoolctl import threadpool_limits

    from smarketing.scoring.learning import boosted_logistic, logistic

    train_x, test_x, train_y, test_y = train_test_split(
        rows, labels, test_size=0.2, random_state=0, stratify=labels)
    print("Random stratified 80/20 split (not time-based; the published protocol):")
    with threadpool_limits(limits=1, user_api="openmp"):
        for name, make in (("boosted logistic regression", boosted_logistic),
                           ("logistic regression", logistic)):
            model = make().fit(train_x, train_y)
            auc = roc_auc_score(test_y, model.predict_proba(test_x)[:, 1])
            print(f"  ROC AUC, {name + ':':<34}{auc:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", type=Path, default=DEFAULT_CSV)
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench-predictive"))
    args = parser.parse_args()
    setup_django(args.data_dir)
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    run(args.csv)


def run(path: Path) -> None:
    from sklearn.metrics import roc_auc_score

    from smarketing.scoring.learning import logistic, split_by_time
    from smarketing.scoring.predictive import train, training_set

    print(f"Database: {database_label()}")
    started = time.monotonic()
    contacts, positives = import_bank(path)
    print(f"Imported {contacts:,} contacts ({positives:,} positive) in "
          f"{time.monotonic() - started:.1f} s; `duration` left out.")
    now = START + dt.timedelta(days=3 * 365)
    started = time.monotonic()
    model = train(now=now)
    report = model.report
    print(f"Product model ({report['estimator']}, recency-weighted, chosen on the latest "
          f"training rows: {report['validation_auc']}), trained and scored everyone in "
          f"{time.monotonic() - started:.1f} s")
    rows, labels = training_set(target="customer", stale_days=180, now=now)
    cut = split_by_time(len(rows), 0.2)
    baseline = logistic().fit(rows[:cut], labels[:cut])  # no weights: the plain baseline
    auc = roc_auc_score(labels[cut:], baseline.predict_proba(rows[cut:])[:, 1])
    print(f"Holdout (latest {report['holdout_rows']:,} contacts, "
          f"{sum(labels[cut:]):,} positive):")
    print(f"  ROC AUC, product model:               {report['holdout_auc']:.4f}")
    print(f"  ROC AUC, plain logistic regression:   {auc:.4f}")
    random_split(rows, labels)
    print("Calibration of the product model (decile: predicted / observed):")
    for r in report["calibration"]:
        print(f"  {r['decile']:>2}: {r['predicted']:.3f} / {r['observed']:.3f}")
    print("Top factors (holdout AUC lost without the feature):")
    for f in report["top_factors"]:
        print(f"  {f['feature']:<24} {f['auc_loss']:+.4f}")


if __name__ == "__main__":
    main()

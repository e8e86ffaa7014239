"""smarketing predict train [--target customer|sql] [--stale-days 180] [--min-outcomes 50]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smarketing.core.errors import DomainError
from smarketing.scoring.predictive import MIN_OUTCOMES, TARGETS, train


def report_lines(report: dict[str, Any]) -> list[str]:
    lines = [
        f"Outcomes: {report['positives']:,} positive, {report['negatives']:,} negative; "
        f"trained on {report['train_rows']:,}, held out the latest {report['holdout_rows']:,}.",
        f"Estimator: {report['estimator']} (validation ROC AUC {report['validation_auc']})",
        f"Holdout ROC AUC: {report['holdout_auc']:.4f}",
        "Calibration (holdout, by decile of predicted probability):",
        "  decile  contacts  predicted  observed",
    ]
    lines += [
        f"  {r['decile']:>6}  {r['contacts']:>8}  {r['predicted']:>9.3f}  {r['observed']:>8.3f}"
        for r in report["calibration"]
    ]
    lines.append("Top factors (holdout AUC lost without the feature):")
    lines += [f"  {f['feature']:<40} {f['auc_loss']:+.4f}" for f in report["top_factors"]]
    return lines


class Command(BaseCommand):
    help = "Train the predictive score (time-based holdout) and score every contact."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("train", help="Train, report and score every contact.")
        run.add_argument("--target", choices=TARGETS, default="customer",
                         help="The stage a positive outcome reached.")
        run.add_argument("--stale-days", type=int, default=180,
                         help="A contact older than this without the target is negative.")
        run.add_argument("--min-outcomes", type=int, default=MIN_OUTCOMES,
                         help="Refuse with fewer positive (or negative) outcomes.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = train(target=options["target"], stale_days=options["stale_days"],
                          min_outcomes=options["min_outcomes"])
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"{model} trained ({model.target}).")
        self.stdout.write("\n".join(report_lines(model.report)))

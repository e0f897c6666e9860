"""Train a new model version on every visitor, make it active, and print its figures."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from scoring.services import train_model
from scoring.training import NotEnoughData


class Command(BaseCommand):
    help = "Compare the candidate models, calibrate the best and store it as the active version."

    def add_arguments(self, parser):
        parser.add_argument(
            "--folds", type=int, default=5, help="Cross-validation folds (default 5)."
        )
        parser.add_argument(
            "--json", action="store_true", help="End with one line of JSON figures."
        )

    def handle(self, *args, folds, json: bool, **options):
        if folds < 2:
            raise CommandError("--folds must be at least 2.")
        started = time.perf_counter()
        try:
            version = train_model(trained_by="manage.py train_model", folds=folds)
        except NotEnoughData as exc:
            raise CommandError(str(exc)) from exc
        figures = {
            "version": version.pk,
            "algorithm": version.algorithm,
            "training_size": version.training_size,
            "training_positives": version.training_positives,
            "roc_auc": round(version.roc_auc, 4),
            "pr_auc": round(version.pr_auc, 4),
            "brier": round(version.brier, 4),
            "best_f1": version.curves.get("best_f1"),
            "calibration": version.curves.get("calibration_method"),
            "confusion": version.confusion,
            "candidates": version.candidates,
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(
            f"Model v{version.pk}: {version.algorithm}, calibrated ({figures['calibration']}), "
            f"trained on {version.training_size} visitors with {version.training_positives} "
            f"conversions in {figures['seconds']} s."
        )
        for name, scores in version.candidates.items():
            self.stdout.write(
                f"  {name:<24} ROC AUC {scores['roc_auc']:.3f}  PR AUC {scores['pr_auc']:.3f}  "
                f"best F1 {scores['best_f1']:.3f}"
            )
        self.stdout.write(
            f"Calibrated out-of-fold: ROC AUC {figures['roc_auc']}, PR AUC {figures['pr_auc']}, "
            f"Brier {figures['brier']}."
        )
        if json:
            self.stdout.write(_dumps(figures))


def _dumps(figures: dict) -> str:
    return json.dumps(figures, sort_keys=False)

"""Train a new model version on weekly snapshots, make it active, and print its backtest."""

import json
import time

from django.core.management.base import BaseCommand, CommandError

from scoring.services import PointsRuleInstead, train_model
from scoring.training import NotEnoughData


def _figure(value) -> str:
    return "n/a" if value is None else f"{value:.3f}"


class Command(BaseCommand):
    help = (
        "Backtest the candidate models on weekly snapshots, refit the winner on all of them, "
        "calibrate it and store it as the active version."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--folds", type=int, default=3, help="Grouped cross-validation folds (default 3)."
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
        except PointsRuleInstead as exc:
            self.stdout.write(self.style.WARNING(str(exc)))
            if json:
                figures = {
                    "version": exc.version.pk,
                    "algorithm": exc.version.algorithm,
                    "winner": exc.version.algorithm,
                    "horizon_days": exc.version.horizon_days,
                    "message": str(exc),
                }
                self.stdout.write(_dumps(figures))
            return
        except NotEnoughData as exc:
            raise CommandError(str(exc)) from exc
        backtest = version.backtest
        figures = {
            "version": version.pk,
            "algorithm": version.algorithm,
            "winner": backtest["winner"],
            "horizon_days": version.horizon_days,
            "backtest_cutoff": backtest["cutoff"],
            "cutoffs": backtest["cutoffs"],
            "rows": backtest["rows"],
            "positives": backtest["positives"],
            "backtest_train_rows": backtest["train_rows"],
            "backtest_train_positives": backtest["train_positives"],
            "training_size": version.training_size,
            "training_positives": version.training_positives,
            "roc_auc": version.roc_auc,
            "pr_auc": version.pr_auc,
            "brier": version.brier,
            "calibration": version.curves.get("calibration_method"),
            "confusion": version.confusion,
            "candidates": {
                name: {"inner": c["inner"], "backtest": _without_table(c["backtest"])}
                for name, c in backtest["candidates"].items()
            },
            "seconds": round(time.perf_counter() - started, 2),
        }
        self.stdout.write(
            f"Model v{version.pk}: {version.algorithm}, calibrated ({figures['calibration']}), "
            f"trained on {figures['rows']} visitor snapshots at {len(figures['cutoffs'])} weekly "
            f"cutoffs with {figures['positives']} conversions within {version.horizon_days} "
            f"days, in {figures['seconds']} s."
        )
        self.stdout.write(
            f"Backtest at {backtest['cutoff'][:10]} (trained on the snapshots closed by then): "
            f"what each candidate's score did on a period it had not seen."
        )
        for name, c in figures["candidates"].items():
            b = c["backtest"]
            self.stdout.write(
                f"  {name:<22} ROC AUC {_figure(b['roc_auc'])}  PR AUC {_figure(b['pr_auc'])}  "
                f"precision@5% {_figure(b['precision_top_5pct'])}  Brier {_figure(b['brier'])}"
                f"{'  (winner)' if name == figures['winner'] else ''}"
            )
        if json:
            self.stdout.write(_dumps(figures))


def _without_table(figures: dict) -> dict:
    return {k: v for k, v in figures.items() if k != "calibration"}


def _dumps(figures: dict) -> str:
    return json.dumps(figures, sort_keys=False)

"""Run the candidate comparison on any CSV file and print how each model does."""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.tabular import TableError, read_table, tabular_preprocessing
from scoring.training import NotEnoughData, candidate_pipelines, compare_candidates, confusion_at


class Command(BaseCommand):
    help = (
        "Cross-validate the candidate models on a CSV file (numeric columns scaled, text "
        "columns one-hot) against a yes/no label column."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--csv", required=True, type=Path, help="Comma-separated file with a header."
        )
        parser.add_argument("--label", required=True, help="The yes/no column to predict.")
        parser.add_argument(
            "--folds", type=int, default=5, help="Cross-validation folds (default 5)."
        )
        parser.add_argument(
            "--json", action="store_true", help="End with one line of JSON figures."
        )

    def handle(self, *args, csv: Path, label: str, folds: int, json: bool, **options):
        if folds < 2:
            raise CommandError("--folds must be at least 2.")
        started = time.perf_counter()
        try:
            table = read_table(csv, label)
            comparison = compare_candidates(
                table.X,
                table.y,
                candidates=candidate_pipelines(tabular_preprocessing(table)),
                folds=folds,
            )
        except (TableError, NotEnoughData) as exc:
            raise CommandError(str(exc)) from exc
        seconds = time.perf_counter() - started
        best = comparison.best
        self.stdout.write(
            f"{len(table.y)} rows, {int(table.y.sum())} positive; {len(table.numeric)} numeric and "
            f"{len(table.text)} text columns; {folds}-fold stratified cross-validation."
        )
        for name, result in comparison.results.items():
            self.stdout.write(
                f"  {name:<24} ROC AUC {result.roc_auc:.4f}  PR AUC {result.pr_auc:.4f}  "
                f"best F1 {result.best_f1:.4f}  ({result.seconds:.1f} s)"
            )
        (tn, fp), (fn, tp) = confusion_at(table.y, best.predicted.astype(float), 0.5)
        self.stdout.write(
            f"Best: {best.name}. Confusion matrix at the best-F1 threshold chosen on the other "
            f"folds (median {best.best_f1_threshold:.3f}):\n"
            f"                 predicted no  predicted yes\n"
            f"  actual no      {tn:>12}  {fp:>13}\n"
            f"  actual yes     {fn:>12}  {tp:>13}\n"
            f"Took {seconds:.1f} s."
        )
        if json:
            figures = {
                "best": best.name,
                "roc_auc": round(best.roc_auc, 4),
                "pr_auc": round(best.pr_auc, 4),
                "best_f1": round(best.best_f1, 4),
                "seconds": round(seconds, 2),
                "candidates": comparison.candidate_scores(),
            }
            self.stdout.write(_dumps(figures))


def _dumps(figures: dict) -> str:
    return json.dumps(figures)

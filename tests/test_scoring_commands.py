"""The commands' text and their --json last line: evaluate_models, train_model, rescore."""

import csv
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from sklearn.model_selection import StratifiedKFold

from prospects.models import Visitor
from scoring.models import TrainingRun, VisitorScore
from scoring.training import best_f1, held_out_f1
from tests.scoring_factories import population


def run(*args) -> tuple[str, dict]:
    out = StringIO()
    call_command(*args, stdout=out)
    text = out.getvalue().strip()
    return text, json.loads(text.splitlines()[-1])


def write_csv(path, rows: int = 600, seed: int = 0, label_values=("TRUE", "FALSE")):
    """A small table with a known signal: `pages` and `plan` raise the odds, `noise` does not."""
    rng = np.random.default_rng(seed)
    pages = rng.poisson(4, rows)
    plan = rng.choice(["free", "team", "enterprise"], rows)
    noise = rng.normal(size=rows)
    logit = -3 + 0.5 * pages + np.where(plan == "enterprise", 1.5, 0.0)
    label = rng.random(rows) < 1 / (1 + np.exp(-logit))
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["pages", "plan", "noise", "bought"])
        for row in zip(pages, plan, noise, label, strict=True):
            writer.writerow([row[0], row[1], f"{row[2]:.3f}", label_values[0 if row[3] else 1]])
    return path


def test_evaluate_models_json_has_the_issue_shape(tmp_path):
    path = write_csv(tmp_path / "table.csv")

    text, figures = run(
        "evaluate_models", "--csv", str(path), "--label", "bought", "--json", "--folds", "3"
    )

    assert set(figures) == {"best", "roc_auc", "pr_auc", "best_f1", "seconds", "candidates"}
    assert set(figures["candidates"]) == {"logistic_regression", "hist_gradient_boosting", "mlp"}
    for scores in figures["candidates"].values():
        assert set(scores) == {"roc_auc", "pr_auc", "best_f1"}
        assert 0.5 < scores["roc_auc"] <= 1
    assert figures["candidates"][figures["best"]]["pr_auc"] == figures["pr_auc"]
    assert figures["roc_auc"] > 0.75 and figures["seconds"] > 0
    assert "predicted yes" in text  # the winner's confusion matrix


@pytest.mark.parametrize("values", [("1", "0"), ("yes", "no")])
def test_evaluate_models_reads_other_label_spellings(tmp_path, values):
    path = write_csv(tmp_path / "table.csv", rows=300, label_values=values)
    _, figures = run(
        "evaluate_models", "--csv", str(path), "--label", "bought", "--json", "--folds", "2"
    )
    assert figures["roc_auc"] > 0.7


def test_missing_numbers_are_imputed_inside_the_folds(tmp_path):
    path = write_csv(tmp_path / "table.csv", rows=400, seed=3)
    lines = path.read_text().splitlines()
    # Every fifth row loses its page count.
    for i in range(1, len(lines), 5):
        fields = lines[i].split(",")
        fields[0] = ""
        lines[i] = ",".join(fields)
    path.write_text("\n".join(lines) + "\n")

    _, figures = run(
        "evaluate_models", "--csv", str(path), "--label", "bought", "--json", "--folds", "3"
    )

    assert figures["roc_auc"] > 0.7


def test_best_f1_uses_thresholds_chosen_on_the_other_folds():
    rng = np.random.default_rng(5)
    y = (rng.random(900) < 0.2).astype(int)
    proba = np.clip(0.3 * y + rng.normal(0.3, 0.2, 900), 0, 1)
    folds = list(StratifiedKFold(3, shuffle=True, random_state=0).split(proba, y))

    f1, predicted, threshold = held_out_f1(y, proba, folds)

    in_sample, _ = best_f1(y, proba)
    assert 0 < f1 <= in_sample
    for train, test in folds:
        _, own = best_f1(y[train], proba[train])
        assert np.array_equal(predicted[test], proba[test] >= own)
    assert 0 < threshold < 1


def test_evaluate_models_refuses_a_bad_label_with_a_message(tmp_path):
    path = write_csv(tmp_path / "table.csv", rows=100)
    with pytest.raises(CommandError, match="No column 'revenue'"):
        call_command("evaluate_models", "--csv", str(path), "--label", "revenue")
    with pytest.raises(CommandError, match="yes/no values"):
        call_command("evaluate_models", "--csv", str(path), "--label", "plan")


@pytest.mark.django_db
def test_train_model_then_rescore_json():
    kinds = population(400, seed=21)

    text, trained = run("train_model", "--json", "--folds", "3")
    for key in (
        "version",
        "winner",
        "horizon_days",
        "backtest_cutoff",
        "cutoffs",
        "rows",
        "positives",
        "candidates",
        "roc_auc",
        "pr_auc",
        "brier",
        "confusion",
        "seconds",
    ):
        assert key in trained
    assert trained["horizon_days"] == 30 and trained["winner"] == trained["algorithm"]
    assert trained["positives"] >= 30 and trained["rows"] > len(kinds)
    assert trained["backtest_cutoff"] == trained["cutoffs"][0]
    assert set(trained["candidates"]) == {"logistic_regression", "lightgbm", "points_rule"}
    for figures in trained["candidates"].values():
        assert {"roc_auc", "pr_auc"} <= set(figures["inner"])
        assert {
            "roc_auc",
            "pr_auc",
            "precision_top_1pct",
            "recall_top_1pct",
            "precision_top_5pct",
            "recall_top_5pct",
            "lift_at_threshold",
            "brier",
            "rows",
            "positives",
        } <= set(figures["backtest"])
    assert "Backtest at" in text

    text, scored = run("rescore", "--json")
    open_visitors = Visitor.objects.filter(converted_at__isnull=True).count()
    assert scored["version"] == trained["version"]
    assert scored["visitors"] == open_visitors == VisitorScore.objects.count()
    assert set(scored) == {"version", "visitors", "companies", "seconds", "as_of"}
    assert scored["as_of"] > trained["backtest_cutoff"]
    assert f"Scored {open_visitors} visitors" in text

    _, again = run("rescore", "--json", "--changed-only")
    assert again["visitors"] == 0  # nothing changed since the last run


@pytest.mark.django_db
def test_train_model_with_too_few_conversions_says_so_and_the_points_rule_scores():
    population(120, seed=22, mix=(0.0, 0.5, 0.5))

    text, figures = run("train_model", "--json")

    assert "Too little data to train" in text and "points rule scores instead" in text
    assert figures["algorithm"] == figures["winner"] == "points_rule"
    assert TrainingRun.objects.get().ok is False
    _, scored = run("rescore", "--json")
    assert scored["version"] == figures["version"] and scored["visitors"] > 0


@pytest.mark.django_db
def test_rescore_without_a_model_exits_with_the_message():
    with pytest.raises(CommandError, match="No active model"):
        call_command("rescore", stdout=StringIO())

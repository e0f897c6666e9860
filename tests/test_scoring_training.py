"""Training: candidates compared, the best calibrated and stored with its figures; too little data refused."""

import numpy as np
import pytest

from scoring import services
from scoring.models import ModelVersion, TrainingRun, VisitorScore
from scoring.registry import load_artifact
from scoring.training import NotEnoughData
from tests.scoring_factories import population, quick_candidates


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    settings.LEADGEN_MODEL_DIR = tmp_path / "models"


@pytest.mark.django_db
def test_trained_version_stores_every_figure_the_issue_lists():
    population(500, seed=3)
    version = services.train_model(trained_by="ada", folds=3, candidates=quick_candidates())

    assert version.is_active
    assert version.trained_by == "ada"
    assert set(version.candidates) == {"logistic_regression", "hist_gradient_boosting", "mlp"}
    assert version.algorithm in version.candidates
    for scores in version.candidates.values():
        assert set(scores) == {"roc_auc", "pr_auc", "best_f1"}
    assert version.training_positives >= 30
    assert version.training_size == 500
    assert version.roc_auc > 0.75
    assert 0 < version.brier < 0.25
    assert set(version.confusion) == {"0.5", "threshold", "at_threshold"}
    assert sum(map(sum, version.confusion["0.5"])) == version.training_size
    assert version.confusion["threshold"] == 0.5
    assert {"roc", "pr", "calibration"} <= set(version.curves)
    assert sum(row["count"] for row in version.curves["calibration"]) == version.training_size
    # The behaviour that separates evaluators matters more than the job pages.
    importances = version.feature_importances
    assert max(importances, key=importances.get) != "views_jobs"
    run = TrainingRun.objects.get()
    assert run.ok and run.model_version == version


@pytest.mark.django_db
def test_a_new_version_replaces_the_active_one():
    population(400, seed=4)
    first = services.train_model(trained_by="ada", folds=3, candidates=quick_candidates())
    second = services.train_model(
        trained_by="scoring.tasks.retrain", folds=3, candidates=quick_candidates()
    )

    first.refresh_from_db()
    assert second.is_active and not first.is_active
    assert ModelVersion.objects.filter(is_active=True).count() == 1


@pytest.mark.django_db
def test_too_few_conversions_is_a_clear_message_and_a_recorded_run():
    population(200, seed=5, mix=(0.0, 0.5, 0.5))

    with pytest.raises(NotEnoughData, match="at least 30"):
        services.train_model(trained_by="ada")

    run = TrainingRun.objects.get()
    assert not run.ok and "conversions" in run.message
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_training_visitors_get_their_out_of_fold_probability():
    kinds = population(500, seed=6)
    version = services.train_model(trained_by="ada", folds=3, candidates=quick_candidates())

    result = services.rescore()

    artifact = load_artifact(version.file_name)
    oof = dict(zip(artifact["oof_visitor_ids"].tolist(), artifact["oof_probability"], strict=True))
    scores = VisitorScore.objects.filter(visitor_id__in=kinds)
    assert result.visitors == len(kinds) and result.out_of_fold == len(kinds)
    assert all(s.out_of_fold and s.probability == pytest.approx(oof[s.visitor_id]) for s in scores)
    # Out-of-fold is not the in-sample answer of the final model.
    from scoring.features import build_features

    table = build_features()
    in_sample = artifact["model"].predict_proba(table.X)[:, 1]
    stored = np.array([oof[i] for i in table.visitor_ids.tolist()])
    assert not np.allclose(in_sample, stored)

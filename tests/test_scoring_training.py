"""Training on weekly snapshots: candidates backtested, the winner refit, calibrated and stored."""

import datetime as dt
from unittest.mock import patch

import numpy as np
import pytest
from django.db.models import Max

from prospects.models import PageView, Visitor
from scoring import services
from scoring.features import build_features
from scoring.models import ModelVersion, TrainingRun, VisitorScore
from scoring.points import PointsModel, load_rules
from scoring.registry import load_artifact
from scoring.services import PointsRuleInstead
from scoring.snapshots import scoring_cutoff
from tests.scoring_factories import population, quick_candidates


@pytest.mark.django_db
def test_trained_version_stores_every_figure_the_issue_lists():
    population(500, seed=3)
    version = services.train_model(trained_by="ada", folds=3, candidates=quick_candidates())

    assert version.is_active
    assert version.trained_by == "ada"
    assert set(version.candidates) == {"logistic_regression", "lightgbm", "points_rule"}
    assert version.algorithm in version.candidates
    for scores in version.candidates.values():
        assert set(scores) == {"roc_auc", "pr_auc"}
    backtest = version.backtest
    assert backtest["winner"] == version.algorithm and version.horizon_days == 30
    # Rows are visitor snapshots at weekly cutoffs: more than there are visitors.
    assert version.training_positives >= 30 and version.training_size > 500
    assert version.training_size == backtest["rows"]
    reported = backtest["candidates"][version.algorithm]["backtest"]
    assert version.roc_auc == reported["roc_auc"] > 0.75
    assert 0 < version.brier < 0.25
    assert set(version.confusion) == {"0.5", "threshold", "at_threshold"}
    assert sum(map(sum, version.confusion["0.5"])) == reported["rows"]
    assert version.confusion["threshold"] == 0.5
    assert {"roc", "pr", "calibration", "out_of_fold"} <= set(version.curves)
    assert sum(row["count"] for row in version.curves["calibration"]) == reported["rows"]
    assert version.curves["out_of_fold"]["rows"] == version.training_size
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
def test_too_few_conversions_is_a_clear_message_and_the_points_rule_scores_instead():
    population(200, seed=5, mix=(0.0, 0.5, 0.5))

    with pytest.raises(PointsRuleInstead, match="at least 30") as refused:
        services.train_model(trained_by="ada")

    run = TrainingRun.objects.get()
    assert not run.ok and "conversions" in run.message
    assert "The points rule scores instead" in run.message
    version = ModelVersion.objects.get()
    assert refused.value.version == version == run.model_version
    assert version.is_active and version.algorithm == "points_rule"
    assert version.backtest["fallback"] in run.message
    services.rescore()
    scores = VisitorScore.objects.select_related("model_version")
    assert scores.exists() and {s.model_version.algorithm for s in scores} == {"points_rule"}
    # The rule's ranking: more pricing and product views, more points, a higher chance.
    table = build_features(as_of=scoring_cutoff())
    points = PointsModel(load_rules(), tuple(table.names)).points(table.X)
    chance = dict(scores.values_list("visitor_id", "probability"))
    ranked = np.array([chance[int(i)] for i in table.visitor_ids])
    assert np.all(np.diff(ranked[np.argsort(points, kind="stable")]) >= -1e-12)


def test_no_closed_window_is_a_clear_message_too(db, settings):
    settings.LEADGEN_SCORE_HORIZON_DAYS = 60
    population(200, seed=7, weeks=2)

    with pytest.raises(PointsRuleInstead, match="no conversion window has closed"):
        services.train_model(trained_by="ada")

    assert ModelVersion.objects.get().algorithm == "points_rule"


@pytest.mark.django_db
def test_scores_are_as_of_the_newest_hit_whatever_the_clock(settings):
    population(500, seed=6)
    version = services.train_model(trained_by="ada", folds=3, candidates=quick_candidates())
    newest = PageView.objects.aggregate(newest=Max("ts"))["newest"]

    with patch("django.utils.timezone.now", return_value=newest + dt.timedelta(days=90)):
        result = services.rescore()
    first = dict(VisitorScore.objects.values_list("visitor_id", "probability"))
    with patch("django.utils.timezone.now", return_value=newest + dt.timedelta(days=400)):
        services.rescore()
    again = dict(VisitorScore.objects.values_list("visitor_id", "probability"))

    assert result.as_of == (newest + dt.timedelta(seconds=1)).isoformat()
    assert first == again  # the wall clock does not age anyone
    table = build_features(as_of=newest + dt.timedelta(seconds=1))
    model = load_artifact(version.file_name)["model"]
    expected = model.predict_proba(table.X)[:, 1]
    assert [first[int(i)] for i in table.visitor_ids] == pytest.approx(expected.tolist())
    # Converts are not scored (their outcome is known); everyone else is.
    assert set(first) == set(
        Visitor.objects.filter(converted_at__isnull=True).values_list("pk", flat=True)
    )

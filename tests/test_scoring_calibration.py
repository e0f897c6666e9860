"""Calibration: on a signal whose true probabilities are known, p = 0.8 means about 80%."""

import datetime as dt

import numpy as np
from sklearn.base import clone

from scoring.calibration import (
    CalibratedModel,
    Calibrator,
    calibration_table,
    choose_method,
    out_of_time_calibrator,
)
from scoring.training import (
    candidate_pipelines,
    compare_candidates,
    fit_pipeline,
    fit_tuned,
    grouped_folds,
    grouped_oof,
    visitor_candidates,
)


def sample(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Visitors-like counts whose conversion odds follow a known logistic law (~12% convert)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([rng.poisson(2, n), rng.poisson(1, n), rng.exponential(3, n)]).astype(float)
    true_p = 1 / (1 + np.exp(-(-4.2 + 0.9 * X[:, 0] + 0.6 * X[:, 1] + 0.05 * X[:, 2])))
    return X, (rng.random(n) < true_p).astype(int), true_p


def fitted_model(X, y):
    candidates = candidate_pipelines()
    candidates["hist_gradient_boosting"].set_params(model__max_iter=80, model__learning_rate=0.1)
    del candidates["mlp"]  # two candidates are enough to exercise the choice; keeps this fast
    comparison = compare_candidates(X, y, candidates=candidates, folds=4)
    best = comparison.best
    method, oof = choose_method(best.oof, y, comparison.folds)
    model = CalibratedModel(
        fit_pipeline(clone(candidates[best.name]), X, y), Calibrator(method).fit(best.oof, y)
    )
    return model, comparison, oof


def test_probability_point_eight_means_about_eighty_percent_on_new_data():
    X, y, _ = sample(8000, seed=1)
    model, comparison, _ = fitted_model(X, y)

    X_new, y_new, _ = sample(40000, seed=2)
    p = model.predict_proba(X_new)[:, 1]

    high = (p >= 0.7) & (p < 0.9)
    assert high.sum() > 300
    assert abs(y_new[high].mean() - p[high].mean()) < 0.06
    assert abs(p.mean() - y_new.mean()) < 0.02
    for row in calibration_table(y_new, p):
        if row["count"] >= 300:
            assert abs(row["observed"] - row["predicted"]) < 0.07, row
    # Balanced class weights alone overstate every probability: calibration undoes that.
    weighted = comparison.results["logistic_regression"].oof
    assert weighted.mean() > y.mean() + 0.1


def test_out_of_fold_calibrated_probabilities_track_the_true_ones():
    X, y, true_p = sample(8000, seed=3)
    _, _, oof = fitted_model(X, y)

    assert abs(oof.mean() - y.mean()) < 0.01
    assert np.corrcoef(oof, true_p)[0, 1] > 0.95


def visitor_model(X, y, groups, cutoff_index):
    """The visitor model's way: LightGBM tuned in grouped folds, Platt fitted on the newer
    cutoff's rows as scored by models that learned from the older cutoff of other visitors."""
    lightgbm = visitor_candidates()["lightgbm"]
    folds = grouped_folds(y, groups, 3)
    oof = grouped_oof(lightgbm, X, y, groups, folds)
    estimator, params = fit_tuned(lightgbm, X, y, groups)
    cutoffs = [dt.datetime(2026, 3, 29, tzinfo=dt.UTC) - dt.timedelta(weeks=k) for k in range(4)]
    calibrator, how = out_of_time_calibrator(
        lightgbm, params, X, y, groups, cutoff_index, cutoffs=cutoffs, fallback_scores=oof
    )
    assert how.held_out == "in time" and how.rows == int((cutoff_index == 0).sum())
    return CalibratedModel(estimator, calibrator)


def test_the_visitor_models_chances_match_a_known_answer_and_the_top_is_not_tied(db):
    X, y, _ = sample(6000, seed=4)
    # Each "visitor" contributes four snapshot rows, as weekly cutoffs do (newest: index 0).
    groups = np.repeat(np.arange(1500), 4)
    model = visitor_model(X, y, groups, cutoff_index=np.tile([3, 2, 1, 0], 1500))

    X_new, y_new, true_p = sample(30000, seed=5)
    p = model.predict_proba(X_new)[:, 1]

    assert abs(p.mean() - y_new.mean()) < 0.02
    assert abs(p.mean() - true_p.mean()) < 0.02
    for row in calibration_table(y_new, p):
        if row["count"] >= 500:
            assert abs(row["observed"] - row["predicted"]) < 0.08, row
    # Platt's curve is strictly monotone, so the top of the queue stays an order: no block of
    # equal chances (isotonic steps would put dozens of visitors on one value).
    _, tied = np.unique(np.sort(p)[-200:], return_counts=True)
    assert tied.max() <= 10 and len(tied) >= 100
    raw = model.estimator.predict_proba
    isotonic = Calibrator("isotonic").fit(raw(X)[:, 1], y).transform(raw(X_new)[:, 1])
    _, steps = np.unique(np.sort(isotonic)[-200:], return_counts=True)
    assert steps.max() > 50  # what the test guards against

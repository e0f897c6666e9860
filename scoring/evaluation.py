"""The figures stored with a model version: curves, confusion matrices, calibration, importances."""

import numpy as np
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)

from .calibration import calibration_table
from .training import RANDOM_STATE, best_f1, confusion_at

CURVE_POINTS = 101
IMPORTANCE_ROWS = 3000
REPEATS = 3


def _thin(xs: np.ndarray, ys: np.ndarray) -> list[list[float]]:
    """At most CURVE_POINTS points of a curve, enough to draw it, small enough to store."""
    if len(xs) > CURVE_POINTS:
        keep = np.unique(np.linspace(0, len(xs) - 1, CURVE_POINTS).round().astype(int))
        xs, ys = xs[keep], ys[keep]
    return [[round(float(x), 4), round(float(y), 4)] for x, y in zip(xs, ys, strict=True)]


def model_report(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    """Every figure the model page shows, from out-of-fold calibrated probabilities."""
    fpr, tpr, _ = roc_curve(y, p)
    precision, recall, _ = precision_recall_curve(y, p)
    f1, f1_threshold = best_f1(y, p)
    return {
        "roc_auc": float(roc_auc_score(y, p)),
        "pr_auc": float(average_precision_score(y, p)),
        "brier": float(brier_score_loss(y, p)),
        "confusion": {
            "0.5": confusion_at(y, p, 0.5),
            "threshold": threshold,
            "at_threshold": confusion_at(y, p, threshold),
        },
        "curves": {
            "roc": _thin(fpr, tpr),
            # recall on x, precision on y, recall increasing.
            "pr": _thin(recall[::-1], precision[::-1]),
            "calibration": calibration_table(y, p),
            "best_f1": round(f1, 4),
            "best_f1_threshold": round(f1_threshold, 4),
            "base_rate": round(float(y.mean()), 4),
        },
    }


def out_of_fold_summary(y: np.ndarray, p: np.ndarray) -> dict:
    """The older view: calibrated out-of-fold figures over all training snapshots."""
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "pr_auc": round(float(average_precision_score(y, p)), 4),
        "brier": round(float(brier_score_loss(y, p)), 4),
        "rows": len(y),
        "calibration": calibration_table(y, p),
    }


def _average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Average precision in plain numpy: scikit-learn's checks cost more than the sum here."""
    hits = y[np.argsort(-p, kind="stable")]
    precision_at = np.cumsum(hits) / np.arange(1, len(hits) + 1)
    return float(precision_at[hits == 1].sum() / max(hits.sum(), 1))


def feature_importances(model, X: np.ndarray, y: np.ndarray, names: list[str]) -> dict:
    """Drop in PR AUC when each feature is shuffled, on a stratified sample; largest first."""
    rng = np.random.default_rng(RANDOM_STATE)
    if len(y) > IMPORTANCE_ROWS:
        positives, negatives = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        share = IMPORTANCE_ROWS / len(y)
        keep = np.r_[
            rng.choice(positives, max(1, round(len(positives) * share)), replace=False),
            rng.choice(negatives, max(1, round(len(negatives) * share)), replace=False),
        ]
        X, y = X[keep], y[keep]

    def pr_auc(features) -> float:
        return _average_precision(y, model.predict_proba(features)[:, 1])

    reference = pr_auc(X)
    drops = {}
    for j, name in enumerate(names):
        shuffled = X.copy()
        losses = []
        for _ in range(REPEATS):
            shuffled[:, j] = rng.permutation(X[:, j])
            losses.append(reference - pr_auc(shuffled))
        drops[name] = round(float(np.mean(losses)), 5)
    return dict(sorted(drops.items(), key=lambda item: item[1], reverse=True))

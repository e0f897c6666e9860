"""Turning a ranker's scores into probabilities that mean what they say (p = 0.8: about 80%).

The calibrator is fitted on the winner's out-of-fold scores, which the comparison already
has, so calibration costs no extra model fits; the same fold split gives every training
visitor an out-of-fold calibrated probability too.
"""

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p)).reshape(-1, 1)


class Calibrator:
    """A monotone map from raw scores to probabilities: Platt (sigmoid) or isotonic."""

    def __init__(self, method: str = "sigmoid"):
        self.method = method

    def fit(self, scores: np.ndarray, y: np.ndarray) -> "Calibrator":
        if self.method == "isotonic":
            self.model_ = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
            self.model_.fit(scores, y)
        else:
            self.model_ = LogisticRegression(C=1e6, max_iter=1000)
            self.model_.fit(_logit(scores), y)
        return self

    def transform(self, scores: np.ndarray) -> np.ndarray:
        if self.method == "isotonic":
            return self.model_.predict(scores)
        return self.model_.predict_proba(_logit(scores))[:, 1]


class CalibratedModel:
    """A fitted pipeline and the calibrator fitted on its out-of-fold scores."""

    def __init__(self, estimator, calibrator: Calibrator):
        self.estimator = estimator
        self.calibrator = calibrator

    def predict_proba(self, X) -> np.ndarray:
        """Two columns like scikit-learn's: p(no conversion), p(conversion)."""
        p = self.calibrator.transform(self.estimator.predict_proba(X)[:, 1])
        return np.column_stack([1 - p, p])


def out_of_fold_calibrated(scores: np.ndarray, y: np.ndarray, folds, method: str) -> np.ndarray:
    """Calibrate each fold's scores with a calibrator fitted on the other folds only."""
    calibrated = np.zeros(len(y))
    for train, test in folds:
        calibrated[test] = Calibrator(method).fit(scores[train], y[train]).transform(scores[test])
    return calibrated


def choose_method(scores: np.ndarray, y: np.ndarray, folds) -> tuple[str, np.ndarray]:
    """Sigmoid or isotonic calibration, whichever has the lower out-of-fold Brier score.

    Isotonic's steps give groups of visitors the same probability (ties in the queue); it
    is chosen only when it is the better calibrated, which is what p = 0.8 has to mean.
    """
    sigmoid = out_of_fold_calibrated(scores, y, folds, "sigmoid")
    isotonic = out_of_fold_calibrated(scores, y, folds, "isotonic")
    if brier_score_loss(y, isotonic) < brier_score_loss(y, sigmoid):
        return "isotonic", isotonic
    return "sigmoid", sigmoid


def calibration_table(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[dict]:
    """Per probability decile: mean predicted, observed conversion rate, and row count."""
    edges = np.linspace(0, 1, bins + 1)
    index = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    table = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            table.append(
                {
                    "low": round(float(edges[b]), 2),
                    "high": round(float(edges[b + 1]), 2),
                    "predicted": round(float(p[mask].mean()), 4),
                    "observed": round(float(y[mask].mean()), 4),
                    "count": int(mask.sum()),
                }
            )
    return table

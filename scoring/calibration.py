"""Turning a ranker's scores into probabilities that mean what they say (p = 0.8: about 80%).

The visitor model is calibrated on held-out snapshots in time (`out_of_time_calibrator`): the
newest cutoffs of its training rows, each row scored by a model fitted on older cutoffs of
other visitors, as the live score is a model's view of a period after what it learned from.
`fit_calibrated` is that sequence for one candidate, as the backtest and the scoring model
both fit it. Tabular files (`evaluate_models`) calibrate on out-of-fold scores (`choose_method`).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss

from .training import MIN_POSITIVES, Candidate, fit_tuned, grouped_folds, grouped_oof, one_core

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


@dataclass
class CalibrationRows:
    """Which rows a calibrator was fitted on, as the model page and train_model --json say it."""

    held_out: str  # "in time" (newer cutoffs than the fits), or "out of fold" (too few cutoffs)
    cutoffs: list[str]
    rows: int
    positives: int

    def as_dict(self) -> dict:
        return {
            "held_out": self.held_out,
            "cutoffs": self.cutoffs,
            "rows": self.rows,
            "positives": self.positives,
        }


def _calibration_cutoffs(y: np.ndarray, cutoff_index: np.ndarray) -> list[int]:
    """The newest cutoffs (indices; smaller is newer) that hold MIN_POSITIVES conversions,
    leaving at least one older cutoff to fit on; [] when there is no older one."""
    present = np.unique(cutoff_index)
    chosen = []
    for index in present[:-1].tolist():
        chosen.append(index)
        if int(y[np.isin(cutoff_index, chosen)].sum()) >= MIN_POSITIVES:
            break
    return chosen


def out_of_time_calibrator(
    candidate: Candidate,
    params: dict,
    X: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    cutoff_index: np.ndarray,
    *,
    cutoffs: list,
    fallback_scores: np.ndarray,
    folds: int = 3,
) -> tuple[Calibrator, CalibrationRows]:
    """Platt fitted on the newest cutoffs' rows, each scored by a model that learned from older
    cutoffs only and never from that visitor (visitors dealt into grouped folds).

    `cutoff_index` numbers each row's cutoff in `cutoffs` (newest first). The older rows'
    label windows may reach past the calibration cutoff (a 90-day history cannot close a
    30-day window before each one); a visitor is never on both sides. With a single cutoff,
    or one class on either side, it falls back to `fallback_scores` (grouped out-of-fold).
    """
    chosen = _calibration_cutoffs(y, cutoff_index)
    rows = np.flatnonzero(np.isin(cutoff_index, chosen))
    scores = _scores_in_time(candidate, params, X, y, groups, cutoff_index, rows, folds)
    if scores is not None:
        how = CalibrationRows(
            "in time", [cutoffs[i].isoformat() for i in chosen], len(rows), int(y[rows].sum())
        )
        return Calibrator("sigmoid").fit(scores, y[rows]), how
    how = CalibrationRows(
        "out of fold",
        [cutoffs[i].isoformat() for i in np.unique(cutoff_index).tolist()],
        len(y),
        int(y.sum()),
    )
    return Calibrator("sigmoid").fit(fallback_scores, y), how


def _two_classes(y: np.ndarray) -> bool:
    return 0 < int(y.sum()) < len(y)


def _scores_in_time(candidate, params, X, y, groups, cutoff_index, rows, folds):
    """Scores of `rows` by models fitted on older cutoffs of other visitors (None: impossible)."""
    if not len(rows) or not _two_classes(y[rows]):
        return None
    older = cutoff_index > cutoff_index[rows].max()
    scores = np.zeros(len(rows))
    for _, test in grouped_folds(y[rows], groups[rows], folds):
        others = older & ~np.isin(groups, groups[rows[test]])
        if not _two_classes(y[others]):
            return None
        with one_core():
            fitted = candidate.build(**params).fit(X[others], y[others])
            scores[test] = fitted.predict_proba(X[rows[test]])[:, 1]
    return scores


@dataclass
class FittedCandidate:
    """One candidate fitted on snapshot rows: tuned, refitted on them all, calibrated in time."""

    estimator: object
    params: dict
    calibrator: Calibrator
    calibrated_on: CalibrationRows
    # Grouped out-of-fold raw scores of the rows, on `folds` (the inner figures come from them).
    oof: np.ndarray
    folds: list[tuple[np.ndarray, np.ndarray]]

    @property
    def model(self) -> CalibratedModel:
        """The refitted estimator under its calibrator: what scores."""
        return CalibratedModel(self.estimator, self.calibrator)


def fit_calibrated(
    candidate: Candidate,
    X: np.ndarray,
    y: np.ndarray,
    groups: np.ndarray,
    cutoff_index: np.ndarray,
    *,
    cutoffs: list,
    folds: int = 3,
) -> FittedCandidate:
    """Grouped out-of-fold scores, the setting tuned and refitted on every row, and the Platt
    calibrator fitted on held-out snapshots in time (out of fold when time cannot hold out)."""
    split = grouped_folds(y, groups, folds)
    oof = grouped_oof(candidate, X, y, groups, split)
    estimator, params = fit_tuned(candidate, X, y, groups)
    calibrator, calibrated_on = out_of_time_calibrator(
        candidate,
        params,
        X,
        y,
        groups,
        cutoff_index,
        cutoffs=cutoffs,
        fallback_scores=oof,
        folds=folds,
    )
    return FittedCandidate(estimator, params, calibrator, calibrated_on, oof, split)

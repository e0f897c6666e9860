"""Why a visitor has their score: contributions from the very model and row that produced it.

`reasons` asks the scoring model itself how much each feature of this row moved its score:
LightGBM's own per-row contributions (`pred_contrib`, the tree SHAP values, in log-odds),
coefficient x standardized value for logistic regression (through the pipeline's own
preprocessing, so in log-odds against the average training visitor), and the points each row
of the points rule earned. `scoring.reasons` sums them into behaviours a researcher knows
(pricing = its views, share and time) and phrases each with the row's numbers; the largest
ones, either way, are the reasons, strongest first. A calibrated model is explained through
the estimator under its calibration: a monotone map changes no ranking of reasons.
"""

import numpy as np
from sklearn.pipeline import Pipeline

from .points import PointsModel
from .reasons import grouping

TOP_REASONS = 3
# A behaviour that moved the score by less than this (log-odds or points) is no reason.
NEGLIGIBLE = 1e-6
# Rows per prediction call. Each tree of a boosted model makes one pass over its input; a
# block this size stays in the CPU cache across the hundred passes, where 100,000 rows
# (36 MB) are read from memory a hundred times: scoring takes half the time (measured).
PREDICT_BLOCK = 8192


def _parts(estimator):
    """(preprocessing or None, the final model) under any calibration and pipeline."""
    if hasattr(estimator, "calibrator") and hasattr(estimator, "estimator"):
        estimator = estimator.estimator
    if isinstance(estimator, Pipeline):
        return (estimator[:-1] if len(estimator) > 1 else None), estimator[-1]
    return None, estimator


def contributions(estimator, X: np.ndarray, feature_names) -> tuple[np.ndarray, str]:
    """Per-feature contributions to every row's score (visitors x features), and their unit."""
    prep, model = _parts(estimator)
    X = np.asarray(X, dtype=float)
    if not len(X):
        unit = "points" if isinstance(model, PointsModel) else "log-odds"
        return np.zeros((0, len(feature_names))), unit
    Xt = np.asarray(prep.transform(X), dtype=float) if prep is not None else X
    if Xt.shape[1] != len(feature_names):
        raise ValueError(f"{Xt.shape[1]} model inputs for {len(feature_names)} features.")
    if isinstance(model, PointsModel):
        index = {name: i for i, name in enumerate(feature_names)}
        earned = model.contributions(Xt)
        per_feature = np.zeros_like(Xt)
        for j, (behaviour, _points, _decay) in enumerate(model.rules):
            per_feature[:, index[behaviour]] += earned[:, j]
        return per_feature, "points"
    if hasattr(model, "booster_"):  # LightGBM: the last column is the expected value
        return np.concatenate(
            [
                model.predict(Xt[i : i + PREDICT_BLOCK], pred_contrib=True)[:, :-1]
                for i in range(0, len(Xt), PREDICT_BLOCK)
            ]
        ), "log-odds"
    coef = getattr(model, "coef_", None)
    if coef is not None and np.ndim(coef) == 2 and coef.shape[0] == 1:
        return Xt * coef[0], "log-odds"
    raise TypeError(f"{type(model).__name__} gives no per-feature contributions.")


def reasons(estimator, X: np.ndarray, feature_names, top: int = TOP_REASONS) -> list[list[dict]]:
    """Every row's strongest reasons, [{"feature", "text", "weight"}, ...], either sign.

    `weight` is the behaviour's contribution in the model's unit (log-odds, or points for the
    points rule): positive raises the score, negative holds it back.
    """
    X = np.asarray(X, dtype=float)
    if not len(X) or top < 1:
        return [[] for _ in range(len(X))]
    per_feature, unit = contributions(estimator, X, feature_names)
    groups = grouping(list(feature_names))
    weights = groups.weights(per_feature)
    k = min(top, weights.shape[1])
    order = np.argsort(-np.abs(weights), axis=1, kind="stable")[:, :k]
    chosen = np.take_along_axis(weights, order, axis=1)
    texts = np.empty(order.shape, dtype=object)
    for b in np.unique(order).tolist():
        rows, slots = np.nonzero(order == b)
        cells = np.ix_(rows, groups.members[b])
        texts[rows, slots] = groups.texts(b, X[cells], per_feature[cells])
    keys = [behaviour.key for behaviour in groups.behaviours]
    flat = zip(order.ravel().tolist(), chosen.ravel().tolist(), texts.ravel().tolist(), strict=True)
    cells = [
        {"feature": keys[b], "text": _signed(text, weight, unit), "weight": round(weight, 4)}
        if abs(weight) > NEGLIGIBLE
        else None
        for b, weight, text in flat
    ]
    return [
        [cell for cell in cells[i : i + k] if cell is not None] for i in range(0, len(cells), k)
    ]


def reasons_where(
    estimator, X: np.ndarray, feature_names, explain_row: np.ndarray, top: int = TOP_REASONS
) -> list[list[dict]]:
    """`reasons` for the rows where explain_row is true; the other rows get none ([]).

    LightGBM's contributions cost ~0.2-0.5 ms a row on shared cores (1,900-6,900 rows/s for
    100 trees of 15 and 7 leaves, measured): explaining only the rows people read (those
    likelier than average to convert) keeps rescoring fast.
    """
    out = [[] for _ in range(len(X))]
    rows = np.flatnonzero(explain_row)
    for i, why in zip(rows.tolist(), reasons(estimator, X[rows], feature_names, top), strict=True):
        out[i] = why
    return out


def _signed(text: str, weight: float, unit: str) -> str:
    """The sentence with what it did to the score when that is not plain from the words."""
    if unit == "points":
        return f"{text} ({round(weight):+d} points)"
    return text if weight > 0 else f"{text} (counts against)"


def probabilities(model, X: np.ndarray) -> np.ndarray:
    """The model's probability of converting for every row of X, computed block by block."""
    if not len(X):
        return np.zeros(0)
    return np.concatenate(
        [
            model.predict_proba(X[i : i + PREDICT_BLOCK])[:, 1]
            for i in range(0, len(X), PREDICT_BLOCK)
        ]
    )

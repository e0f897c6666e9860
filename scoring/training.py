"""Candidate classifiers, their tuning inside training folds, and cross-validated comparison.

The visitor model (`services.train_model`) compares `visitor_candidates()` on snapshot rows
with every split grouped by visitor: a visitor's rows at several cutoffs are near copies, and
one on both sides of a split would grade the model on what it memorised. Any tabular file
(`evaluate_models`) goes through `compare_candidates` with stratified folds. Every candidate
is a scikit-learn pipeline that carries its own preprocessing, so every fitted step is
refitted inside each fold.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from lightgbm import LGBMClassifier
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler
from sklearn.utils.class_weight import compute_sample_weight
from threadpoolctl import threadpool_limits

from .features import FEATURE_NAMES
from .points import PointsModel, load_rules

# Fewer conversions than this make a model whose metrics mean nothing.
MIN_POSITIVES = 30
RANDOM_STATE = 7


def one_core():
    """Run numeric work on one thread.

    On shared cores OpenMP threads spin-wait for each other: measured here, boosting on the
    shoppers data took 180 s with two threads under load and 28 s with one. We scale by
    processes instead (one Celery worker per core).
    """
    return threadpool_limits(limits=1)


class NotEnoughData(ValueError):
    """Raised when the labels cannot support a meaningful model; the message says why."""


def _log_counts():
    # Counts and seconds are heavy-tailed; log1p keeps linear models and MLPs from being
    # dominated by a few very long visits. Trees do not care, so they skip it.
    return FunctionTransformer(np.log1p, feature_names_out="one-to-one")


def visitor_preprocessing(scale: bool):
    """The preprocessing of the visitor features: non-negative numbers, log-scaled for linear models."""
    if scale:
        return make_pipeline(_log_counts(), StandardScaler())
    return "passthrough"


# A preprocessing factory: scale=True for models that need scaled inputs, False for trees.
Preprocessing = Callable[[bool], object]


def candidate_pipelines(
    preprocessing: Preprocessing = visitor_preprocessing,
) -> dict[str, Pipeline]:
    """The candidate models, each a pipeline with its preprocessing.

    Class imbalance: the folds are stratified, the winner is chosen on PR AUC and calibrated
    afterwards. Logistic regression and the MLP also get balanced weights, without which they
    settle on "nobody converts"; boosting fits the log-loss well unweighted, and in
    cross-validation reweighting only distorted its probabilities and cost PR AUC.
    """
    return {
        "logistic_regression": Pipeline(
            [
                ("prep", preprocessing(True)),
                ("model", LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)),
            ]
        ),
        "hist_gradient_boosting": Pipeline(
            [
                ("prep", preprocessing(False)),
                (
                    "model",
                    # A hundred small trees: as good in cross-validation as 500 slower ones
                    # (shoppers data: PR AUC 0.756 against 0.755), and scoring 100,000
                    # visitors costs one pass over each tree.
                    HistGradientBoostingClassifier(
                        learning_rate=0.1,
                        max_iter=100,
                        max_leaf_nodes=8,
                        min_samples_leaf=50,
                        l2_regularization=1.0,
                        early_stopping=False,
                        random_state=RANDOM_STATE,
                    ),
                ),
            ]
        ),
        "mlp": Pipeline(
            [
                ("prep", preprocessing(True)),
                (
                    "model",
                    MLPClassifier(
                        hidden_layer_sizes=(32, 16),
                        alpha=1e-3,
                        learning_rate_init=1e-3,
                        max_iter=200,
                        early_stopping=True,
                        n_iter_no_change=10,
                        random_state=RANDOM_STATE,
                    ),
                ),
            ]
        ),
    }


def fit_pipeline(pipeline: Pipeline, X, y) -> Pipeline:
    """Fit one candidate, giving balanced sample weights to the MLP (it takes no class weights)."""
    if isinstance(pipeline.named_steps["model"], MLPClassifier):
        pipeline.fit(X, y, model__sample_weight=compute_sample_weight("balanced", y))
    else:
        pipeline.fit(X, y)
    return pipeline


def check_labels(y: np.ndarray, folds: int) -> None:
    """Refuse labels that cannot support a model, with a message a person can act on."""
    positives = int(y.sum())
    negatives = len(y) - positives
    if positives < MIN_POSITIVES:
        raise NotEnoughData(
            f"Too little data to train: {positives} conversions among {len(y)} visitors; "
            f"at least {MIN_POSITIVES} are needed for a model whose scores mean something."
        )
    if negatives < folds:
        raise NotEnoughData(f"Too little data to train: only {negatives} non-converting rows.")


def best_f1(y: np.ndarray, proba: np.ndarray) -> tuple[float, float]:
    """The highest F1 over all thresholds, and the threshold that reaches it."""
    precision, recall, thresholds = precision_recall_curve(y, proba)
    with np.errstate(divide="ignore", invalid="ignore"):
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    # The last precision/recall pair has no threshold.
    i = int(np.argmax(f1[:-1]))
    return float(f1[i]), float(thresholds[i])


def confusion_at(y: np.ndarray, proba: np.ndarray, threshold: float) -> list[list[int]]:
    """[[tn, fp], [fn, tp]] when everything at or above the threshold counts as positive."""
    predicted = proba >= threshold
    actual = y.astype(bool)
    return [
        [int((~predicted & ~actual).sum()), int((predicted & ~actual).sum())],
        [int((~predicted & actual).sum()), int((predicted & actual).sum())],
    ]


def held_out_f1(y: np.ndarray, proba: np.ndarray, folds) -> tuple[float, np.ndarray, float]:
    """F1 with each fold's threshold chosen as the best-F1 one on the other folds' scores.

    Choosing the threshold on the very rows it is judged on flatters F1; here no row's
    yes/no depends on its own label. Returns the F1, the yes/no per row and the median
    threshold (for display).
    """
    predicted = np.zeros(len(y), dtype=bool)
    thresholds = []
    for train, test in folds:
        _, threshold = best_f1(y[train], proba[train])
        predicted[test] = proba[test] >= threshold
        thresholds.append(threshold)
    tp = int((predicted & (y == 1)).sum())
    f1 = 2 * tp / max(int(predicted.sum()) + int(y.sum()), 1)
    return f1, predicted, float(np.median(thresholds))


@dataclass
class CandidateResult:
    """One candidate's out-of-fold probabilities and scores."""

    name: str
    oof: np.ndarray
    roc_auc: float
    pr_auc: float
    best_f1: float
    best_f1_threshold: float
    seconds: float
    # Yes/no per row at the threshold chosen on the other folds (what best_f1 is computed from).
    predicted: np.ndarray

    def scores(self) -> dict:
        return {
            "roc_auc": round(self.roc_auc, 4),
            "pr_auc": round(self.pr_auc, 4),
            "best_f1": round(self.best_f1, 4),
        }


@dataclass
class Comparison:
    """Every candidate's result on the same folds, and the winner by PR AUC."""

    folds: list[tuple[np.ndarray, np.ndarray]]
    results: dict[str, CandidateResult] = field(default_factory=dict)

    @property
    def best(self) -> CandidateResult:
        # PR AUC first: with few positives it tracks what a researcher sees at the top of
        # the queue better than ROC AUC does; ROC AUC breaks ties.
        return max(self.results.values(), key=lambda r: (r.pr_auc, r.roc_auc))

    def candidate_scores(self) -> dict[str, dict]:
        return {name: r.scores() for name, r in self.results.items()}


def compare_candidates(
    X,
    y: np.ndarray,
    *,
    candidates: dict[str, Pipeline] | None = None,
    folds: int = 5,
) -> Comparison:
    """Cross-validate every candidate on the same stratified folds; raise NotEnoughData if needed."""
    y = np.asarray(y, dtype=int)
    check_labels(y, folds)
    candidates = candidates if candidates is not None else candidate_pipelines()
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=RANDOM_STATE)
    comparison = Comparison(folds=list(splitter.split(np.zeros(len(y)), y)))
    for name, pipeline in candidates.items():
        started = time.perf_counter()
        oof = np.zeros(len(y))
        for train, test in comparison.folds:
            with one_core():
                fitted = fit_pipeline(clone(pipeline), _rows(X, train), y[train])
                oof[test] = fitted.predict_proba(_rows(X, test))[:, 1]
        f1, predicted, threshold = held_out_f1(y, oof, comparison.folds)
        comparison.results[name] = CandidateResult(
            name=name,
            oof=oof,
            roc_auc=float(roc_auc_score(y, oof)),
            pr_auc=float(average_precision_score(y, oof)),
            best_f1=f1,
            best_f1_threshold=threshold,
            seconds=time.perf_counter() - started,
            predicted=predicted,
        )
    return comparison


def _rows(X, index):
    # Works for numpy arrays and for the column dictionaries of tabular.py alike.
    if isinstance(X, np.ndarray):
        return X[index]
    return X.iloc[index] if hasattr(X, "iloc") else X[index]


@dataclass(frozen=True)
class Candidate:
    """A visitor-model candidate: how to build it for a setting, and the settings to try."""

    name: str
    build: Callable[..., object]
    grid: tuple[dict, ...] = ({},)


def _logistic(C: float = 1.0) -> Pipeline:
    return Pipeline(
        [
            ("prep", visitor_preprocessing(True)),
            ("model", LogisticRegression(C=C, max_iter=2000)),
        ]
    )


def _lightgbm(num_leaves: int = 15, min_child_samples: int = 40) -> Pipeline:
    # One thread (see one_core). Depth is capped at what the leaves need as a balanced tree:
    # leaf-wise growth otherwise makes 15-leaf trees 10+ deep, and the per-row contributions
    # the reasons come from cost depth squared (measured: 1.5 ms a visitor, 12x the capped).
    model = LGBMClassifier(
        n_estimators=100,
        learning_rate=0.08,
        num_leaves=num_leaves,
        max_depth=max(1, (num_leaves - 1).bit_length()),
        min_child_samples=min_child_samples,
        subsample=0.8,
        subsample_freq=1,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        n_jobs=1,
        random_state=RANDOM_STATE,
        verbose=-1,
    )
    return Pipeline([("prep", "passthrough"), ("model", model)])


POINTS_RULE = "points_rule"


def points_candidate() -> Candidate:
    """The admins' points rule (scoring.points) as it stands now, compared like the others."""
    rules = load_rules()
    return Candidate(POINTS_RULE, lambda: PointsModel(rules, tuple(FEATURE_NAMES)))


def visitor_candidates() -> dict[str, Candidate]:
    """The visitor model's candidates: two learned ones, each with a small grid tuned in-fold,
    and the points rule, which the learned ones have to beat."""
    return {
        POINTS_RULE: points_candidate(),
        "logistic_regression": Candidate(
            "logistic_regression", _logistic, ({"C": 0.1}, {"C": 1.0})
        ),
        "lightgbm": Candidate(
            "lightgbm",
            _lightgbm,
            (
                {"num_leaves": 7, "min_child_samples": 80},
                {"num_leaves": 15, "min_child_samples": 40},
            ),
        ),
    }


def grouped_folds(y: np.ndarray, groups: np.ndarray, folds: int) -> list[tuple]:
    """Folds that never put one visitor's rows on both sides, stratified by visitor.

    Visitors with a positive row and those without are each shuffled and dealt round the
    folds, so every fold gets its share of converts. (scikit-learn's StratifiedGroupKFold does
    the same with a Python loop per group: seconds per split at 100,000 visitors.)
    """
    unique, where = np.unique(groups, return_inverse=True)
    positive = np.zeros(len(unique), bool)
    positive[where[np.asarray(y) == 1]] = True
    rng = np.random.default_rng(RANDOM_STATE)
    fold_of = np.empty(len(unique), dtype=int)
    for kind in (positive, ~positive):
        members = rng.permutation(np.flatnonzero(kind))
        fold_of[members] = np.arange(len(members)) % folds
    row_fold = fold_of[where]
    return [(np.flatnonzero(row_fold != f), np.flatnonzero(row_fold == f)) for f in range(folds)]


# Rows a candidate is fitted on at most: a sample of whole visitors beyond it. Uniform over
# visitors, so the conversion rate (and calibration) is that of all rows; 150,000 rows keep
# training a 100,000-visitor site's half year of snapshots within a minute.
MAX_TRAINING_ROWS = 150_000


def sample_visitors(groups: np.ndarray, max_rows: int = MAX_TRAINING_ROWS) -> np.ndarray:
    """Row numbers of a uniform sample of visitors whose rows number about max_rows at most."""
    if len(groups) <= max_rows:
        return np.arange(len(groups))
    unique, where = np.unique(groups, return_inverse=True)
    rng = np.random.default_rng(RANDOM_STATE)
    keep = rng.random(len(unique)) < max_rows / len(groups)
    return np.flatnonzero(keep[where])


def fit_tuned(candidate: Candidate, X, y, groups) -> tuple[object, dict]:
    """Choose the setting on an inner grouped split of these rows, then refit on all of them."""
    params = candidate.grid[0]
    if len(candidate.grid) > 1:
        train, valid = grouped_folds(y, groups, 3)[0]
        best = -1.0
        for setting in candidate.grid:
            with one_core():
                fitted = candidate.build(**setting).fit(X[train], y[train])
                score = average_precision_score(y[valid], fitted.predict_proba(X[valid])[:, 1])
            if score > best:
                best, params = score, setting
    with one_core():
        return candidate.build(**params).fit(X, y), params


def grouped_oof(candidate: Candidate, X, y, groups, folds) -> np.ndarray:
    """Out-of-fold scores on grouped folds, each fold's setting chosen inside its training part."""
    oof = np.zeros(len(y))
    for train, test in folds:
        fitted, _ = fit_tuned(candidate, X[train], y[train], groups[train])
        with one_core():
            oof[test] = fitted.predict_proba(X[test])[:, 1]
    return oof

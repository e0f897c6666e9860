"""Candidate classifiers and their comparison by stratified cross-validation.

The same comparison serves the visitor model (`services.train_model`) and any tabular file
(`evaluate_models`): every candidate is a scikit-learn pipeline that carries its own
preprocessing, is fitted on the same folds, and is judged on its out-of-fold probabilities.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
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
        f1, threshold = best_f1(y, oof)
        comparison.results[name] = CandidateResult(
            name=name,
            oof=oof,
            roc_auc=float(roc_auc_score(y, oof)),
            pr_auc=float(average_precision_score(y, oof)),
            best_f1=f1,
            best_f1_threshold=threshold,
            seconds=time.perf_counter() - started,
        )
    return comparison


def _rows(X, index):
    # Works for numpy arrays and for the column dictionaries of tabular.py alike.
    if isinstance(X, np.ndarray):
        return X[index]
    return X.iloc[index] if hasattr(X, "iloc") else X[index]

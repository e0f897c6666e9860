"""The backtest: what each candidate's score did on a period it had not seen.

T_b is the newest cutoff whose label window has closed. Every candidate is trained only on
snapshots whose own window had closed by T_b (so nothing it learns comes from after T_b),
calibrated on the newest of those snapshots as scored by models fitted on older ones
(`calibration.out_of_time_calibrator`), and judged on the visitors as they were at T_b
against what they did in the next H days: calibration never sees a reported row. The winner is chosen on the inner (grouped
cross-validated) figures, never on the reported rows.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score

from prospects.identify.exclusions import CONVERTED, SQL_COMPANY
from prospects.models import Visitor

from .calibration import calibration_table, fit_calibrated
from .snapshots import Snapshots
from .training import MIN_POSITIVES, Candidate, NotEnoughData, sample_visitors

TOP_SHARES = (0.01, 0.05)


def _both_classes(y: np.ndarray) -> bool:
    return 0 < int(y.sum()) < len(y)


def ranking_figures(y: np.ndarray, p: np.ndarray) -> dict:
    """ROC AUC and PR AUC (None when the rows hold only one class)."""
    if not _both_classes(y):
        return {"roc_auc": None, "pr_auc": None}
    return {
        "roc_auc": round(float(roc_auc_score(y, p)), 4),
        "pr_auc": round(float(average_precision_score(y, p)), 4),
    }


def figures(y: np.ndarray, p: np.ndarray, threshold: float) -> dict:
    """Every backtest figure of one candidate's probabilities `p` against outcomes `y`."""
    y, p = np.asarray(y, dtype=int), np.asarray(p, dtype=float)
    n, positives = len(y), int(y.sum())
    base_rate = positives / n if n else 0.0
    order = np.argsort(-p, kind="stable")
    result = {
        "rows": n,
        "positives": positives,
        "base_rate": round(base_rate, 4),
        **ranking_figures(y, p),
        "brier": round(float(brier_score_loss(y, p)), 4) if n else None,
    }
    for share in TOP_SHARES:
        k = max(1, math.ceil(n * share)) if n else 0
        hits = int(y[order[:k]].sum())
        label = f"top_{round(share * 100)}pct"
        result[f"precision_{label}"] = round(hits / k, 4) if k else None
        result[f"recall_{label}"] = round(hits / positives, 4) if positives else None
    chosen = p >= threshold
    selected = int(chosen.sum())
    precision = float(y[chosen].mean()) if selected else None
    result["threshold"] = threshold
    result["above_threshold"] = selected
    result["converted_above_threshold"] = int(y[chosen].sum())
    result["expected_above_threshold"] = round(float(p[chosen].sum()), 2)
    result["lift_at_threshold"] = (
        round(precision / base_rate, 2) if precision is not None and base_rate else None
    )
    result["calibration"] = calibration_table(y, p)
    return result


@dataclass
class CandidateBacktest:
    """One candidate: inner cross-validated figures, its tuned setting, the backtest figures."""

    name: str
    inner: dict
    params: dict
    backtest: dict
    # Calibrated probabilities of the reported rows (for the curves; not stored as figures).
    probabilities: np.ndarray
    # The rows its calibrator was fitted on (calibration.CalibrationRows.as_dict()).
    calibrated_on: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {
            "inner": self.inner,
            "params": self.params,
            "backtest": self.backtest,
            "calibrated_on": self.calibrated_on,
        }


@dataclass
class Backtest:
    """The backtest of every candidate at one cutoff, and the winner chosen on inner figures."""

    cutoff: str
    horizon: int
    train_cutoffs: list[str]
    train_rows: int
    train_positives: int
    candidates: dict[str, CandidateBacktest] = field(default_factory=dict)

    @property
    def winner(self) -> str:
        def inner(name: str) -> tuple:
            scores = self.candidates[name].inner
            return (scores["pr_auc"] or 0.0, scores["roc_auc"] or 0.0)

        return max(self.candidates, key=inner)

    def as_dict(self) -> dict:
        return {
            "cutoff": self.cutoff,
            "horizon_days": self.horizon,
            "train_cutoffs": self.train_cutoffs,
            "train_rows": self.train_rows,
            "train_positives": self.train_positives,
            "winner": self.winner,
            "candidates": {name: c.as_dict() for name, c in self.candidates.items()},
        }


def company_outcomes(visitor_ids: np.ndarray, p: np.ndarray, y: np.ndarray, steps) -> list[dict]:
    """Per threshold, at the backtest cutoff: companies whose chance reached it, how many of them
    were expected to convert in the next H days (the sum of their chances) and how many did.

    A company's chance combines its eligible visitors' rows as the live score does,
    1 - prod(1 - p_i); it converted when any of them did.
    """
    known = np.array(
        list(
            # Eligible then: not excluded now, or excluded only for converting since.
            Visitor.objects.filter(
                company__isnull=False, excluded_reason__in=("", CONVERTED, SQL_COMPANY)
            )
            .order_by("pk")
            .values_list("pk", "company_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    at = np.clip(np.searchsorted(known[:, 0], visitor_ids), 0, max(len(known) - 1, 0))
    has = (known[at, 0] == visitor_ids) if len(known) else np.zeros(len(visitor_ids), bool)
    companies, where = np.unique(known[at[has], 1], return_inverse=True)
    none_converts = np.ones(len(companies))
    np.multiply.at(none_converts, where, 1.0 - p[has])
    chance = 1.0 - none_converts
    converted = np.zeros(len(companies), bool)
    converted[where[y[has] == 1]] = True
    rows = []
    for step in steps:
        above = chance >= float(step)
        rows.append(
            {
                "threshold": float(step),
                "companies": int(above.sum()),
                "expected": round(float(chance[above].sum()), 1),
                "converted": int(converted[above].sum()),
            }
        )
    return rows


def check_positives(y: np.ndarray, what: str) -> None:
    """Refuse rows with too few conversions to learn or judge from, saying how many there are."""
    positives = int(np.sum(y))
    if positives < MIN_POSITIVES:
        raise NotEnoughData(
            f"Too little data to train: {positives} conversions among {len(y)} {what}; "
            f"at least {MIN_POSITIVES} are needed for a model whose scores mean something."
        )


def run_backtest(
    snapshots: Snapshots, candidates: dict[str, Candidate], *, threshold: float, folds: int
) -> Backtest:
    """Train each candidate on the snapshots closed by T_b and report it on T_b's rows."""
    if not snapshots.cutoffs:
        raise NotEnoughData(
            f"Too little data to train: no week of visits ends {snapshots.horizon} days or "
            "more before the newest page view, so no conversion window has closed yet."
        )
    cutoff = snapshots.cutoffs[0]
    train, report = snapshots.rows_closed_by(cutoff), snapshots.rows_at(cutoff)
    if not len(train):
        raise NotEnoughData(
            f"Too little data to train: the backtest needs snapshots whose {snapshots.horizon}-day "
            f"window closed by {cutoff:%Y-%m-%d}, and the visits do not go back that far."
        )
    train = train[sample_visitors(snapshots.visitor_ids[train])]
    X, y, groups = snapshots.X[train], snapshots.y[train], snapshots.visitor_ids[train]
    check_positives(y, "visitor snapshots before the backtest cutoff")
    if not _both_classes(snapshots.y[report]):
        raise NotEnoughData(
            f"Too little data to train: nobody (or everybody) seen by {cutoff:%Y-%m-%d} converted "
            f"in the {snapshots.horizon} days after it, so the backtest has nothing to judge."
        )
    result = Backtest(
        cutoff=cutoff.isoformat(),
        horizon=snapshots.horizon,
        train_cutoffs=sorted(
            {snapshots.cutoffs[i].isoformat() for i in np.unique(snapshots.cutoff_index[train])}
        ),
        train_rows=len(y),
        train_positives=int(y.sum()),
    )
    for name, candidate in candidates.items():
        fitted = fit_calibrated(
            candidate,
            X,
            y,
            groups,
            snapshots.cutoff_index[train],
            cutoffs=snapshots.cutoffs,
            folds=folds,
        )
        p = fitted.model.predict_proba(snapshots.X[report])[:, 1]
        result.candidates[name] = CandidateBacktest(
            name=name,
            inner=ranking_figures(y, fitted.oof),
            params=fitted.params,
            backtest=figures(snapshots.y[report], p, threshold),
            probabilities=p,
            calibrated_on=fitted.calibrated_on.as_dict(),
        )
    return result

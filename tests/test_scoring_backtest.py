"""The backtest, recomputed independently: rows, labels and ranking figures on a planted dataset."""

import datetime as dt
import math

import numpy as np
import pytest
from django.db.models import Min
from sklearn.metrics import average_precision_score, roc_auc_score

from prospects.models import PageView, Visitor
from scoring import services
from scoring.features import build_features
from scoring.training import Candidate, _logistic
from tests.scoring_factories import population

pytestmark = pytest.mark.django_db

H = 30


def rows_as_of(cutoff: dt.datetime) -> tuple[np.ndarray, np.ndarray]:
    """Features and labels of the visitors seen before `cutoff` and not converted by then."""
    first_hit = dict(
        PageView.objects.values("visitor_id").annotate(t=Min("ts")).values_list("visitor_id", "t")
    )
    converted = dict(Visitor.objects.values_list("pk", "converted_at"))
    table = build_features(as_of=cutoff)
    keep = [
        i for i, pk in enumerate(table.visitor_ids.tolist()) if first_hit.get(pk, cutoff) < cutoff
    ]
    labels = [
        int(converted[pk] is not None and cutoff < converted[pk] <= cutoff + dt.timedelta(days=H))
        for pk in table.visitor_ids[keep].tolist()
    ]
    return table.X[keep], np.array(labels)


def test_backtest_figures_match_an_independent_recomputation():
    population(500, seed=61)
    # One setting, so the recomputation needs no tuning: the figures must then agree exactly.
    candidates = {"logistic_regression": Candidate("logistic_regression", _logistic, ({"C": 1.0},))}

    version = services.train_model(trained_by="test", folds=3, candidates=candidates)

    backtest = version.backtest
    cutoffs = [dt.datetime.fromisoformat(c) for c in backtest["cutoffs"]]
    t_b = dt.datetime.fromisoformat(backtest["cutoff"])
    assert t_b == max(cutoffs)
    closed = [c for c in cutoffs if c + dt.timedelta(days=H) <= t_b]
    assert sorted(dt.datetime.fromisoformat(c) for c in backtest["train_cutoffs"]) == sorted(closed)
    parts = [rows_as_of(c) for c in sorted(closed, reverse=True)]
    X_train = np.vstack([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    X_b, y_b = rows_as_of(t_b)
    assert backtest["train_rows"] == len(y_train) and backtest["train_positives"] == y_train.sum()

    model = _logistic(C=1.0).fit(X_train, y_train)
    raw = model.predict_proba(X_b)[:, 1]

    reported = backtest["candidates"]["logistic_regression"]["backtest"]
    assert reported["rows"] == len(y_b) and reported["positives"] == y_b.sum() > 0
    # Calibration is monotone, so the ranking figures are those of the raw scores.
    assert reported["roc_auc"] == pytest.approx(roc_auc_score(y_b, raw), abs=2e-4)
    assert reported["pr_auc"] == pytest.approx(average_precision_score(y_b, raw), abs=2e-4)
    order = np.argsort(-raw, kind="stable")
    for share, label in ((0.01, "top_1pct"), (0.05, "top_5pct")):
        k = math.ceil(len(y_b) * share)
        hits = y_b[order[:k]].sum()
        assert reported[f"precision_{label}"] == pytest.approx(hits / k, abs=1e-4)
        assert reported[f"recall_{label}"] == pytest.approx(hits / y_b.sum(), abs=1e-4)
    assert reported["roc_auc"] > 0.7  # the planted signal is found on the unseen period
    # Calibrated on held-out snapshots in time: the newest closed cutoffs, never T_b's rows.
    calibrated = backtest["candidates"]["logistic_regression"]["calibrated_on"]
    assert calibrated["held_out"] == "in time"
    on = [dt.datetime.fromisoformat(c) for c in calibrated["cutoffs"]]
    assert on == sorted(closed, reverse=True)[: len(on)] and len(on) < len(closed)
    held = [rows_as_of(c)[1] for c in on]
    assert calibrated["rows"] == sum(map(len, held)) and calibrated["positives"] == sum(
        int(h.sum()) for h in held
    )
    assert version.curves["calibrated_on"] == calibrated

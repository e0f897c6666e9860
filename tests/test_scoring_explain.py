"""Reasons come from the very model and row that scored: take the first one away, the score falls."""

import re

import numpy as np
import pytest
from lightgbm import LGBMClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from scoring.explain import contributions, reasons, reasons_where
from scoring.features import CATEGORIES, FEATURE_NAMES
from scoring.points import DEFAULT_RULES, PointsModel
from scoring.training import visitor_preprocessing
from tests.planted_features import COLUMN, planted

TOP = 30


@pytest.fixture(scope="module")
def data():
    return planted(12000, seed=5)


@pytest.fixture(scope="module")
def models(data):
    X, y = data
    lightgbm = LGBMClassifier(
        n_estimators=100, num_leaves=15, learning_rate=0.08, n_jobs=1, verbose=-1, random_state=1
    )
    logistic = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
    return {
        "lightgbm": Pipeline([("prep", visitor_preprocessing(False)), ("model", lightgbm)]).fit(
            X, y
        ),
        "logistic_regression": Pipeline(
            [("prep", visitor_preprocessing(True)), ("model", logistic)]
        ).fit(X, y),
        "points_rule": PointsModel(DEFAULT_RULES, FEATURE_NAMES).fit(X, y),
    }


def _log_odds(model, X) -> np.ndarray:
    p = np.clip(model.predict_proba(X)[:, 1], 1e-12, 1 - 1e-12)
    return np.log(p / (1 - p))


def _take_away(row: np.ndarray, behaviour: str) -> np.ndarray:
    """The row of a visitor who never did this (its views, share and time; its return days)."""
    row = row.copy()
    if behaviour in CATEGORIES:
        for part in ("views", "share", "time"):
            row[COLUMN[f"{part}_{behaviour}"]] = 0
    elif behaviour == "return_visits":
        gone = (
            "return_days",
            "return_visits",
            "days_since_first_visit",
            "days_since_previous_visit",
        )
        row[[COLUMN[name] for name in gone]] = 0
        row[[COLUMN["distinct_days"], COLUMN["sessions"]]] = 1
    else:
        raise AssertionError(f"no planted way to take away {behaviour}")
    return row


def _top(model, X):
    return X[np.argsort(-model.predict_proba(X)[:, 1])[:TOP]]


@pytest.mark.parametrize("name", ["lightgbm", "logistic_regression", "points_rule"])
def test_taking_away_the_first_reason_lowers_the_score_materially(models, data, name):
    model, top = models[name], _top(models[name], data[0])
    explained = reasons(model, top, FEATURE_NAMES)
    before = _log_odds(model, top)
    for row, why, score in zip(top, explained, before, strict=True):
        first = why[0]
        assert first["weight"] > 0
        after = _log_odds(model, _take_away(row, first["feature"])[None, :])[0]
        # The odds fall at least threefold (more than one unit of log-odds).
        assert score - after > 1.0, (first, score, after)


@pytest.mark.parametrize("name", ["lightgbm", "logistic_regression", "points_rule"])
def test_top_visitors_who_did_different_things_get_different_reasons(models, data, name):
    model, top = models[name], _top(models[name], data[0])
    explained = reasons(model, top, FEATURE_NAMES)
    firsts = {why[0]["feature"] for why in explained}
    assert {"pricing", "return_visits"} <= firsts or len(firsts) >= 3
    assert len({tuple(r["text"] for r in why) for why in explained}) > TOP // 2
    for why in explained:
        sizes = [abs(r["weight"]) for r in why]
        assert 1 <= len(why) <= 3 and sizes == sorted(sizes, reverse=True)


NUMBERS = {
    # behaviour -> (pattern of its main number, the feature that number must equal)
    **{c: (r"^(\d+|no) \D*view", f"views_{c}") for c in CATEGORIES},
    "return_visits": (r"^came back on (\d+) other day|^(never) came back", "return_days"),
}


@pytest.mark.parametrize("name", ["lightgbm", "logistic_regression", "points_rule"])
def test_the_numbers_in_a_reason_are_the_rows_own(models, data, name):
    X = data[0]
    rows = X[np.argsort(-models[name].predict_proba(X)[:, 1])[:300]]
    checked = 0
    for row, why in zip(rows, reasons(models[name], rows, FEATURE_NAMES), strict=True):
        for reason in why:
            if reason["feature"] not in NUMBERS:
                continue
            pattern, feature = NUMBERS[reason["feature"]]
            found = re.match(pattern, reason["text"])
            assert found, reason["text"]
            number = next(g for g in found.groups() if g)
            assert (0 if number in ("no", "never") else int(number)) == row[COLUMN[feature]]
            checked += 1
        if "visits in all" in " ".join(r["text"] for r in why):
            assert f"{int(row[COLUMN['sessions']])} visits in all" in " ".join(
                r["text"] for r in why
            )
    assert checked > 300


def test_the_points_rule_says_the_points_each_behaviour_earned(models):
    row = np.zeros((1, len(FEATURE_NAMES)))
    row[0, [COLUMN["views_pricing"], COLUMN["return_days"], COLUMN["views_jobs"]]] = [4, 2, 1]
    row[0, [COLUMN["distinct_days"], COLUMN["views_blog"]]] = [3, 3]
    (why,) = reasons(models["points_rule"], row, FEATURE_NAMES, top=5)
    assert [(r["feature"], r["text"], r["weight"]) for r in why] == [
        ("pricing", "4 pricing views (+20 points)", 20.0),
        ("return_visits", "came back on 2 other days (+6 points)", 6.0),
        ("jobs", "1 jobs page view (-5 points)", -5.0),
        ("blog", "3 blog post views (+3 points)", 3.0),
    ]


@pytest.mark.parametrize("name", ["lightgbm", "logistic_regression"])
def test_what_holds_a_score_back_is_a_reason_too(models, data, name):
    X = data[0]
    seekers = X[
        (X[:, COLUMN["views_jobs"]] >= 3)
        & (X[:, COLUMN["views_pricing"]] == 0)
        & (X[:, COLUMN["views_premium"]] == 0)
    ]
    assert len(seekers) >= 5
    explained = reasons(models[name], seekers, FEATURE_NAMES)
    against = [r for why in explained for r in why if r["feature"] == "jobs"]
    assert against and all(r["weight"] < 0 for r in against)
    assert all(r["text"].endswith("(counts against)") for r in against)


def test_contributions_add_up_to_the_models_own_score(models, data):
    X = data[0][:500]
    for name in ("lightgbm", "logistic_regression"):
        per_feature, unit = contributions(models[name], X, FEATURE_NAMES)
        assert unit == "log-odds"
        # What is left is the same for every row: the model's intercept or expected value.
        rest = _log_odds(models[name], X) - per_feature.sum(axis=1)
        assert np.ptp(rest) < 1e-6
    per_feature, unit = contributions(models["points_rule"], X, FEATURE_NAMES)
    assert unit == "points"
    assert np.allclose(per_feature.sum(axis=1), models["points_rule"].points(X))


def test_only_the_rows_asked_for_are_explained(models, data):
    X, model = data[0][:200], models["lightgbm"]
    chosen = model.predict_proba(X)[:, 1] >= 0.05
    assert 0 < chosen.sum() < len(X)
    explained = reasons_where(model, X, FEATURE_NAMES, chosen)
    assert [why for why, c in zip(explained, chosen, strict=True) if c] == reasons(
        model, X[chosen], FEATURE_NAMES
    )
    assert all(why == [] for why, c in zip(explained, chosen, strict=True) if not c)
    assert reasons(model, X[:0], FEATURE_NAMES) == []


def test_a_model_without_contributions_is_refused_clearly(data):
    X, y = data
    model = HistGradientBoostingClassifier(max_iter=5).fit(X[:2000], y[:2000])
    with pytest.raises(TypeError, match="HistGradientBoostingClassifier gives no per-feature"):
        reasons(model, X[:5], FEATURE_NAMES)

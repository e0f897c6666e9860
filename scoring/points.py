"""The points rule users know from Mautic and HubSpot, as a candidate beside the learned models.

Each `PointRule` row gives a behaviour (a count column of the feature table, such as
`views_pricing` or `return_days`) its points, and a visitor's points are the sum over the rows
of points x count. Decay: a row with a decay of d loses d points per day since the visitor's
last visit (the recency column as of the cutoff), never past zero. A pricing row of 5 points
with a decay of 2 gives a visitor with 3 pricing views 15 points on the day of their visit,
15 - 2 x 4 = 7 four days later and 0 from seven and a half days on; a negative row shrinks towards
zero the same way. `fit` learns only a monotone map from points to probability (a logistic
curve on the total, Platt's method), so the ranking is exactly the admins' rule while the
probabilities can be compared, calibrated and explained like any other candidate's.
"""

import numpy as np
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.linear_model import LogisticRegression

from .features import FEATURE_NAMES

# (behaviour, points, decay per day): what a new installation starts with and what the admin
# page restores. The data migration 0003 holds the same rows as they were then.
DEFAULT_RULES = (
    ("views_blog", 1, 0.0),
    ("views_product", 2, 0.0),
    ("views_pricing", 5, 0.0),
    ("views_premium", 5, 0.0),
    ("return_days", 3, 0.0),
    ("views_jobs", -5, 0.0),
)
# Days since the visitor's last visit, as of the cutoff: the first of these columns that the
# feature table has is the clock that decay runs on.
RECENCY_FEATURES = ("days_since_last_visit", "days_since_previous_visit")
# A fitted slope must keep more points meaning a higher probability; a data set where points
# go the other way still gets the admins' ranking, with a flat curve at the base rate.
MIN_SLOPE = 1e-9


def load_rules() -> tuple[tuple[str, float, float], ...]:
    """The points rule as the admins set it: (behaviour, points, decay per day) per row."""
    from .models import PointRule

    return tuple(
        (rule.behaviour, float(rule.points), float(rule.decay_per_day))
        for rule in PointRule.objects.order_by("behaviour")
    )


class PointsModel(ClassifierMixin, BaseEstimator):
    """The points rule as a classifier: points(X), contributions(X), fit(X, y), predict_proba(X)."""

    def __init__(self, rules=DEFAULT_RULES, feature_names=tuple(FEATURE_NAMES)):
        self.rules = rules
        self.feature_names = feature_names

    def _columns(self) -> tuple[list[int], np.ndarray, np.ndarray, int | None]:
        index = {name: i for i, name in enumerate(self.feature_names)}
        unknown = [behaviour for behaviour, _p, _d in self.rules if behaviour not in index]
        if unknown:
            raise ValueError(f"The points rule names behaviours the features lack: {unknown}.")
        columns = [index[behaviour] for behaviour, _p, _d in self.rules]
        points = np.array([float(p) for _b, p, _d in self.rules])
        decay = np.array([float(d) for _b, _p, d in self.rules])
        recency = next((index[name] for name in RECENCY_FEATURES if name in index), None)
        if recency is None and (decay > 0).any():
            raise ValueError(
                "The points rule decays, but the features have no days-since-last-visit column."
            )
        return columns, points, decay, recency

    def contributions(self, X) -> np.ndarray:
        """Points per rule row for every visitor: shape (visitors, rules), in the rules' order."""
        X = np.asarray(X, dtype=float)
        columns, points, decay, recency = self._columns()
        earned = X[:, columns] * points
        if recency is not None and (decay > 0).any():
            lost = np.maximum(X[:, recency], 0.0)[:, None] * decay
            earned = np.sign(earned) * np.maximum(np.abs(earned) - lost, 0.0)
        return earned

    def points(self, X) -> np.ndarray:
        """Every visitor's total points."""
        return self.contributions(X).sum(axis=1)

    def fit(self, X, y, sample_weight=None) -> "PointsModel":
        """Learn the monotone map from points to probability; the rule itself is not touched."""
        y = np.asarray(y, dtype=int)
        self.classes_ = np.array([0, 1])
        total = self.points(X)
        # Points run into the hundreds; a unit scale keeps the logistic fit well conditioned.
        self.scale_ = float(total.std()) if len(total) and total.std() > 0 else 1.0
        # With no visitor yet, no conversion has been seen: chances start at the floor.
        seen = np.average(y, weights=sample_weight) if len(y) else 0.0
        base_rate = float(np.clip(seen, 1e-6, 1 - 1e-6))
        self.slope_, self.intercept_ = 0.0, float(np.log(base_rate / (1 - base_rate)))
        if len(np.unique(y)) == 2 and total.std() > 0:
            curve = LogisticRegression(C=1e6, max_iter=1000)
            curve.fit((total / self.scale_).reshape(-1, 1), y, sample_weight=sample_weight)
            if curve.coef_[0, 0] > 0:
                self.slope_ = float(curve.coef_[0, 0])
                self.intercept_ = float(curve.intercept_[0])
        self.slope_ = max(self.slope_, MIN_SLOPE)
        return self

    def decision_function(self, X) -> np.ndarray:
        """The log-odds of converting, rising with the points."""
        return self.intercept_ + self.slope_ * self.points(X) / self.scale_

    def predict_proba(self, X) -> np.ndarray:
        """Two columns like scikit-learn's: p(no conversion), p(conversion)."""
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X) -> np.ndarray:
        """1 where the chance of converting is at least one half."""
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)

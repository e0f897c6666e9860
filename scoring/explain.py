"""Why a visitor has their score: contributions from the very model and row that produced it.

`reasons` asks the scoring model itself how much each feature of this row moved its score:
LightGBM's own per-row contributions (`pred_contrib`, the tree SHAP values, in log-odds),
coefficient x standardized value for logistic regression (through the pipeline's own
preprocessing, so in log-odds against the average training visitor), and the points each row
of the points rule earned. `scoring.reasons` sums them into behaviours a researcher knows
(pricing = its views, share and time) and phrases each with the row's numbers; the largest
ones, either way, are the reasons, strongest first. A calibrated model is explained through
the estimator under its calibration: a monotone map changes no ranking of reasons.

`explain` is the older answer for models that give no contributions (histogram boosting, the
MLP): the drop in probability when a behaviour is set to the training median.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.pipeline import Pipeline

from prospects.visits.choices import FUNNEL_ORDER, Category, FunnelStage, SourceType

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


STAGE_LABELS = dict(FunnelStage.choices)


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _count(value: float) -> int:
    return round(float(value))


@dataclass(frozen=True)
class ReasonGroup:
    """Features explained together: the main one decides if it applies and fills the text."""

    key: str
    main: str
    members: tuple[str, ...]
    text: str  # a format string receiving `n` (int) and `x` (float) from the main feature

    def render(self, value: float) -> str:
        if self.key == "funnel":
            stage = FUNNEL_ORDER[min(max(_count(value), 1), len(FUNNEL_ORDER)) - 1]
            return self.text.format(stage=STAGE_LABELS[stage].lower())
        n = _count(value)
        return self.text.format(n=n, x=value, times=_times(n), pct=round(100 * value))


CATEGORY_TEXT = {
    Category.PRICING: "viewed pricing {times}",
    Category.PRODUCT: "viewed product pages {times}",
    Category.PREMIUM: "opened premium content {times}",
    Category.DOCS: "read the documentation {times}",
    Category.COMPANY: "read about the company and its customers {times}",
    Category.BLOG: "read blog posts {times}",
    Category.HOME: "viewed the home page {times}",
    Category.PRESS: "read press pages {times}",
    Category.JOBS: "looked at job openings {times}",
    Category.OTHER: "viewed other pages {times}",
}
SOURCE_TEXT = {
    SourceType.SEARCH: "came from a search engine in {pct}% of visits",
    SourceType.CAMPAIGN: "came from an email or campaign in {pct}% of visits",
    SourceType.PARTNER: "came from a review or partner site in {pct}% of visits",
    SourceType.SOCIAL: "came from social media in {pct}% of visits",
    SourceType.DIRECT: "typed the address or used a bookmark in {pct}% of visits",
    SourceType.INTERNAL: "arrived from our own site in {pct}% of visits",
}

GROUPS = [
    *(
        ReasonGroup(
            c.value,
            f"views_{c.value}",
            (f"views_{c.value}", f"share_{c.value}", f"time_{c.value}"),
            text,
        )
        for c, text in CATEGORY_TEXT.items()
    ),
    ReasonGroup(
        "return_days",
        "return_days",
        ("return_days", "distinct_days"),
        "came back on {n} different days",
    ),
    ReasonGroup("sessions", "sessions", ("sessions", "return_visits"), "made {n} separate visits"),
    ReasonGroup(
        "depth",
        "pages_per_session",
        ("pages_per_session", "single_page_session_share", "pageviews"),
        "viewed {x:.1f} pages per visit",
    ),
    ReasonGroup(
        "variety", "distinct_categories", ("distinct_categories",), "looked at {n} kinds of content"
    ),
    ReasonGroup(
        "funnel", "deepest_funnel_stage", ("deepest_funnel_stage",), "reached the {stage} stage"
    ),
    ReasonGroup("time", "mean_time_on_page", ("mean_time_on_page",), "spent {n} seconds per page"),
    ReasonGroup(
        "tenure",
        "days_since_first_visit",
        ("days_since_first_visit",),
        "kept visiting over {n} days",
    ),
    ReasonGroup(
        "comeback",
        "days_since_previous_visit",
        ("days_since_previous_visit",),
        "came back after {n} days away",
    ),
    *(
        ReasonGroup(f"source_{s.value}", f"source_{s.value}", (f"source_{s.value}",), text)
        for s, text in SOURCE_TEXT.items()
    ),
]


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


def explain(
    model, X: np.ndarray, names: list[str], baseline: np.ndarray, p: np.ndarray, floor: float
) -> list[list]:
    """The top reasons for every row of X: [{"feature", "text", "weight"}, ...], strongest first.

    `p` is the model's probability for each row; `baseline` the typical value of each feature.
    Rows below `floor` (the conversion rate) get no reasons: they are less likely to convert
    than the average visitor, no researcher looks at them, and skipping them keeps rescoring
    fast.
    """
    index = {name: i for i, name in enumerate(names)}
    reasons = [[] for _ in range(len(X))]
    explained = np.flatnonzero(p >= floor)
    X, p = X[explained], p[explained]
    lift = np.zeros((len(X), len(GROUPS)))
    for g, group in enumerate(GROUPS):
        main = index[group.main]
        # A reason must be something the visitor did more of than a typical visitor.
        rows = np.flatnonzero(X[:, main] > baseline[main] + 1e-9)
        if not len(rows):
            continue
        changed = X[rows]
        members = [index[m] for m in group.members]
        changed[:, members] = baseline[members]
        lift[rows, g] = p[rows] - probabilities(model, changed)
    top = np.argsort(-lift, axis=1)[:, :TOP_REASONS]
    weights = np.take_along_axis(lift, top, axis=1).tolist()
    values = np.take_along_axis(X, np.array([index[g.main] for g in GROUPS])[top], axis=1)
    for i, groups, row_weights, row_values in zip(
        explained.tolist(), top.tolist(), weights, values.tolist(), strict=True
    ):
        for g, weight, value in zip(groups, row_weights, row_values, strict=True):
            if weight <= 0:
                break
            reasons[i].append(
                {
                    "feature": GROUPS[g].key,
                    "text": GROUPS[g].render(value),
                    "weight": round(weight, 4),
                }
            )
    return reasons

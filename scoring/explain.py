"""Why a visitor scores high, in words a researcher understands.

For each group of related features (everything about pricing, everything about return days,
...) we ask the real model: how much lower would this visitor's probability be if this part of
their behaviour were that of a typical visitor (the training median)? The three groups whose
removal lowers it most are the reasons. Only visitors who did more than typical in a group are
asked about it, which keeps this to a few batched predictions instead of one per feature.
"""

from dataclasses import dataclass

import numpy as np

from prospects.visits.choices import FUNNEL_ORDER, Category, FunnelStage, SourceType

TOP_REASONS = 3
# Rows per prediction call. Each tree of a boosted model makes one pass over its input; a
# block this size stays in the CPU cache across the hundred passes, where 100,000 rows
# (36 MB) are read from memory a hundred times: scoring takes half the time (measured).
PREDICT_BLOCK = 8192
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

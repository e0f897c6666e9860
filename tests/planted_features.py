"""A planted feature table in the real feature layout: who converts is known by construction.

Conversion rises with pricing views, return days and premium content and falls with job
openings, each on its own, so different visitors score high for different reasons. Every row
is consistent (shares are views over page views, return days are days minus one, ...), which
lets a test take a behaviour away the way a visitor who never did it would look.
"""

import numpy as np

from scoring.features import CATEGORIES, FEATURE_NAMES, SOURCES

COLUMN = {name: i for i, name in enumerate(FEATURE_NAMES)}
STAGE = {"home": 1, "jobs": 1, "press": 1, "blog": 2, "premium": 2, "company": 2, "other": 1}
STAGE.update({"product": 3, "docs": 3, "pricing": 4})
RATES = {"pricing": 0.6, "product": 1.0, "premium": 0.4, "blog": 1.0, "home": 1.0, "jobs": 0.3}


def planted(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n feature rows in FEATURE_NAMES order and their 0/1 labels."""
    rng = np.random.default_rng(seed)
    X = np.zeros((n, len(FEATURE_NAMES)))
    # Visitors differ in appetite: a few read a lot of one kind of page.
    for category in CATEGORIES:
        rate = RATES.get(category, 0.1) * rng.gamma(1.0, 1.0, n)
        X[:, COLUMN[f"views_{category}"]] = rng.poisson(rate)
    views = X[:, [COLUMN[f"views_{c}"] for c in CATEGORIES]]
    empty = views.sum(axis=1) == 0
    X[empty, COLUMN["views_home"]] = 1
    views = X[:, [COLUMN[f"views_{c}"] for c in CATEGORIES]]
    pageviews = views.sum(axis=1)
    days = 1 + np.minimum(rng.poisson(0.7 * rng.gamma(1.0, 1.0, n)), pageviews - 1)
    sessions = np.minimum(days + rng.poisson(0.5, n), pageviews)
    _set(X, "pageviews", pageviews)
    _set(X, "sessions", sessions)
    _set(X, "return_visits", sessions - 1)
    _set(X, "distinct_days", days)
    _set(X, "return_days", days - 1)
    _set(X, "pages_per_session", pageviews / sessions)
    _set(X, "single_page_session_share", rng.uniform(0, 1, n) * (sessions > 1) + (pageviews == 1))
    _set(X, "distinct_categories", (views > 0).sum(axis=1))
    stages = np.array([STAGE.get(c, 1) for c in CATEGORIES])
    _set(X, "deepest_funnel_stage", ((views > 0) * stages).max(axis=1))
    seconds = rng.gamma(2.0, 30.0, (n, len(CATEGORIES))) * (views > 0)
    for i, category in enumerate(CATEGORIES):
        _set(X, f"share_{category}", views[:, i] / pageviews)
        _set(X, f"time_{category}", seconds[:, i])
    _set(X, "mean_time_on_page", (seconds * views).sum(axis=1) / pageviews)
    _set(X, "days_since_first_visit", (days - 1) * rng.uniform(1, 3, n))
    _set(X, "days_since_previous_visit", (days > 1) * rng.uniform(1, 4, n))
    source = rng.integers(0, len(SOURCES), n)
    for i, name in enumerate(SOURCES):
        _set(X, f"source_{name}", (source == i).astype(float))
    logit = (
        -6.0
        + 0.9 * _get(X, "views_pricing")
        + 0.9 * _get(X, "return_days")
        + 0.9 * _get(X, "views_premium")
        - 1.5 * _get(X, "views_jobs")
    )
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    return X, y


def _set(X: np.ndarray, name: str, values) -> None:
    X[:, COLUMN[name]] = values


def _get(X: np.ndarray, name: str) -> np.ndarray:
    return X[:, COLUMN[name]]

"""A company's visits as of a moment, as the numbers the stage models read.

Only page views strictly before the moment count, so a lead's features are what was known at
its SQL and a company not yet an SQL is described as of now, the same way.
"""

import datetime as dt

import numpy as np

from prospects.models import PageView
from prospects.visits.choices import Category

FEATURES = (
    "page views (log)",
    "visitors (log)",
    "visits (log)",
    "active days (log)",
    "pricing share",
    "kinds of content",
    "days known (log)",
    "days since the last visit (log)",
)
# Days since the last visit for a company with no visit before the moment.
NO_VISIT_DAYS = 365
CHUNK = 500


def company_features(as_of: dict[int, dt.datetime]) -> np.ndarray:
    """One row of FEATURES per company in `as_of` (company id → moment), in its order."""
    ids = list(as_of)
    views: dict[int, list] = {pk: [] for pk in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        latest = max(as_of[pk] for pk in chunk)
        rows = PageView.objects.filter(visitor__company_id__in=chunk, ts__lt=latest).values_list(
            "visitor__company_id", "visitor_id", "session_id", "ts", "page__category"
        )
        for company_id, visitor_id, session_id, ts, category in rows.iterator(chunk_size=5000):
            if ts < as_of[company_id]:
                views[company_id].append((visitor_id, session_id, ts, category))
    return np.array([_row(views[pk], as_of[pk]) for pk in ids], dtype=float).reshape(
        len(ids), len(FEATURES)
    )


def _row(views: list, moment: dt.datetime) -> list[float]:
    if not views:
        return [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, np.log1p(NO_VISIT_DAYS)]
    stamps = [ts for _, _, ts, _ in views]
    day = dt.timedelta(days=1)
    return [
        np.log1p(len(views)),
        np.log1p(len({v for v, _, _, _ in views})),
        np.log1p(len({s for _, s, _, _ in views})),
        np.log1p(len({ts.date() for ts in stamps})),
        sum(c == Category.PRICING for _, _, _, c in views) / len(views),
        float(len({c for _, _, _, c in views})),
        np.log1p((moment - min(stamps)) / day),
        np.log1p((moment - max(stamps)) / day),
    ]

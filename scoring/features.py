"""Feature rows per visitor as of a cutoff T: from page views strictly before T, for everyone.

The same rule holds for converts and non-converts: a hit at or after T never reaches T's
row, time on a page counts only when the next hit came before T, recency is measured from T,
and a visitor who had converted by T has no row at T (their label is already known). So a
convert's conversion page and everything after it cannot leak into any row.

Five queries serve any number of cutoffs at once (`scoring.feature_queries`: visitors; page
views with their cutoff buckets; the pages' categories; sessions with their buckets; the page
counts of the few sessions that straddle a cutoff), and numpy sums the buckets before each
cutoff.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import connection

from . import feature_queries as queries
from .feature_queries import CATEGORIES, SOURCES

DAY = 86400.0

FEATURE_NAMES = [
    "pageviews",
    "sessions",
    "return_visits",
    "distinct_days",
    "return_days",
    "pages_per_session",
    "single_page_session_share",
    "distinct_categories",
    "deepest_funnel_stage",
    "mean_time_on_page",
    "days_since_first_visit",
    "days_since_previous_visit",
    "days_since_last_visit",
    *(f"views_{c}" for c in CATEGORIES),
    *(f"share_{c}" for c in CATEGORIES),
    *(f"time_{c}" for c in CATEGORIES),
    *(f"source_{s}" for s in SOURCES),
]


@dataclass
class FeatureTable:
    """The feature matrix as of one cutoff, its visitors (sorted ids) and when each converted."""

    as_of: dt.datetime
    visitor_ids: np.ndarray
    X: np.ndarray
    # Epoch seconds of each visitor's conversion (NaN: none); all after `as_of`.
    converted_at: np.ndarray
    names: list[str]

    def column(self, name: str) -> np.ndarray:
        """One feature for every visitor."""
        return self.X[:, self.names.index(name)]

    def labels(self, horizon_days: float) -> np.ndarray:
        """1 for visitors who converted in (as_of, as_of + horizon], else 0."""
        end = self.as_of.timestamp() + horizon_days * DAY
        return (self.converted_at <= end).astype(int)

    def __len__(self) -> int:
        return len(self.visitor_ids)


def build_features(
    *, as_of: dt.datetime, visitors=None, keep_converted: bool = False
) -> FeatureTable:
    """The feature table as of T for the given Visitor queryset (None: everyone), ordered by id.

    `keep_converted` keeps visitors converted by T, with everything they did before T: for
    describing visitors (segments), never for training or scoring, where their row would
    carry the outcome.
    """
    return build_snapshots([as_of], visitors=visitors, keep_converted=keep_converted)[0]


def build_snapshots(
    cutoffs: list[dt.datetime], *, visitors=None, keep_converted: bool = False
) -> list[FeatureTable]:
    """One feature table per cutoff (in the order given), from four queries in all."""
    order = sorted(range(len(cutoffs)), key=lambda i: cutoffs[i])
    ordered = [cutoffs[i] for i in order]
    tables = _build_sorted(ordered, visitors, keep_converted)
    result = [None] * len(cutoffs)
    for place, i in enumerate(order):
        result[i] = tables[place]
    return result


def _build_sorted(cutoffs: list[dt.datetime], visitors, keep_converted: bool) -> list[FeatureTable]:
    # Bound as the database stores timestamps (naive UTC text on SQLite), so text compares hold.
    bound = [connection.ops.adapt_datetimefield_value(c) for c in cutoffs]
    scope_v, params = queries.scope(visitors, "v.id")
    scope_pv, _ = queries.scope(visitors, "pv.visitor_id")
    scope_s, _ = queries.scope(visitors, "s.visitor_id")
    (session_sql, session_params), (straddle_sql, straddle_params) = queries.session_queries(
        bound, scope_s, params
    )
    with connection.cursor() as cursor:
        people = queries.fetch(cursor, *queries.people_query(scope_v, params), 3)
        views = queries.page_views(cursor, bound, scope_pv, params)
        sessions = queries.fetch(cursor, session_sql, session_params, 6)
        straddling = queries.fetch(cursor, straddle_sql, straddle_params, 3)
    ids = people[:, 0].astype(np.int64)
    converted = np.where(people[:, 1] > 0, people[:, 2], np.nan)
    tables = []
    for k, cutoff in enumerate(cutoffs):
        t = cutoff.timestamp()
        # Converted at or before T: the outcome is known, there is nothing left to predict.
        keep = np.ones(len(ids), bool) if keep_converted else ~(converted <= t)
        tables.append(_table(cutoff, k, ids[keep], converted[keep], views, sessions, straddling))
    return tables


def _table(cutoff, k, ids, converted, views, sessions, straddling) -> FeatureTable:
    n = len(ids)
    v = views[(views[:, 3] <= k) & _known(ids, views[:, 0])]
    timed = v[:, 4] <= k
    category_rows = np.column_stack(
        [
            v[:, 0],
            v[:, 1],
            v[:, 2],
            v[:, 5],
            np.where(timed, v[:, 6], 0),
            np.where(timed, v[:, 7], 0),
        ]
    )
    columns = _category_columns(ids, category_rows)
    s = sessions[(sessions[:, 5] <= k) & _known(ids, sessions[:, 1])]
    counts = straddling[straddling[:, 1] <= k]
    columns.update(_session_columns(ids, s, counts, columns["pageviews"], cutoff.timestamp()))
    X = np.column_stack([columns[name] for name in FEATURE_NAMES]) if n else np.zeros((0, 0))
    return FeatureTable(
        as_of=cutoff,
        visitor_ids=ids,
        X=X.astype(float).reshape(n, len(FEATURE_NAMES)),
        converted_at=converted,
        names=list(FEATURE_NAMES),
    )


def _known(ids: np.ndarray, visitor: np.ndarray) -> np.ndarray:
    """Rows whose visitor is among `ids` (visitors without a row at this cutoff drop out)."""
    if not len(ids):
        return np.zeros(len(visitor), bool)
    at = np.clip(np.searchsorted(ids, visitor.astype(np.int64)), 0, len(ids) - 1)
    return ids[at] == visitor.astype(np.int64)


def _category_columns(ids: np.ndarray, rows: np.ndarray) -> dict[str, np.ndarray]:
    n, k = len(ids), len(CATEGORIES)
    visitor, category, stage, views, seconds, timed = rows.T
    row = np.searchsorted(ids, visitor.astype(np.int64))
    cell = row * k + category.astype(np.int64)

    def per_category(weights) -> np.ndarray:
        return np.bincount(cell, weights=weights, minlength=n * k).reshape(n, k)

    views_by = per_category(views)
    seconds_by, timed_by = per_category(seconds), per_category(timed)
    pageviews = views_by.sum(axis=1)
    deepest = np.zeros(n)
    np.maximum.at(deepest, row, stage)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(pageviews[:, None] > 0, views_by / pageviews[:, None], 0.0)
        mean_time = np.where(timed_by > 0, seconds_by / timed_by, 0.0)
        timed_total = timed_by.sum(axis=1)
        overall_time = np.where(timed_total > 0, seconds_by.sum(axis=1) / timed_total, 0.0)
    columns = {
        "pageviews": pageviews,
        "distinct_categories": (views_by > 0).sum(axis=1).astype(float),
        "deepest_funnel_stage": deepest,
        "mean_time_on_page": overall_time,
    }
    for i, name in enumerate(CATEGORIES):
        columns[f"views_{name}"] = views_by[:, i]
        columns[f"share_{name}"] = share[:, i]
        columns[f"time_{name}"] = mean_time[:, i]
    return columns


def _session_columns(ids, rows: np.ndarray, recounted: np.ndarray, pageviews, as_of: float):
    n, k = len(ids), len(SOURCES)
    session, visitor, views, started, source, _ = rows.T
    row = np.searchsorted(ids, visitor.astype(np.int64))
    if len(recounted):
        # A session running across T holds only its views from before T.
        known, where = np.unique(recounted[:, 0], return_inverse=True)
        counts = np.bincount(where, weights=recounted[:, 2], minlength=len(known))
        at = np.clip(np.searchsorted(known, session), 0, len(known) - 1)
        views = np.where(known[at] == session, counts[at], views)
    source_code = source.astype(np.int64)
    sessions = np.bincount(row, minlength=n).astype(float)
    single = np.bincount(row, weights=(views == 1).astype(float), minlength=n)
    by_source = np.bincount(row * k + source_code, minlength=n * k).reshape(n, k).astype(float)
    day_keys = np.unique(row * 1_000_000 + np.floor(started / DAY).astype(np.int64))
    distinct_days = np.bincount(day_keys // 1_000_000, minlength=n).astype(float)
    first_visit, last_visit, previous_visit = _visit_times(n, row, started)
    with np.errstate(divide="ignore", invalid="ignore"):
        has = sessions > 0
        columns = {
            "sessions": sessions,
            "return_visits": np.maximum(sessions - 1, 0),
            "distinct_days": distinct_days,
            "return_days": np.maximum(distinct_days - 1, 0),
            # Page views outside any session count as one visit.
            "pages_per_session": np.where(has, pageviews / sessions, pageviews),
            "single_page_session_share": np.where(has, single / sessions, 0.0),
            "days_since_first_visit": np.where(has, (last_visit - first_visit) / DAY, 0.0),
            "days_since_previous_visit": np.where(
                np.isfinite(previous_visit), (last_visit - previous_visit) / DAY, 0.0
            ),
            # Recency from the cutoff, the same for converts and everyone else: a convert's
            # row is always from before their conversion, so it cannot tell the label.
            "days_since_last_visit": np.where(has, np.maximum(as_of - last_visit, 0) / DAY, 0.0),
        }
        for i, name in enumerate(SOURCES):
            columns[f"source_{name}"] = np.where(has, by_source[:, i] / sessions, 0.0)
    return columns


def _visit_times(n: int, row: np.ndarray, started: np.ndarray):
    """Per visitor: start of the first, the last and the second-to-last session."""
    first = np.full(n, np.nan)
    last = np.full(n, np.nan)
    previous = np.full(n, np.nan)
    if not len(row):
        return first, last, previous
    order = np.lexsort((started, row))
    row, started = row[order], started[order]
    group_end = np.flatnonzero(np.r_[row[1:] != row[:-1], True])
    group_start = np.r_[0, group_end[:-1] + 1]
    first[row[group_start]] = started[group_start]
    last[row[group_end]] = started[group_end]
    has_previous = group_end > group_start
    previous[row[group_end[has_previous]]] = started[group_end[has_previous] - 1]
    return first, last, previous

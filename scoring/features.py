"""Feature rows per visitor as of a cutoff T: from page views strictly before T, for everyone.

The same rule holds for converts and non-converts: a hit at or after T never reaches T's
row, time on a page counts only when the next hit came before T, recency is measured from T,
and a visitor who had converted by T has no row at T (their label is already known). So a
convert's conversion page and everything after it cannot leak into any row.

Four queries serve any number of cutoffs at once (visitors; page views per visitor, category,
stage and cutoff bucket; sessions with their buckets; the page counts of the few sessions
that straddle a cutoff). Each hit is put in the bucket of the first cutoff after it by a
binary CASE in SQL, and numpy sums the buckets before each cutoff.
"""

import datetime as dt
import itertools
from dataclasses import dataclass

import numpy as np
from django.db import connection

from leadgen.db import comparable_timestamp, epoch, seconds_after, table_scan
from prospects.models import Page, PageView, Session, Visitor
from prospects.visits.choices import FUNNEL_ORDER, Category, SourceType

# The trial and contact form pages are the act of converting, not research before it: in the
# demo only converts open them, and a model given them learns the label (ROC AUC 1.0) and
# ranks every non-convert alike. They are left out of the page-view features.
FORM = Category.CONTACT.value
CATEGORIES = [c.value for c in Category if c != Category.CONTACT]
SOURCES = [s.value for s in SourceType]
DAY = 86400.0
FETCH_BLOCK = 20000

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


def _scope(visitors, column: str) -> tuple[str, list]:
    """An SQL condition limiting a query to the given visitors queryset (None: everyone)."""
    if visitors is None:
        return "", []
    sql, params = visitors.order_by().values("id").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def _bucket(expression: str, cutoffs: list, *, comparable: bool = False) -> tuple[str, list]:
    """SQL numbering `expression` by how many cutoffs are at or before it (binary CASE).

    A hit is before cutoff k exactly when its bucket is at most k. `comparable` compares epoch
    forms (for computed timestamps such as ts + time on page on SQLite).
    """

    def mark() -> str:
        return comparable_timestamp("%s") if comparable else "%s"

    def split(low: int, high: int) -> tuple[str, list]:
        if low == high:
            return str(low), []
        middle = (low + high) // 2
        below, below_params = split(low, middle)
        above, above_params = split(middle + 1, high)
        sql = f"CASE WHEN {expression} < {mark()} THEN {below} ELSE {above} END"
        return sql, [cutoffs[middle], *below_params, *above_params]

    return split(0, len(cutoffs))


def _code(column: str, vocabulary: list[str]) -> str:
    """SQL numbering a choice column by its place in the vocabulary, so rows come back numeric.

    Unknown values (a category added later) fall into the last bucket.
    """
    assert all(v.replace("_", "").isalpha() for v in vocabulary)  # our own constants only
    whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(vocabulary))
    return f"CASE {column} {whens} ELSE {len(vocabulary) - 1} END"


def _fetch(cursor, sql: str, params: list, width: int) -> np.ndarray:
    """The query's rows (numbers, no NULL) as a float matrix, without a list of every row."""
    cursor.execute(sql, params)
    # In blocks: iterating Django's cursor row by row resumes a Python generator per row.
    blocks = iter(lambda: cursor.fetchmany(FETCH_BLOCK), [])
    flat = np.fromiter(
        itertools.chain.from_iterable(itertools.chain.from_iterable(blocks)), dtype=float
    )
    return flat.reshape(len(flat) // width, width)


STAGES = len(FUNNEL_ORDER) + 1  # stage codes 1..len(FUNNEL_ORDER)


def _page_view_query(cutoffs, scope_pv, scope_params):
    pv, page = PageView._meta.db_table, Page._meta.db_table
    category, stage = _code("p.category", CATEGORIES), _code("p.funnel_stage", FUNNEL_ORDER)
    seen, seen_params = _bucket("pv.ts", cutoffs)
    # Time on a page is the gap to the next hit; known at T only when that hit came before T.
    ends = seconds_after("pv.ts", "COALESCE(pv.time_on_page, 0)")
    known, known_params = _bucket(ends, cutoffs, comparable=True)
    buckets = len(cutoffs) + 1
    # Category and stage as one number, the two buckets as another (_unpack_views splits them):
    # six columns instead of eight for some 450,000 rows at 100,000 visitors. Over the whole
    # table SQLite reads it in storage order, not row by row through the visitor index; both
    # sorts are the GROUP BY's anyway (4.53 -> 3.48 CPU s on 3,000,000 page views, measured).
    scan = table_scan() if not scope_pv else ""
    sql = (
        f"SELECT pv.visitor_id, ({category}) * {STAGES} + {stage} + 1, "
        f"({seen}) * {buckets} + {known}, COUNT(*), "
        f"COALESCE(SUM(pv.time_on_page), 0), COUNT(pv.time_on_page) "
        f"FROM {pv} pv {scan} JOIN {page} p ON p.id = pv.page_id "
        f"WHERE p.category <> '{FORM}' AND pv.ts < %s{scope_pv} "
        f"GROUP BY pv.visitor_id, p.category, p.funnel_stage, 3"
    )
    return sql, [*seen_params, *known_params, cutoffs[-1], *scope_params]


def _unpack_views(rows: np.ndarray, buckets: int) -> np.ndarray:
    """The page-view query's rows with their codes split: visitor, category, stage, seen
    bucket, known bucket, views, seconds, timed views (what _table reads)."""
    category, stage = np.divmod(rows[:, 1].astype(np.int64), STAGES)
    seen, known = np.divmod(rows[:, 2].astype(np.int64), buckets)
    return np.column_stack([rows[:, 0], category, stage, seen, known, rows[:, 3:]]).astype(float)


def _session_queries(cutoffs, scope_s, scope_params):
    pv, session = PageView._meta.db_table, Session._meta.db_table
    started, started_params = _bucket("s.started_at", cutoffs)
    ended, ended_params = _bucket("s.ended_at", cutoffs)
    sessions = (
        f"SELECT s.id, s.visitor_id, s.pageview_count, {epoch('s.started_at')}, "
        f"{_code('s.source_type', SOURCES)}, {started} "
        f"FROM {session} s WHERE s.started_at < %s{scope_s}"
    )
    # Only a session running across a cutoff has views on both sides of it: those few are
    # re-counted per bucket from their page views (every page counts in a session, forms too).
    # Driven from those sessions through the page views' session index: joined instead, SQLite
    # scanned every page view to find none at the scoring cutoff (0.04 CPU s per 600,000).
    seen, seen_params = _bucket("pv.ts", cutoffs)
    straddling = (
        f"SELECT pv.session_id, {seen}, COUNT(*) FROM {pv} pv "
        f"WHERE pv.session_id IN (SELECT s.id FROM {session} s "
        f"WHERE s.started_at < %s AND ({started}) <> ({ended}){scope_s}) "
        f"GROUP BY pv.session_id, 2"
    )
    return (
        (sessions, [*started_params, cutoffs[-1], *scope_params]),
        (
            straddling,
            [*seen_params, cutoffs[-1], *started_params, *ended_params, *scope_params],
        ),
    )


def _build_sorted(cutoffs: list[dt.datetime], visitors, keep_converted: bool) -> list[FeatureTable]:
    # Bound as the database stores timestamps (naive UTC text on SQLite), so text compares hold.
    bound = [connection.ops.adapt_datetimefield_value(c) for c in cutoffs]
    scope_v, params = _scope(visitors, "v.id")
    scope_pv, _ = _scope(visitors, "pv.visitor_id")
    scope_s, _ = _scope(visitors, "s.visitor_id")
    # Epoch seconds from SQL: building 100,000 datetimes in Python cost more than the query.
    people_sql = (
        f"SELECT v.id, v.converted_at IS NOT NULL, COALESCE({epoch('v.converted_at')}, 0) "
        f"FROM {Visitor._meta.db_table} v "
        f"WHERE 1 = 1{scope_v} ORDER BY v.id"
    )
    view_sql, view_params = _page_view_query(bound, scope_pv, params)
    (session_sql, session_params), (straddle_sql, straddle_params) = _session_queries(
        bound, scope_s, params
    )
    with connection.cursor() as cursor:
        people = _fetch(cursor, people_sql, params, 3)
        views = _unpack_views(_fetch(cursor, view_sql, view_params, 6), len(cutoffs) + 1)
        sessions = _fetch(cursor, session_sql, session_params, 6)
        straddling = _fetch(cursor, straddle_sql, straddle_params, 3)
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

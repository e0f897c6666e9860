"""One feature row per visitor, from behaviour strictly before conversion.

Four queries do the heavy lifting in the database (visitors; page views per visitor, category
and funnel stage; sessions; converts' page views before conversion per session, category and
stage) and numpy turns their rows into the matrix. A visitor's conversion page and everything
after it never reach a feature: a convert's page views count only when `ts < converted_at`
(their rows in the everyone query are replaced by the converts query's), sessions only when
they started before it, and a convert's sessions are re-counted from their pre-conversion
page views.
"""

from dataclasses import dataclass

import numpy as np
from django.db import connection

from leadgen.db import comparable_timestamp, epoch, seconds_after
from prospects.models import Page, PageView, Session, Visitor
from prospects.visits.choices import FUNNEL_ORDER, Category, SourceType

# The trial and contact form pages are the act of converting, not research before it: in the
# demo only converts open them, and a model given them learns the label (ROC AUC 1.0) and
# ranks every non-convert alike. They are left out of the page-view features.
FORM = Category.CONTACT.value
CATEGORIES = [c.value for c in Category if c != Category.CONTACT]
SOURCES = [s.value for s in SourceType]
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
    *(f"views_{c}" for c in CATEGORIES),
    *(f"share_{c}" for c in CATEGORIES),
    *(f"time_{c}" for c in CATEGORIES),
    *(f"source_{s}" for s in SOURCES),
]


@dataclass
class FeatureTable:
    """The feature matrix, its visitors (sorted ids) and whether each one converted."""

    visitor_ids: np.ndarray
    X: np.ndarray
    converted: np.ndarray
    names: list[str]

    def column(self, name: str) -> np.ndarray:
        """One feature for every visitor."""
        return self.X[:, self.names.index(name)]

    def __len__(self) -> int:
        return len(self.visitor_ids)


def _scope(visitors, column: str) -> tuple[str, list]:
    """An SQL condition limiting a query to the given visitors queryset (None: everyone)."""
    if visitors is None:
        return "", []
    sql, params = visitors.order_by().values("id").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def _ends_before_conversion() -> str:
    """SQL: the page view's time on page ends before its visitor's conversion."""
    ends = seconds_after("pv.ts", "pv.time_on_page")
    return f"{ends} < {comparable_timestamp('v.converted_at')}"


def _queries(scope_v: str, scope_pv: str) -> tuple[str, str, str, str]:
    pv, page = PageView._meta.db_table, Page._meta.db_table
    visitor, session = Visitor._meta.db_table, Session._meta.db_table
    visitors = f"SELECT v.id, v.converted_at IS NOT NULL FROM {visitor} v WHERE 1 = 1{scope_v}"
    category, stage = _code("p.category", CATEGORIES), _code("p.funnel_stage", FUNNEL_ORDER)
    # Everyone's page views, without the join to the visitor that the conversion cut needs:
    # it costs a lookup per page view, and only converts (a few percent) need the cut. Their
    # rows here are replaced by the next-but-one query's.
    by_category = (
        f"SELECT pv.visitor_id, {category}, {stage} + 1, COUNT(*), "
        f"COALESCE(SUM(pv.time_on_page), 0), COUNT(pv.time_on_page) "
        f"FROM {pv} pv JOIN {page} p ON p.id = pv.page_id "
        f"WHERE p.category <> '{FORM}'{scope_pv} "
        f"GROUP BY pv.visitor_id, p.category, p.funnel_stage"
    )
    # Sessions come from their own (ten times smaller) table; only a convert's session can
    # hold views from after the conversion, so those are re-counted from the next query.
    sessions = (
        f"SELECT s.id, s.visitor_id, s.pageview_count, {epoch('s.started_at')}, "
        f"{_code('s.source_type', SOURCES)} "
        f"FROM {session} s JOIN {visitor} v ON v.id = s.visitor_id "
        f"WHERE (v.converted_at IS NULL OR s.started_at < v.converted_at){scope_v}"
    )
    # Converts' page views strictly before conversion (the goal hit and everything after it
    # are left out), per session, category and stage; form pages (-1) count in sessions only.
    # Time on a page is the gap to the next hit; when that hit is the conversion, the time is
    # known only because the visitor converted, so it is unknown here, as on any last page.
    time = f"CASE WHEN {_ends_before_conversion()} THEN pv.time_on_page END"
    converts = (
        f"SELECT pv.visitor_id, pv.session_id, "
        f"CASE WHEN p.category = '{FORM}' THEN -1 ELSE {category} END, {stage} + 1, COUNT(*), "
        f"COALESCE(SUM({time}), 0), COUNT({time}) "
        f"FROM {visitor} v JOIN {pv} pv ON pv.visitor_id = v.id JOIN {page} p ON p.id = pv.page_id "
        f"WHERE v.converted_at IS NOT NULL AND pv.ts < v.converted_at{scope_v} "
        f"GROUP BY pv.visitor_id, pv.session_id, p.category, p.funnel_stage"
    )
    return visitors, by_category, sessions, converts


def _fetch(cursor, sql: str, params: list) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def _code(column: str, vocabulary: list[str]) -> str:
    """SQL numbering a choice column by its place in the vocabulary, so rows come back numeric.

    Evaluated once per grouped row, it saves mapping hundreds of thousands of strings in Python.
    Unknown values (a category added later) fall into the last bucket.
    """
    assert all(v.replace("_", "").isalpha() for v in vocabulary)  # our own constants only
    whens = " ".join(f"WHEN '{v}' THEN {i}" for i, v in enumerate(vocabulary))
    return f"CASE {column} {whens} ELSE {len(vocabulary) - 1} END"


def _matrix(rows: list[tuple], width: int) -> np.ndarray:
    return np.array(rows, dtype=float).reshape(len(rows), width)


def build_features(visitors=None) -> FeatureTable:
    """The feature table for the given Visitor queryset (None: every visitor), ordered by id."""
    scope_v, params = _scope(visitors, "v.id")
    scope_pv, _ = _scope(visitors, "pv.visitor_id")
    visitors_sql, category_sql, session_sql, converts_sql = _queries(scope_v, scope_pv)
    with connection.cursor() as cursor:
        visitor_rows = _fetch(cursor, visitors_sql + " ORDER BY v.id", params)
        category_rows = _matrix(_fetch(cursor, category_sql, params), 6)
        session_rows = _fetch(cursor, session_sql, params)
        converts_rows = _matrix(_fetch(cursor, converts_sql, params), 7)
    n = len(visitor_rows)
    ids = np.fromiter((r[0] for r in visitor_rows), dtype=np.int64, count=n)
    converted = np.fromiter((bool(r[1]) for r in visitor_rows), dtype=bool, count=n)
    category_rows, recounted = _cut_at_conversion(ids, converted, category_rows, converts_rows)
    columns = _category_columns(ids, category_rows)
    columns.update(_session_columns(ids, session_rows, recounted, columns["pageviews"]))
    X = np.column_stack([columns[name] for name in FEATURE_NAMES]) if n else np.zeros((0, 0))
    return FeatureTable(
        visitor_ids=ids,
        X=X.astype(float).reshape(n, len(FEATURE_NAMES)),
        converted=converted,
        names=list(FEATURE_NAMES),
    )


def _cut_at_conversion(ids, converted, category_rows, converts_rows):
    """Converts' category rows from before conversion only, and their sessions' recounts."""
    visitor = category_rows[:, 0].astype(np.int64)
    at = np.clip(np.searchsorted(ids, visitor), 0, max(len(ids) - 1, 0))
    keep = ~converted[at] if len(ids) else np.zeros(len(visitor), bool)
    before = converts_rows[converts_rows[:, 2] >= 0][:, [0, 2, 3, 4, 5, 6]]
    rows = np.concatenate([category_rows[keep], before])
    in_session = converts_rows[~np.isnan(converts_rows[:, 1])]
    sessions, where = np.unique(in_session[:, 1], return_inverse=True)
    counts = np.bincount(where, weights=in_session[:, 4], minlength=len(sessions))
    return rows, np.column_stack([sessions, counts])


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


def _session_columns(ids: np.ndarray, rows: list[tuple], recounted: np.ndarray, pageviews) -> dict:
    n, k = len(ids), len(SOURCES)
    session, visitor, views, started, source = _matrix(rows, 5).T
    row = np.searchsorted(ids, visitor.astype(np.int64))
    if len(recounted):
        # A convert's session holds only its views from before the conversion.
        order = np.argsort(recounted[:, 0])
        known, counts = recounted[order, 0], recounted[order, 1]
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
            # Measured at the visitor's latest visit, not at "now" or at conversion: a clock
            # stopped at conversion would make every convert look recent, and the model would
            # learn the label from the reference point instead of from behaviour.
            "days_since_first_visit": np.where(has, (last_visit - first_visit) / DAY, 0.0),
            "days_since_previous_visit": np.where(
                np.isfinite(previous_visit), (last_visit - previous_visit) / DAY, 0.0
            ),
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

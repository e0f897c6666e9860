"""The feature table's queries: visitors, page views, sessions, and the sessions that straddle
a cutoff, each returned as a float matrix for `scoring.features` to sum per cutoff.

Each hit is put in the bucket of the first cutoff after it by a binary CASE in SQL (a hit is
before cutoff k exactly when its bucket is at most k), so one query serves any number of
cutoffs.
"""

import itertools

import numpy as np

from leadgen.db import comparable_timestamp, epoch, seconds_after, whole_table_integers
from prospects.models import Page, PageView, Session, Visitor
from prospects.visits.choices import FUNNEL_ORDER, Category, SourceType

# The trial and contact form pages are the act of converting, not research before it: in the
# demo only converts open them, and a model given them learns the label (ROC AUC 1.0) and
# ranks every non-convert alike. They are left out of the page-view features.
FORM = Category.CONTACT.value
CATEGORIES = [c.value for c in Category if c != Category.CONTACT]
SOURCES = [s.value for s in SourceType]
STAGES = len(FUNNEL_ORDER) + 1  # stage codes 1..len(FUNNEL_ORDER)
CODES = len(CATEGORIES) * STAGES  # category and stage as one number
FETCH_BLOCK = 20000
# A page view's time on page, packed beside its page id (NULL: -1, so this many values).
TIME_SPAN = 2**32


def scope(visitors, column: str) -> tuple[str, list]:
    """An SQL condition limiting a query to the given visitors queryset (None: everyone)."""
    if visitors is None:
        return "", []
    sql, params = visitors.order_by().values("id").query.sql_with_params()
    return f" AND {column} IN ({sql})", list(params)


def _bucket(expression: str, cutoffs: list, *, comparable: bool = False) -> tuple[str, list]:
    """SQL numbering `expression` by how many cutoffs are at or before it (binary CASE).

    `comparable` compares epoch forms (for computed timestamps such as ts + time on page on
    SQLite).
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


def fetch(cursor, sql: str, params: list, width: int, dtype=float) -> np.ndarray:
    """The query's rows (numbers, no NULL) as a matrix, without a list of every row."""
    cursor.execute(sql, params)
    # In blocks: iterating Django's cursor row by row resumes a Python generator per row.
    blocks = iter(lambda: cursor.fetchmany(FETCH_BLOCK), [])
    flat = np.fromiter(
        itertools.chain.from_iterable(itertools.chain.from_iterable(blocks)), dtype=dtype
    )
    return flat.reshape(len(flat) // width, width)


def people_query(scope_sql: str, params: list) -> tuple[str, list]:
    """Every visitor in scope, by id: id, converted or not, conversion epoch seconds."""
    # Epoch seconds from SQL: building 100,000 datetimes in Python cost more than the query.
    sql = (
        f"SELECT v.id, v.converted_at IS NOT NULL, COALESCE({epoch('v.converted_at')}, 0) "
        f"FROM {Visitor._meta.db_table} v "
        f"WHERE 1 = 1{scope_sql} ORDER BY v.id"
    )
    return sql, params


def page_views(cursor, cutoffs: list, scope_sql: str, params: list) -> np.ndarray:
    """Page views before the last cutoff counted per visitor, category, stage and the two
    cutoff buckets (when seen, when its time on page became known), forms left out: columns
    visitor, category, stage, seen bucket, known bucket, views, seconds, timed views."""
    buckets = len(cutoffs) + 1
    # Seen before the last cutoff by the WHERE, so only the others split the seen bucket.
    seen, seen_params = _bucket("pv.ts", cutoffs[:-1])
    # Time on a page is the gap to the next hit; known at T only when that hit came before T.
    ends = seconds_after("pv.ts", "COALESCE(pv.time_on_page, 0)")
    known, known_params = _bucket(ends, cutoffs, comparable=True)
    # Two whole numbers per page view, grouped in numpy: SQLite's GROUP BY sorted all
    # 3,000,000 rows (and PostgreSQL's hashed them) for longer than reading them takes, and
    # two packed columns read in 1.75 CPU s where four took 2.91 (measured on the bench data).
    columns = [
        f"pv.visitor_id * {buckets * buckets} + ({seen}) * {buckets} + {known}",
        f"pv.page_id * {TIME_SPAN} + COALESCE(pv.time_on_page, -1) + 1",
    ]
    table, where = f"{PageView._meta.db_table} pv", f"pv.ts < %s{scope_sql}"
    column_params, where_params = [*seen_params, *known_params], [cutoffs[-1], *params]
    if scope_sql:  # a few visitors, through the visitor index
        sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {where}"
        rows = fetch(cursor, sql, [*column_params, *where_params], 2, dtype=np.int64)
    else:
        rows = whole_table_integers(cursor, (columns, column_params), table, (where, where_params))
    visitor, bucket = np.divmod(rows[:, 0], buckets * buckets)
    page, time_on_page = np.divmod(rows[:, 1], TIME_SPAN)
    # Read after the page views, so every page they name is there (pages are never deleted
    # while a view refers to them).
    code = _page_codes(cursor)(page)
    keep = code >= 0
    visitor, code, bucket, time_on_page = (
        visitor[keep],
        code[keep],
        bucket[keep],
        time_on_page[keep],
    )
    timed = time_on_page > 0
    seconds = np.where(timed, time_on_page - 1, 0)
    # Grouped once, so that each cutoff sums some 450,000 rows rather than 3,000,000 (the
    # rows of one visitor, page code and bucket are summed either way).
    key = (visitor * CODES + code) * (buckets * buckets) + bucket
    groups, group_of = np.unique(key, return_inverse=True)
    views = np.bincount(group_of, minlength=len(groups))
    seconds = np.bincount(group_of, weights=seconds, minlength=len(groups))
    timed = np.bincount(group_of, weights=timed, minlength=len(groups))
    rest, bucket = np.divmod(groups, buckets * buckets)
    visitor, code = np.divmod(rest, CODES)
    category, stage = np.divmod(code, STAGES)
    seen, known = np.divmod(bucket, buckets)
    return np.column_stack([visitor, category, stage, seen, known, views, seconds, timed]).astype(
        float
    )


def _page_codes(cursor):
    """A function from page ids to their category and stage as one code (-1: a form page)."""
    pages = fetch(
        cursor,
        f"SELECT p.id, CASE WHEN p.category = '{FORM}' THEN -1 ELSE "
        f"({_code('p.category', CATEGORIES)}) * {STAGES} + {_code('p.funnel_stage', FUNNEL_ORDER)} "
        f"+ 1 END FROM {Page._meta.db_table} p ORDER BY p.id",
        [],
        2,
        dtype=np.int64,
    )
    if len(pages) and pages[-1, 0] >= 2**31 - 1:
        raise ValueError("Page ids from 2**31 on do not pack beside the time on page.")

    def codes(page: np.ndarray) -> np.ndarray:
        # Every page view's page exists (a protected foreign key).
        return pages[np.searchsorted(pages[:, 0], page), 1]

    return codes


def session_queries(cutoffs, scope_sql, params):
    """The sessions query (id, visitor, page views, start epoch, source code, start bucket)
    and the straddling-sessions query (session, seen bucket, page views), with parameters."""
    pv, session = PageView._meta.db_table, Session._meta.db_table
    started, started_params = _bucket("s.started_at", cutoffs)
    ended, ended_params = _bucket("s.ended_at", cutoffs)
    sessions = (
        f"SELECT s.id, s.visitor_id, s.pageview_count, {epoch('s.started_at')}, "
        f"{_code('s.source_type', SOURCES)}, {started} "
        f"FROM {session} s WHERE s.started_at < %s{scope_sql}"
    )
    # Only a session running across a cutoff has views on both sides of it: those few are
    # re-counted per bucket from their page views (every page counts in a session, forms too).
    # Driven from those sessions through the page views' session index: joined instead, SQLite
    # scanned every page view to find none at the scoring cutoff (0.04 CPU s per 600,000).
    seen, seen_params = _bucket("pv.ts", cutoffs)
    straddling = (
        f"SELECT pv.session_id, {seen}, COUNT(*) FROM {pv} pv "
        f"WHERE pv.session_id IN (SELECT s.id FROM {session} s "
        f"WHERE s.started_at < %s AND ({started}) <> ({ended}){scope_sql}) "
        f"GROUP BY pv.session_id, 2"
    )
    return (
        (sessions, [*started_params, cutoffs[-1], *params]),
        (straddling, [*seen_params, cutoffs[-1], *started_params, *ended_params, *params]),
    )

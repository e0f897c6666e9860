"""Bulk writes of one import chunk with the database driver, for SQLite and PostgreSQL.

The ORM would cap ingestion at a few ten thousand lines per second; here rows go in with
`executemany` on SQLite and `COPY` on PostgreSQL. Visitors and pages are created with the
database's unique keys (ip+ua_hash, path) skipping those that exist; page views go to a temp
stage that `sessions.merge_stage` writes out, skipping line hashes already stored, which is
what makes a re-import add nothing.
"""

import contextlib
import csv
import io

from django.db import connection

from leadgen.db import insert_many, ip_value, is_postgresql, timestamp_type
from prospects.models import Page, PageView, Visitor
from prospects.visits import ipkeys

PAGEVIEW_COLUMNS = (
    "visitor_id",
    "page_id",
    "ts",
    "status",
    "query",
    "referrer",
    "source_type",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "line_hash",
    "log_import_id",
)
# The stage's columns, in the order the writer builds its rows: the page view's, plus the
# line's legacy hash (0 when not needed), which only finds duplicates of imports made before
# line hashes named the file and offset.
STAGE_COLUMNS = (
    "visitor_id",
    "page_id",
    "log_import_id",
    *(c for c in PAGEVIEW_COLUMNS if c not in ("visitor_id", "page_id", "log_import_id")),
    "legacy_hash",
)
VISITOR = Visitor._meta.db_table
PAGE = Page._meta.db_table
PAGEVIEW = PageView._meta.db_table


def visitor_ids(keys: list[tuple[str, str, int]]) -> list[int]:
    """Ids of (ip, user agent, ua hash) visitors, in order, creating the ones that are missing.

    A visitor whose address was masked is found by the keyed hash of the line's full address
    (visits.ipkeys) instead of the address, and no unmasked twin is created beside it.
    """
    ip = ip_value("k.ip")
    keyed = [(address, agent, ua_hash, ipkeys.key(address)) for address, agent, ua_hash in keys]
    masked = f"v.ip_key = k.ip_key AND v.ua_hash = k.ua_hash AND v.ip_key > {ipkeys.RAW}"
    return _upsert(
        "ingest_visitor_keys",
        "ip TEXT, user_agent TEXT, ua_hash BIGINT, ip_key BIGINT",
        keyed,
        f"INSERT INTO {VISITOR} (ip, user_agent, ua_hash, excluded_reason) "
        f"SELECT {ip}, k.user_agent, k.ua_hash, '' FROM ingest_visitor_keys k "
        f"WHERE NOT EXISTS (SELECT 1 FROM {VISITOR} v WHERE {masked}) "
        # One key order for every import: two inserting the same new keys wait, never deadlock.
        f"ORDER BY k.ua_hash, k.ip ON CONFLICT (ip, ua_hash) WHERE ip_key = {ipkeys.RAW} "
        "DO NOTHING",
        f"SELECT k.ord, v.id FROM ingest_visitor_keys k JOIN {VISITOR} v "
        f"ON v.ip = {ip} AND v.ua_hash = k.ua_hash AND v.ip_key = {ipkeys.RAW} "
        f"UNION ALL SELECT k.ord, v.id FROM ingest_visitor_keys k JOIN {VISITOR} v ON {masked}",
    )


def page_ids(pages: list[tuple[str, str, str, bool]]) -> list[int]:
    """Ids of (path, category, funnel stage, is goal) pages, in order, creating missing ones."""
    return _upsert(
        "ingest_page_keys",
        "path TEXT, category TEXT, funnel_stage TEXT, is_goal BOOLEAN",
        pages,
        f"INSERT INTO {PAGE} (path, category, funnel_stage, is_goal) "
        "SELECT k.path, k.category, k.funnel_stage, k.is_goal FROM ingest_page_keys k WHERE TRUE "
        "ORDER BY k.path ON CONFLICT (path) DO NOTHING",
        f"SELECT k.ord, p.id FROM ingest_page_keys k JOIN {PAGE} p ON p.path = k.path",
    )


def _upsert(
    table: str, columns: str, rows: list[tuple], insert_sql: str, select_sql: str
) -> list[int]:
    """Load keys into a temp table, insert the missing rows, read back every id by key order."""
    names = [c.split()[0] for c in columns.split(", ")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {table} (ord INTEGER PRIMARY KEY, {columns})"
        )
        cursor.execute(f"DELETE FROM {table}")
        numbered = [(i, *row) for i, row in enumerate(rows)]
        placeholders = ", ".join(["%s"] * (len(names) + 1))
        insert_many(
            cursor, f"INSERT INTO {table} (ord, {', '.join(names)}) VALUES", placeholders, numbered
        )
        cursor.execute(insert_sql)
        cursor.execute(select_sql)
        ids = [0] * len(rows)
        for ordinal, row_id in cursor.fetchall():
            ids[ordinal] = row_id
    return ids


STAGE = "ingest_stage"
# SQLite page caches (KB) of an import, and of its page-view insert into a full table.
CACHE_KB = 4096
INSERT_CACHE_KB = 16384


def start_stage() -> None:
    """An empty temp table for this import's page views.

    Page views wait here until the import's sessions are cut, so each is written once, with its
    session and time on page, instead of being inserted and then updated.
    """
    columns = ", ".join(f"{name} {kind}" for name, kind in _stage_columns())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")
        if is_postgresql():
            cursor.execute(f"CREATE TEMP TABLE {STAGE} (sid BIGSERIAL, {columns})")
        else:
            cursor.execute(f"CREATE TEMP TABLE {STAGE} ({columns})")
            # 4 MB page caches (SQLite's default is 2 MB), small enough that even a small import
            # fills them: with 16 MB each, a 200,000-line import filled about half and a
            # 2,000,000-line one all, and its sorts (bounded by the main cache's size) took
            # 16 MB more, so peak memory grew with the file by ~40 MB.
            cursor.execute(f"PRAGMA main.cache_size = -{CACHE_KB}")
            cursor.execute(f"PRAGMA temp.cache_size = -{CACHE_KB}")


@contextlib.contextmanager
def insert_cache(*, enabled: bool):
    """A 16 MB main page cache on SQLite for the body (a page-view insert), 4 MB again after.

    Into a table that keeps its indexes, new rows land all over its big indexes: with 4 MB
    most of those pages are read, evicted and read again (400,000 lines into 402,660 page
    views: 9.07 CPU s against 10.35, peak memory +1 MB). The index builds and sorts that
    follow get the small cache back, so their memory does not grow with the file.
    """
    if not enabled or is_postgresql():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA main.cache_size = -{INSERT_CACHE_KB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA main.cache_size = -{CACHE_KB}")


def stage_pageviews(rows: list[tuple]) -> None:
    """Add page view rows (STAGE_COLUMNS order) to the stage."""
    columns = ", ".join(connection.ops.quote_name(c) for c in STAGE_COLUMNS)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if not is_postgresql():
            placeholders = ", ".join(["%s"] * len(STAGE_COLUMNS))
            raw.executemany(f"INSERT INTO {STAGE} ({columns}) VALUES ({placeholders})", rows)
            return
        buffer = io.StringIO()
        csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
        buffer.seek(0)
        raw.copy_expert(f"COPY {STAGE} ({columns}) FROM STDIN WITH (FORMAT csv)", buffer)


def drop_stage() -> None:
    """Drop this import's temp table."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGE}")


def _stage_columns() -> list[tuple[str, str]]:
    text, big = "TEXT", "BIGINT"
    stamp = timestamp_type()
    kinds = {"ts": stamp, "status": "INTEGER", "visitor_id": big, "page_id": big, "line_hash": big}
    kinds["log_import_id"] = kinds["legacy_hash"] = big
    return [(connection.ops.quote_name(c), kinds.get(c, text)) for c in STAGE_COLUMNS]

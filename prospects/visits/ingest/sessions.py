"""How page views are cut into sessions, and how long each page was read.

A session is a visitor's run of page views with no gap over LEADGEN_SESSION_GAP_SECONDS; time
on page is the gap to the next view in the same session (none on the last one). Both are
computed in SQL, set-based, over the staged page views of an import together with the
earlier page views of the visitors it touched, so a log rotated at midnight, overlapping
files or files imported out of order give exactly the sessions one big import would. Views
at the same second are ordered by line hash, which does not depend on the import order.

Only a window of each touched visitor's history is cut again: from the first to the last
new view, widened to the whole stored sessions that come within one gap of it. Sessions
outside are more than a gap away from every new view, so they cannot change; an import
into a database holding years of history costs what its own views cost.
"""

from django.conf import settings
from django.db import connection

from leadgen.db import (
    advisory_xact_lock,
    comparable_timestamp,
    epoch,
    is_postgresql,
    row_key,
    seconds_after,
)
from prospects.models import PageView, Session, Visitor

from . import bulk as bulk_load
from . import store
from .store import PAGEVIEW_COLUMNS, STAGE

PAGEVIEW = PageView._meta.db_table
SESSION = Session._meta.db_table
VISITOR = Visitor._meta.db_table
TEMP_TABLES = ("ingest_new", "ingest_range", "ingest_touched", "ingest_pvs")
# PostgreSQL advisory lock space of the merge: imports running at once merge one at a time, so
# each sees the other's committed views (no lost first_seen) and none waits on the other's locks.
MERGE_LOCK = 7302


def take_merge_turn() -> None:
    """Wait until no other import is merging; the turn lasts until this transaction ends."""
    advisory_xact_lock(MERGE_LOCK)


def merge_stage(*, legacy_keys: bool = False) -> int:
    """Write the staged page views with their sessions; recut the touched visitors' sessions.

    Touched visitors are those with new page views (or with views never sessioned, left by an
    import that stopped halfway). Their sessions are rebuilt, their earlier views re-linked,
    and their first_seen/last_seen updated. Returns how many page views were new. Run inside a
    transaction that took its turn first (`take_merge_turn`). With `legacy_keys`, a view whose
    legacy hash is stored is a duplicate too (a file imported before the upgrade).
    """
    gap = int(settings.LEADGEN_SESSION_GAP_SECONDS)
    with connection.cursor() as cursor:
        if is_postgresql():
            # Sorts, hashes and index builds of a big import in memory instead of temp files;
            # SET LOCAL ends with the transaction.
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            # The import is rerunnable (line hashes make it idempotent): losing its last commit
            # in a server crash costs a rerun, not consistency, and not waiting on the WAL flush
            # spares the merge's write-ahead log writes.
            cursor.execute("SET LOCAL synchronous_commit = off")
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        # Staged views not in the database yet (the rest are duplicates of earlier imports), once
        # per line hash; `sid` addresses the staged row. Grouped first, so SQLite probes the
        # stored line hashes in their index's order (page after page) instead of at random: an
        # index bigger than the page cache was read again for nearly every staged view.
        key = row_key()
        legacy = (
            f"WHERE NOT EXISTS (SELECT 1 FROM {PAGEVIEW} p WHERE p.line_hash = s.legacy_hash) "
            if legacy_keys
            else ""
        )
        cursor.execute(
            "CREATE TEMP TABLE ingest_new AS SELECT g.sid, g.line_hash, g.visitor_id, g.ts FROM ("
            f"SELECT MIN(s.{key}) AS sid, s.line_hash, MIN(s.visitor_id) AS visitor_id, "
            f"MIN(s.ts) AS ts FROM {STAGE} s {legacy}GROUP BY s.line_hash) AS g "
            f"WHERE NOT EXISTS (SELECT 1 FROM {PAGEVIEW} p WHERE p.line_hash = g.line_hash)"
        )
        if is_postgresql():
            # Temp tables get no statistics from autovacuum; the planner needs them for the joins.
            cursor.execute(f"ANALYZE {STAGE}")
            cursor.execute("ANALYZE ingest_new")
        _create_windows(cursor, gap)
        # One ordered pass per visitor: a gap over the limit (or the first view) starts a session;
        # the running max of session-start times names each view's session.
        cursor.execute(
            f"""
            CREATE TEMP TABLE ingest_pvs AS
            SELECT sid, line_hash, id, visitor_id, ts, is_start,
                   CASE WHEN next_gap <= %s THEN next_gap END AS time_on_page,
                   MAX(CASE WHEN is_start = 1 THEN ts END) OVER (
                       PARTITION BY visitor_id ORDER BY ts, line_hash ROWS UNBOUNDED PRECEDING
                   ) AS started_at
            FROM (
                SELECT sid, line_hash, id, visitor_id, ts,
                       CASE WHEN LAG(e) OVER w IS NULL OR e - LAG(e) OVER w > %s
                            THEN 1 ELSE 0 END AS is_start,
                       LEAD(e) OVER w - e AS next_gap
                FROM (
                    SELECT sid, line_hash, CAST(NULL AS BIGINT) AS id, visitor_id, ts,
                           {epoch("ts", integer=True)} AS e
                    FROM ingest_new
                    UNION ALL
                    SELECT CAST(NULL AS BIGINT) AS sid, p.line_hash, p.id, p.visitor_id, p.ts,
                           {epoch("p.ts", integer=True)} AS e
                    FROM ingest_touched w
                    JOIN {PAGEVIEW} p ON p.visitor_id = w.visitor_id AND p.ts >= w.lo AND p.ts <= w.hi
                ) AS views
                WINDOW w AS (PARTITION BY visitor_id ORDER BY ts, line_hash)
            ) AS flagged
            """,
            [gap, gap],
        )
        if is_postgresql():
            cursor.execute("ANALYZE ingest_pvs")
        cursor.execute("SELECT COUNT(*) FROM ingest_new")
        new_rows = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {PAGEVIEW}")
        bulk = bulk_load.worth_it(new_rows, cursor.fetchone()[0])
        cursor.execute("SELECT COUNT(*) FROM ingest_pvs WHERE is_start = 1")
        new_sessions = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM ingest_pvs WHERE id IS NOT NULL")
        relinked = cursor.fetchone()[0]
        cursor.execute(f"SELECT COUNT(*) FROM {SESSION}")
        # Not on PostgreSQL: the sessions deleted below stay referenced by page views until those
        # are re-linked, so their deferred key checks cannot run before a session index build.
        bulk_sessions = (
            bulk_load.worth_it(new_sessions, cursor.fetchone()[0]) and not is_postgresql()
        )
    # Stored views re-linked to recut sessions keep the session index: see rebuilt_indexes.
    keep = ("session_id",) if relinked else ()
    with (
        connection.cursor() as cursor,
        bulk_load.rebuilt_indexes(PAGEVIEW, enabled=bulk, keep=keep),
    ):
        # Driven from the touched windows through the (visitor, started_at) index: a correlated
        # EXISTS made SQLite scan every stored session against every window (an import into a
        # database of a million page views was 4x slower than into an empty one).
        cursor.execute(
            f"DELETE FROM {SESSION} WHERE id IN (SELECT s.id FROM ingest_touched w "
            f"JOIN {SESSION} s ON s.visitor_id = w.visitor_id "
            "AND s.started_at >= w.lo AND s.started_at <= w.hi)"
        )
        with bulk_load.rebuilt_indexes(SESSION, enabled=bulk_sessions):
            _insert_sessions(cursor, key)
        columns = ", ".join(connection.ops.quote_name(c) for c in PAGEVIEW_COLUMNS)
        staged = ", ".join(f"s.{connection.ops.quote_name(c)}" for c in PAGEVIEW_COLUMNS)
        # PostgreSQL: rows in line hash order fill the unique line hash index from its right
        # edge, page after page, instead of one random descent per row (faster than the sort).
        insert_order = "ORDER BY s.line_hash" if is_postgresql() else ""
        # The unique key of PostgreSQL's month-partitioned page views must hold the month's
        # column; duplicates were already left out by line hash alone (ingest_new).
        line_key = "(line_hash, ts)" if is_postgresql() else "(line_hash)"
        # Into a table that keeps its indexes, SQLite's insert gets a bigger page cache.
        with store.insert_cache(enabled=not bulk):
            cursor.execute(
                f"""
            INSERT INTO {PAGEVIEW} ({columns}, session_id, time_on_page)
            SELECT {staged}, ses.id, p.time_on_page
            FROM ingest_pvs p
            JOIN {STAGE} s ON s.{key} = p.sid
            JOIN {SESSION} ses ON ses.visitor_id = p.visitor_id AND ses.started_at = p.started_at
            WHERE p.id IS NULL
            {insert_order}
            ON CONFLICT {line_key} DO NOTHING
            """
            )
        inserted = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE {PAGEVIEW} SET session_id = ses.id, time_on_page = p.time_on_page
            FROM ingest_pvs p
            JOIN {SESSION} ses ON ses.visitor_id = p.visitor_id AND ses.started_at = p.started_at
            WHERE p.id IS NOT NULL AND {PAGEVIEW}.id = p.id
            """
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            UPDATE {VISITOR} SET first_seen = g.first_seen, last_seen = g.last_seen
            FROM (SELECT visitor_id, MIN(started_at) AS first_seen, MAX(ended_at) AS last_seen
                  FROM {SESSION}
                  WHERE visitor_id IN (SELECT visitor_id FROM ingest_touched)
                  GROUP BY visitor_id) g
            WHERE {VISITOR}.id = g.visitor_id
            """
        )
        for table in TEMP_TABLES:
            cursor.execute(f"DROP TABLE {table}")
    return inserted


def _create_windows(cursor, gap: int) -> None:
    """ingest_touched: each visitor with new (or never sessioned) views, and the window to recut.

    The window runs from the visitor's first to last such view, widened to every stored
    session that ends less than a gap before it or starts less than a gap after it.
    """
    cursor.execute(
        "CREATE TEMP TABLE ingest_range AS "
        "SELECT visitor_id, MIN(ts) AS lo, MAX(ts) AS hi FROM ("
        "SELECT visitor_id, ts FROM ingest_new "
        f"UNION ALL SELECT visitor_id, ts FROM {PAGEVIEW} WHERE session_id IS NULL"
        ") AS v GROUP BY visitor_id"
    )
    cursor.execute(
        f"""
        CREATE TEMP TABLE ingest_touched AS
        SELECT r.visitor_id,
               MIN(CASE WHEN s.started_at < r.lo THEN s.started_at ELSE r.lo END) AS lo,
               MAX(CASE WHEN s.ended_at > r.hi THEN s.ended_at ELSE r.hi END) AS hi
        FROM ingest_range r
        LEFT JOIN {SESSION} s ON s.visitor_id = r.visitor_id
            AND {comparable_timestamp("s.ended_at")} >= {seconds_after("r.lo", "%s")}
            AND {comparable_timestamp("s.started_at")} <= {seconds_after("r.hi", "%s")}
        GROUP BY r.visitor_id
        """,
        [-gap, gap],
    )
    if is_postgresql():
        cursor.execute("ANALYZE ingest_touched")


def _insert_sessions(cursor, key: str) -> None:
    """One session per session start in ingest_pvs, landing on its first page view."""
    landing = ", ".join(
        f"COALESCE(s.{c}, p.{c})"
        for c in (
            "page_id",
            "source_type",
            "referrer",
            "utm_source",
            "utm_medium",
            "utm_campaign",
        )
    )
    cursor.execute(
        f"""
        INSERT INTO {SESSION} (visitor_id, started_at, ended_at, pageview_count, landing_page_id,
                               source_type, referrer, utm_source, utm_medium, utm_campaign)
        SELECT f.visitor_id, f.ts, g.ended_at, g.n, {landing}
        FROM ingest_pvs f
        JOIN (SELECT visitor_id, started_at, MAX(ts) AS ended_at, COUNT(*) AS n
              FROM ingest_pvs GROUP BY visitor_id, started_at) g
          ON g.visitor_id = f.visitor_id AND g.started_at = f.started_at
        LEFT JOIN {STAGE} s ON f.id IS NULL AND s.{key} = f.sid
        LEFT JOIN {PAGEVIEW} p ON p.id = f.id
        WHERE f.is_start = 1
        """
    )

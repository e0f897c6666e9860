"""Behaviour statistics of an import's visitors that left memory, kept in a temp table.

A big log has more visitors than memory should hold at once: `BehaviourRules` hands the
statistics of visitors gone quiet to the writer's thread, which adds them here (the parser
thread never touches the database). A visitor that comes back starts a fresh row; at the end
its rows are merged (counts summed, the busiest minute and the instant form by maximum),
which is what one row would have held.
"""

from collections.abc import Iterator

from django.db import connection, transaction

from leadgen.db import insert_many

from . import behaviour

TABLE = "ingest_behaviour"
# Row layout: ip, ua_hash, then the statistics' slots below.
SLOTS = (
    behaviour.PAGES,
    behaviour.ASSETS,
    behaviour.POSTS,
    behaviour.GETS,
    behaviour.NOT_FOUND_N,
    behaviour.OTHER,
    behaviour.PROBES,
    behaviour.PEAK,
    behaviour.FORM,
    behaviour.HTTP_SEEN,
    behaviour.HTTP10,
    behaviour.ACCOUNT,
)
_COLUMNS = (
    "pages",
    "assets",
    "posts",
    "gets",
    "not_found",
    "other",
    "probes",
    "peak",
    "form",
    "http_seen",
    "http10",
    "account",
)
_MERGED = ", ".join(f"{'MAX' if name in ('peak', 'form') else 'SUM'}({name})" for name in _COLUMNS)
# Merged rows read from the database per round trip: memory holds a batch, not the table.
# On PostgreSQL that takes a server-side cursor (`chunked_cursor`): a plain one receives the
# whole result before the first fetch (a 20,000,000-line import's 800,000 visitors: +200 MB).
FETCH_ROWS = 10_000


class SpilledStats:
    """The temp table of one import's spilled statistics (created on first use)."""

    def __init__(self):
        self.rows = 0

    def add(self, rows: list[tuple]) -> None:
        """Store (ip, ua_hash, *SLOTS values) rows."""
        if not rows:
            return
        # One transaction: row by row in autocommit, SQLite commits its temp database each
        # time (1.2 of 6.6 CPU s of a 100,000-beacon tracker import spilling 20,000 visitors).
        with transaction.atomic(), connection.cursor() as cursor:
            if not self.rows:
                columns = ", ".join(f"{name} INTEGER" for name in _COLUMNS)
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
                cursor.execute(f"CREATE TEMP TABLE {TABLE} (ip TEXT, ua_hash BIGINT, {columns})")
            insert_many(
                cursor,
                f"INSERT INTO {TABLE} (ip, ua_hash, {', '.join(_COLUMNS)}) VALUES",
                ", ".join(["%s"] * (len(_COLUMNS) + 2)),
                rows,
            )
        self.rows += len(rows)

    def readers(self) -> tuple[int, int]:
        """(visitors with page views, those of them that loaded an asset), over merged rows."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*), COALESCE(SUM(CASE WHEN assets > 0 THEN 1 ELSE 0 END), 0) "
                f"FROM (SELECT SUM(pages) AS pages, SUM(assets) AS assets FROM {TABLE} "
                "GROUP BY ip, ua_hash) AS v WHERE pages > 0"
            )
            readers, with_assets = cursor.fetchone()
        return int(readers), int(with_assets)

    def visitors(self) -> Iterator[tuple[tuple, list]]:
        """Each visitor's (ip, ua_hash) key and merged statistics, in `BehaviourRules`' layout."""
        width = max(SLOTS) + 1
        with connection.chunked_cursor() as cursor:
            cursor.execute(f"SELECT ip, ua_hash, {_MERGED} FROM {TABLE} GROUP BY ip, ua_hash")
            while batch := cursor.fetchmany(FETCH_ROWS):
                for ip, ua_hash, *values in batch:
                    stats = [0] * width
                    for slot, value in zip(SLOTS, values, strict=True):
                        stats[slot] = int(value)
                    yield (ip, ua_hash), stats

    def drop(self) -> None:
        """Drop the temp table, if it was made."""
        if self.rows:
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
            self.rows = 0

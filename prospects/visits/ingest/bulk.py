"""Bulk loading: drop a table's secondary indexes around a big insert, and build them after.

Maintaining five indexes row by row costs several times more than building them afresh
when the new rows are as many as the table holds (PostgreSQL's "Populating a Database"
advice); into a table already bigger than the import, the rebuild re-sorts every stored row
and costs more than the inserts (SQLite, 168,807 new page views into 402,773: 12.0 CPU s
rebuilt, 10.7 kept). Everything runs inside the caller's transaction, so the table never stays without
them. Definitions are read from the catalog, so exactly what the migrations created comes
back. Foreign keys stay: dropping one locks the tables it points to, and a concurrent import
staging visitors and pages there would deadlock with this one.
"""

import contextlib
import re

from django.db import connection

from leadgen.db import is_postgresql

# Below this many new rows the rebuild's fixed cost is not worth it.
MIN_ROWS = 10_000


def worth_it(new_rows: int, existing_rows: int) -> bool:
    """Whether rebuilding beats row-by-row maintenance: as many new rows as the table holds, or more."""
    return new_rows >= MIN_ROWS and new_rows >= existing_rows


@contextlib.contextmanager
def rebuilt_indexes(table: str, *, enabled: bool, keep: tuple[str, ...] = ()):
    """Run the body without `table`'s secondary indexes; put them back after.

    The single-column indexes on `keep` stay: a foreign key column whose parents the body
    deletes and recreates. Each new parent row looks for the children its deletion left
    dangling (SQLite at every insert, PostgreSQL at the deferred check), and without that
    index each look is a scan of the whole table.
    """
    if not enabled:
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if is_postgresql():
            # Deferred checks still queued would forbid dropping its indexes: run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
                [table],
            )
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [table],
            )
        indexes = [
            (name, definition)
            for name, definition in cursor.fetchall()
            if not _on_one_of(definition, keep)
        ]
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {quote(name)}")
        if is_postgresql():
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    yield
    with connection.cursor() as cursor:
        if is_postgresql():
            # The body's foreign key checks, queued till commit, would forbid the index builds.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, definition in indexes:
            # A partitioned table's definitions say ON ONLY, which would build the parent's
            # index and none of its partitions' (PostgreSQL's monthly page views).
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        if is_postgresql():
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _on_one_of(definition: str, columns: tuple[str, ...]) -> bool:
    """Whether an index definition covers exactly one of `columns`."""
    found = re.search(r'\(\s*"?(\w+)"?\s*\)\s*$', definition)
    return bool(found) and found.group(1) in columns

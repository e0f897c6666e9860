"""What differs between the two databases we run on (SQLite, PostgreSQL), in one place.

Code that writes raw SQL asks here instead of testing `connection.vendor` itself, so each
difference has one definition and a new one is added next to the others.
"""

import itertools
import sqlite3

from django.db import connection

# unixepoch() (SQLite 3.38) is strftime('%s')'s arithmetic without formatting and parsing a
# string for every row: a third of a feature query's time on 3,000,000 page views (measured).
SQLITE_UNIXEPOCH = sqlite3.sqlite_version_info >= (3, 38)


def is_postgresql() -> bool:
    """Whether the default database is PostgreSQL (else SQLite)."""
    return connection.vendor == "postgresql"


def epoch(expression: str, *, integer: bool = False) -> str:
    """SQL for a timestamp expression as seconds since 1970 (a float, or a whole number)."""
    if is_postgresql():
        kind = "bigint" if integer else "double precision"
        return f"CAST(EXTRACT(EPOCH FROM {expression}) AS {kind})"
    kind = "INTEGER" if integer else "REAL"
    if SQLITE_UNIXEPOCH:
        return f"CAST(unixepoch({expression}) AS {kind})"
    # Queries always go out with a parameter list, so a literal percent sign is doubled.
    return f"CAST(strftime('%%s', {expression}) AS {kind})"


def seconds_after(timestamp: str, seconds: str) -> str:
    """SQL for a timestamp plus a number of seconds, comparable with other timestamps."""
    if is_postgresql():
        return f"{timestamp} + {seconds} * INTERVAL '1 second'"
    return f"{epoch(timestamp)} + {seconds}"


def comparable_timestamp(expression: str) -> str:
    """`expression` in the form seconds_after() compares with: itself, or epoch seconds."""
    return expression if is_postgresql() else epoch(expression)


def ip_value(expression: str) -> str:
    """SQL turning a text expression into the type of an IP address column."""
    return f"{expression}::inet" if is_postgresql() else expression


def timestamp_type() -> str:
    """The column type for an aware timestamp in a raw temp table."""
    return "TIMESTAMP WITH TIME ZONE" if is_postgresql() else "TEXT"


def row_key() -> str:
    """The column that addresses a row of a raw temp table: a serial on PostgreSQL, rowid on SQLite."""
    return "sid" if is_postgresql() else "rowid"


def is_partitioned(table: str) -> bool:
    """Whether `table` is a partitioned table (PostgreSQL only; SQLite has none)."""
    if not is_postgresql():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table]
        )
        return cursor.fetchone() is not None


def advisory_xact_lock(space: int, key: int = 0) -> None:
    """Wait for a PostgreSQL advisory lock held until the transaction ends.

    SQLite needs none: its IMMEDIATE transactions already take the one write lock.
    """
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [space, key])


def ip_prefix_filter(field: str, prefix: str) -> dict:
    """Lookups for "the address column `field` starts with `prefix`" that use its index.

    SQLite keeps addresses as text: an IPv4 start is a range of strings ("12.0.3." up to
    "12.0.3/", the next character). PostgreSQL keeps them as inet: the range of addresses
    that can start so (12.0.3.0 to 12.0.39.255 for "12.0.3"), then the text match within it.
    IPv6 starts (with a colon) are matched as text on both: a scan.
    """
    if ":" in prefix:
        return {f"{field}__startswith": prefix}
    if not is_postgresql():
        return {f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}
    low, high = _ipv4_bounds(prefix)
    return {f"{field}__gte": low, f"{field}__lte": high, f"{field}__startswith": prefix}


def _ipv4_bounds(prefix: str) -> tuple[str, str]:
    """The lowest and highest IPv4 addresses whose text starts with `prefix` (digits, dots)."""
    parts = prefix.split(".")[:4]
    low, high = [], []
    for i, part in enumerate(parts):
        whole = i < len(parts) - 1 or prefix.endswith(".")
        if whole:
            fits = [min(int(part), 255)] if part else range(256)
        else:
            # A partial last octet: "3" may be 3 or 30 to 39.
            fits = [n for n in range(256) if str(n).startswith(part)] or [255]
        low.append(min(fits))
        high.append(max(fits))
    low += [0] * (4 - len(low))
    high += [255] * (4 - len(high))
    return ".".join(map(str, low[:4])), ".".join(map(str, high[:4]))


def insert_many(cursor, insert: str, placeholders: str, rows: list[tuple]) -> None:
    """Insert `rows` with one statement per batch (`insert` ends with VALUES)."""
    if is_postgresql():
        from psycopg2.extras import execute_values

        execute_values(cursor.cursor, f"{insert} %s", rows, page_size=1000)
    else:
        cursor.cursor.executemany(f"{insert} ({placeholders})", rows)


# Ids per DELETE on SQLite: a statement holds at most 32,766 parameters there.
DELETE_SLICE = 10_000


def delete_ids(table: str, ids: list[int]) -> None:
    """Delete the rows of `table` with these primary keys, with no per-id work in Python.

    The ORM's `filter(id__in=...)` prepares every value: a second of the tracker writer's
    CPU per 200,000 queued hits. PostgreSQL takes the ids as one array.
    """
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [ids])
            return
        for start in range(0, len(ids), DELETE_SLICE):
            chunk = ids[start : start + DELETE_SLICE]
            cursor.execute(
                f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(chunk))})", chunk
            )


# Rows per block when SQLite returns a whole table's numbers as text (~10 MB per column).
TEXT_BLOCK = 500_000


def whole_table_integers(cursor, columns: tuple[list[str], list], table: str, where: tuple):
    """An int64 matrix of `columns` (whole-number SQL expressions, never NULL, and their
    parameters) over the rows of `table` ("name alias") matching `where` (SQL, parameters),
    for reading a whole large table.

    PostgreSQL: rows through the cursor in blocks. SQLite: each block of rows, in row-id order,
    comes back as one comma-separated text per column that numpy parses; the driver's tuple
    and integer objects per row cost more than the query itself (3,000,000 page views: 3.0
    against 1.7 CPU s, measured). The columns of one block are aggregated in one pass over the
    same rows, so their values line up.
    """
    import numpy as np

    (columns, column_params), (where, where_params) = columns, where
    if is_postgresql():
        sql = f"SELECT {', '.join(columns)} FROM {table} WHERE {where}"
        cursor.execute(sql, [*column_params, *where_params])
        blocks = iter(lambda: cursor.fetchmany(20000), [])
        flat = np.fromiter(
            itertools.chain.from_iterable(itertools.chain.from_iterable(blocks)), dtype=np.int64
        )
        return flat.reshape(len(flat) // len(columns), len(columns))
    alias = table.split()[-1]
    named = ", ".join(f"{c} AS c{i}" for i, c in enumerate(columns))
    texts = ", ".join(f"group_concat(c{i})" for i in range(len(columns)))
    sql = (
        f"SELECT COUNT(*), MAX(row_id), {texts} FROM (SELECT {alias}.rowid AS row_id, {named} "
        f"FROM {table} WHERE {alias}.rowid > %s AND ({where}) "
        f"ORDER BY {alias}.rowid LIMIT {TEXT_BLOCK})"
    )
    parts, after = [], -1
    while True:
        cursor.execute(sql, [*column_params, after, *where_params])
        count, after, *values = cursor.fetchone()
        if count:
            parts.append(np.column_stack([np.fromstring(v, np.int64, sep=",") for v in values]))
        if count < TEXT_BLOCK:
            break
    return np.concatenate(parts) if parts else np.zeros((0, len(columns)), np.int64)


def newest_of_parents(child: str, *, columns: str, order: str, parents, limit: int):
    """SQL and parameters for the newest `limit` rows of `child` ("table alias", with a
    `visitor_id`) over the visitors whose ids the queryset `parents` selects (`.values("id")`).

    PostgreSQL gets the ids as an array first, so one index scan per partition reads the rows
    of exactly those visitors: a plain join hashed every page view, a lateral join probed every
    partition once per visitor (the largest bench company's latest page views: 43 ms joined,
    24 ms lateral, 16 ms through the array; its sessions: 13 ms lateral, 8.5 ms). SQLite's
    plain join already walks the (visitor_id, ...) index once per visitor.
    """
    alias = child.split()[-1]
    parent_sql, parent_params = parents.query.sql_with_params()
    if is_postgresql():
        sql = (
            f"SELECT {columns} FROM {child} WHERE {alias}.visitor_id = ANY(ARRAY({parent_sql})) "
            f"ORDER BY {order} LIMIT %s"
        )
    else:
        sql = (
            f"SELECT {columns} FROM ({parent_sql}) parent JOIN {child} "
            f"ON {alias}.visitor_id = parent.id ORDER BY {order} LIMIT %s"
        )
    return sql, [*parent_params, limit]

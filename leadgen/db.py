"""What differs between the two databases we run on (SQLite, PostgreSQL), in one place.

Code that writes raw SQL asks here instead of testing `connection.vendor` itself, so each
difference has one definition and a new one is added next to the others.
"""

from django.db import connection


def is_postgresql() -> bool:
    """Whether the default database is PostgreSQL (else SQLite)."""
    return connection.vendor == "postgresql"


def epoch(expression: str, *, integer: bool = False) -> str:
    """SQL for a timestamp expression as seconds since 1970 (a float, or a whole number)."""
    if is_postgresql():
        kind = "bigint" if integer else "double precision"
        return f"CAST(EXTRACT(EPOCH FROM {expression}) AS {kind})"
    # Queries always go out with a parameter list, so a literal percent sign is doubled.
    return f"CAST(strftime('%%s', {expression}) AS {'INTEGER' if integer else 'REAL'})"


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
    "12.0.3/", the next character), which the index serves, where LIKE would scan every row.
    PostgreSQL keeps them as inet and matches the text form (HOST(ip) LIKE, a scan there).
    IPv6 starts (with a colon) are matched as text on both: a range of them would not be
    valid addresses.
    """
    if is_postgresql() or ":" in prefix:
        return {f"{field}__startswith": prefix}
    return {f"{field}__gte": prefix, f"{field}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)}

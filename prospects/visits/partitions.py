"""Monthly partitions of page views on PostgreSQL (migration 0016): made ahead, dropped whole.

Each month is a partition `prospects_pageview_yYYYYmMM` over [first of the month, first of the
next) in UTC; a default partition takes whatever falls outside them, so no insert ever fails.
`ensure_partitions` creates the months up to LEADGEN_PAGEVIEW_PARTITIONS_AHEAD ahead and the
months of rows that landed in the default partition (an old log imported), moving those rows
into their month. `drop_before` detaches and drops the partitions wholly older than a cutoff:
the retention purge's way of deleting a month of rows in one statement. On SQLite page views
are one plain table and both do nothing.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from leadgen.db import is_partitioned

from .ingest.sessions import take_merge_turn
from .models import PageView

TABLE = PageView._meta.db_table
DEFAULT = f"{TABLE}_default"
_BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class Partition:
    """One month's partition and its bounds."""

    name: str
    lower: dt.datetime
    upper: dt.datetime


def month_start(moment: dt.datetime, months: int = 0) -> dt.datetime:
    """The first instant (UTC) of `moment`'s month, `months` later."""
    moment = moment.astimezone(dt.UTC)
    index = moment.year * 12 + moment.month - 1 + months
    return dt.datetime(index // 12, index % 12 + 1, 1, tzinfo=dt.UTC)


def partitioned() -> bool:
    """Whether page views are partitioned here (PostgreSQL after migration 0016)."""
    return is_partitioned(TABLE)


def month_partitions() -> list[Partition]:
    """The month partitions, oldest first (the default partition is not one)."""
    if not partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = _BOUNDS.search(bound)
        if match:
            lower, upper = (_timestamp(text) for text in match.groups())
            found.append(Partition(name, lower, upper))
    return sorted(found, key=lambda partition: partition.lower)


def ensure_partitions(*, now: dt.datetime | None = None, ahead: int | None = None) -> list[str]:
    """Create the missing months from this one to `ahead` months on, and those of rows in the
    default partition (moved into them); returns the new partitions' names."""
    if not partitioned():
        return []
    now = now or timezone.now()
    ahead = settings.LEADGEN_PAGEVIEW_PARTITIONS_AHEAD if ahead is None else ahead
    wanted = {month_start(now, months) for months in range(ahead + 1)}
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT date_trunc('month', ts, 'UTC') FROM {DEFAULT}")
        wanted |= {month_start(row[0]) for row in cursor.fetchall()}
    have = {partition.lower for partition in month_partitions()}
    return [_create(month) for month in sorted(wanted - have)]


def _create(month: dt.datetime) -> str:
    """One month's partition: made aside, filled from the default partition, then attached."""
    name = f"{TABLE}_y{month:%Y}m{month:%m}"
    upper = month_start(month, 1)
    with transaction.atomic(), connection.cursor() as cursor:
        # Imports insert under the merge turn: none can add a row of this month to the default
        # partition between the move and the attach (which would then fail).
        take_merge_turn()
        cursor.execute(f"LOCK TABLE {DEFAULT} IN EXCLUSIVE MODE")
        cursor.execute(
            f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
        )
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE ts >= %s AND ts < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [month, upper],
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES FROM (%s) TO (%s)",
            [month, upper],
        )
    return name


def drop_before(cutoff: dt.datetime) -> tuple[int, int]:
    """Detach and drop every month partition that ends at or before `cutoff`.

    Returns (partitions dropped, rows they held). Each is its own short transaction.
    """
    dropped = rows = 0
    for partition in month_partitions():
        if partition.upper > cutoff:
            break
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {partition.name}")
            rows += cursor.fetchone()[0]
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}")
            cursor.execute(f"DROP TABLE {partition.name}")
        dropped += 1
    return dropped, rows


def _timestamp(text: str) -> dt.datetime:
    """A bound as PostgreSQL prints it ("2026-12-01 00:00:00+00") as an aware datetime."""
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC)

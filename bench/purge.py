"""Benchmark of the retention purge: a month of page views dropped whole against deleted in batches.

    python bench/purge.py [--rows N]

Loads N page views (default 1,000,000) of one old month into a scratch database of the kind
DATABASE_URL names, then times `purge_expired` with the cutoff after that month. On
PostgreSQL the month is a partition and goes in one DROP; then the same rows are loaded again
and deleted by the row path (batches of LEADGEN_RETENTION_BATCH by primary key) with the
cutoff inside their month, which is what every purge did before partitions, and what SQLite
still does. Prints `name: value` lines.
"""

import argparse
import datetime as dt
import io
import sys
import time
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])

from bench.scratch import migrated_scratch_django  # noqa: E402

MONTH = dt.datetime(2025, 3, 1, tzinfo=dt.UTC)


def load(rows: int, first: int = 0) -> None:
    """`rows` page views of March 2025 over 1,000 visitors and 100 pages, written raw; the
    visitors and pages are made on the first load (`first` == 0), line hashes start there."""
    from django.db import connection, transaction

    from leadgen.db import is_postgresql
    from prospects.models import Page, Visitor

    if not first:
        Visitor.objects.bulk_create(
            Visitor(ip=f"10.{n // 250}.{n % 250}.1", ua_hash=n, user_agent="bench")
            for n in range(1000)
        )
        Page.objects.bulk_create(Page(path=f"/p{n}") for n in range(100))
    visitors = list(Visitor.objects.order_by("pk"))
    pages = list(Page.objects.order_by("pk"))
    span = 27 * 86400
    columns = "visitor_id, page_id, ts, status, query, referrer, source_type, utm_source, utm_medium, utm_campaign, line_hash"
    values = (
        (
            visitors[n % 1000].pk,
            pages[n % 100].pk,
            MONTH + dt.timedelta(seconds=n * span // rows),
            200,
            "",
            "",
            "direct",
            "",
            "",
            "",
            first + n + 1,
        )
        for n in range(rows)
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if is_postgresql():
            buffer = io.StringIO("".join("\t".join(map(str, row)) + "\n" for row in values))
            cursor.cursor.copy_expert(f"COPY prospects_pageview ({columns}) FROM STDIN", buffer)
        else:
            marks = ", ".join(["%s"] * 11)
            cursor.executemany(
                f"INSERT INTO prospects_pageview ({columns}) VALUES ({marks})", list(values)
            )
        if is_postgresql():
            cursor.execute("ANALYZE prospects_pageview")


def timed_purge(now: dt.datetime) -> tuple[float, dict]:
    from django.conf import settings

    from prospects.privacy.retention import purge_expired

    settings.LEADGEN_RETENTION_PAGEVIEW_DAYS = 30
    settings.LEADGEN_RETENTION_VISITOR_DAYS = 0
    started = time.perf_counter()
    result = purge_expired(now=now)
    return time.perf_counter() - started, result.as_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    vendor, cleanup = migrated_scratch_django("purge")
    try:
        from prospects.visits import partitions

        load(args.rows)
        if partitions.partitioned():
            partitions.ensure_partitions(now=MONTH, ahead=0)
            seconds, result = timed_purge(partitions.month_start(MONTH, 1) + dt.timedelta(days=30))
            print(f"partition drop: {result}")
            print(f"purge_drop_seconds: {seconds:.3f}")
            print(f"purge_drop_rows_per_s: {args.rows / seconds:.0f}")
            load(args.rows, first=args.rows)
            partitions.ensure_partitions(now=MONTH, ahead=0)
        # The cutoff a second after the month's last row: its partition is not wholly past it.
        seconds, result = timed_purge(
            MONTH + dt.timedelta(days=27, seconds=1) + dt.timedelta(days=30)
        )
        print(f"row delete ({vendor}): {result}")
        print(f"purge_delete_seconds: {seconds:.3f}")
        print(f"purge_delete_rows_per_s: {args.rows / seconds:.0f}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()

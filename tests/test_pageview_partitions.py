"""PostgreSQL's monthly page-view partitions: made ahead, filled by imports, dropped by the purge.

The test database is built by the migrations, so these tests read the table migration 0016
made. On SQLite page views are one table: the same calls do nothing (last test).
"""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from leadgen.db import is_postgresql
from prospects.models import PageView
from prospects.privacy.retention import purge_expired
from prospects.visits import partitions
from prospects.visits.ingest import bulk
from prospects.visits.ingest.importer import ingest_file
from tests.ingest_lines import line, write_log

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(not is_postgresql(), reason="partitions are PostgreSQL's")
MARCH = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def rows_per_partition() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, COUNT(*) FROM prospects_pageview GROUP BY 1"
        )
        return dict(cursor.fetchall())


def month_log(tmp_path, months: list[dt.datetime], per_month: int, name="access.log"):
    lines = [
        line(f"/page-{n}", at=month, ip=f"198.51.100.{n % 50}", minutes=n)
        for month in months
        for n in range(per_month)
    ]
    return write_log(tmp_path, lines, name=name)


@postgresql_only
def test_the_table_is_partitioned_by_month_with_a_default_and_nothing_points_at_it():
    assert partitions.partitioned()
    now = timezone.now()
    lowers = [p.lower for p in partitions.month_partitions()]
    assert [partitions.month_start(now, months) for months in range(4)] == lowers[-4:]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM pg_constraint WHERE confrelid = 'prospects_pageview'::regclass"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'prospects_pageview'::regclass AND contype IN ('p', 'u') ORDER BY 1"
        )
        assert [row[0] for row in cursor.fetchall()] == [
            "PRIMARY KEY (id, ts)",
            "UNIQUE (line_hash, ts)",
        ]
        cursor.execute("SELECT to_regclass('prospects_pageview_default') IS NOT NULL")
        assert cursor.fetchone()[0]


@postgresql_only
def test_an_old_log_lands_in_the_default_partition_then_moves_to_its_month(tmp_path):
    path = month_log(tmp_path, [MARCH], 5)
    assert ingest_file(path).pageviews == 5
    assert rows_per_partition() == {"prospects_pageview_default": 5}
    out = io.StringIO()
    call_command("create_partitions", stdout=out)
    assert "prospects_pageview_y2026m03" in out.getvalue()
    assert rows_per_partition() == {"prospects_pageview_y2026m03": 5}
    # The moved rows are still found as duplicates, and new ones go straight to their month.
    assert ingest_file(path).pageviews == 0
    later = month_log(tmp_path, [MARCH + dt.timedelta(days=3)], 2, name="later.log")
    assert ingest_file(later).pageviews == 2
    assert rows_per_partition() == {"prospects_pageview_y2026m03": 7}
    assert PageView.objects.filter(ts__month=3).count() == 7


@postgresql_only
def test_a_bulk_import_puts_every_partitions_indexes_back(tmp_path, monkeypatch):
    # Small imports rebuild too, so the drop and rebuild runs on this partitioned table.
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    partitions.ensure_partitions(now=MARCH, ahead=1)
    assert ingest_file(month_log(tmp_path, [MARCH, MARCH + dt.timedelta(days=31)], 6)).pageviews
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, COUNT(x.indexrelid), BOOL_AND(x.indisvalid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid LEFT JOIN pg_index x ON x.indrelid = c.oid "
            "WHERE i.inhparent = 'prospects_pageview'::regclass GROUP BY c.relname"
        )
        found = {name: (count, valid) for name, count, valid in cursor.fetchall()}
        # Two keys and five secondary indexes on every partition, and valid on the parent.
        assert set(found.values()) == {(7, True)}
        cursor.execute(
            "SELECT BOOL_AND(indisvalid), COUNT(*) FROM pg_index "
            "WHERE indrelid = 'prospects_pageview'::regclass"
        )
        assert cursor.fetchone() == (True, 7)


@postgresql_only
def test_the_purge_drops_whole_months_and_deletes_rows_only_at_the_boundary(tmp_path, settings):
    months = [MARCH + dt.timedelta(days=31 * n) for n in range(4)]  # March to June
    ingest_file(month_log(tmp_path, months, 4))
    partitions.ensure_partitions(now=MARCH, ahead=0)
    settings.LEADGEN_RETENTION_PAGEVIEW_DAYS = 30
    settings.LEADGEN_RETENTION_VISITOR_DAYS = 0
    # The cutoff falls on May 15: March and April go whole, May loses its first half.
    now = dt.datetime(2026, 6, 14, tzinfo=dt.UTC)
    with CaptureQueriesContext(connection) as queries:
        result = purge_expired(now=now, batch=3)
    assert (result.partitions, result.pageviews) == (2, 12)
    statements = [q["sql"] for q in queries]
    assert sum(s.startswith("DROP TABLE prospects_pageview_y2026m0") for s in statements) == 2
    deletes = [s for s in statements if s.startswith('DELETE FROM "prospects_pageview"')]
    assert len(deletes) == 2  # May's four rows, three at a time
    assert rows_per_partition() == {"prospects_pageview_y2026m06": 4}
    assert "prospects_pageview_y2026m03" not in {p.name for p in partitions.month_partitions()}
    assert purge_expired(now=now).as_dict() == {
        "pageviews": 0,
        "sessions": 0,
        "visitors": 0,
        "partitions": 0,
    }


@pytest.mark.skipif(is_postgresql(), reason="SQLite's plain table")
def test_on_sqlite_partitions_are_not_there_and_cost_nothing(tmp_path):
    ingest_file(month_log(tmp_path, [MARCH], 3))
    assert not partitions.partitioned()
    assert partitions.ensure_partitions() == []
    assert partitions.drop_before(timezone.now()) == (0, 0)
    out = io.StringIO()
    call_command("create_partitions", stdout=out)
    assert "not partitioned" in out.getvalue()

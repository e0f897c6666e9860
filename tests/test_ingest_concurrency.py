"""Two imports at once on PostgreSQL both succeed and store what one after the other would."""

import datetime as dt
import threading

import pytest
from django.db import connection

from leadgen.db import is_postgresql
from prospects.models import LogImport, Page, PageView, Session, Visitor
from prospects.visits.ingest import bulk, reader
from prospects.visits.ingest.importer import ingest_file
from tests.ingest_lines import BROWSER, FIREFOX, line, write_log

pytestmark = pytest.mark.django_db(transaction=True)

DAY1 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def day_lines(day, visitors=40):
    """Every visitor reads a few pages on `day`: each file touches every visitor."""
    lines = []
    for n in range(visitors):
        ip, agent = f"198.51.100.{n + 1}", BROWSER if n % 2 else FIREFOX
        for step in range(5):
            lines.append(line(f"/doc/{step}", at=day, ip=ip, agent=agent, minutes=n * 9 + step * 3))
    return sorted(lines, key=lambda text: text.split("[")[1])


def history():
    return (
        sorted(
            Session.objects.values_list("visitor__ip", "started_at", "ended_at", "pageview_count")
        ),
        sorted(PageView.objects.values_list("visitor__ip", "ts", "page__path", "time_on_page")),
        sorted(Visitor.objects.values_list("ip", "user_agent", "first_seen", "last_seen")),
    )


def wipe():
    PageView.objects.all().delete()
    Session.objects.all().delete()
    Visitor.objects.all().delete()
    Page.objects.all().delete()


def at_once(paths):
    barrier = threading.Barrier(len(paths))
    errors = []

    def run(path):
        barrier.wait()
        try:
            ingest_file(path)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


@pytest.mark.parametrize("overlapping", [False, True], ids=["disjoint", "overlapping"])
def test_two_imports_at_once_equal_one_after_the_other(tmp_path, monkeypatch, overlapping):
    if not is_postgresql():
        pytest.skip("the in-memory SQLite test database is not shared between threads safely")
    # Many small chunks, and the bulk path (index rebuilds) in both: the old deadlock.
    monkeypatch.setattr(reader, "BLOCK_BYTES", 2048)
    monkeypatch.setattr(bulk, "MIN_ROWS", 0)
    day1, day2 = day_lines(DAY1), day_lines(DAY1 + dt.timedelta(days=1))
    if overlapping:
        first, second = day1 + day2[:100], day1 + day2
    else:
        # The later day first: a lost update would keep its first_seen.
        first, second = day2, day1
    paths = [write_log(tmp_path, first, "a.log"), write_log(tmp_path, second, "b.log")]
    for path in paths:
        ingest_file(path)
    expected = history()
    wipe()
    LogImport.objects.all().delete()
    for _ in range(3):
        assert at_once(paths) == []
        assert history() == expected
        assert set(LogImport.objects.values_list("status", flat=True)) == {"done"}
        wipe()
    assert len(expected[1]) == 400
    assert all(first_seen.date() == DAY1.date() for *_rest, first_seen, _last in expected[2])

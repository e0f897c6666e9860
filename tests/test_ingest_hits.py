"""`ingest_hits`: typed hits from any source mean what the same log lines mean."""

import datetime as dt

import pytest

from prospects.models import LogImport, PageView, Session, Visitor
from prospects.visits.ingest.importer import ingest_file, ingest_hits
from prospects.visits.ingest.parser import Hit, parse_line
from tests.ingest_lines import BROWSER, FIREFOX, line, write_log

pytestmark = pytest.mark.django_db


def visit_lines():
    """Two visitors, a conversion, a bot, an asset, a POST and an error."""
    lines = [line(path, minutes=n * 4) for n, path in enumerate(("/", "/pricing", "/trial"))]
    lines += [
        line("/trial/thanks", minutes=13),
        line("/blog/a", ip="198.51.100.2", agent=FIREFOX, minutes=2),
        line("/blog/a", ip="198.51.100.2", agent=FIREFOX, minutes=50),
        line("/", agent="curl/8.4.0"),
        line("/static/app.js"),
        line("/contact", method="POST"),
        line("/missing", status=404),
    ]
    return lines


def history():
    """Everything stored, independent of row ids."""
    return (
        sorted(
            Session.objects.values_list(
                "visitor__ip", "started_at", "ended_at", "pageview_count", "landing_page__path"
            )
        ),
        sorted(
            PageView.objects.values_list(
                "visitor__ip", "ts", "page__path", "page__category", "time_on_page"
            )
        ),
        sorted(Visitor.objects.values_list("ip", "user_agent", "first_seen", "converted_at")),
    )


def wipe():
    PageView.objects.all().delete()
    Session.objects.all().delete()
    Visitor.objects.all().delete()


def test_hits_fed_directly_mean_what_the_same_log_lines_mean(tmp_path):
    lines = visit_lines()
    from_file = ingest_file(write_log(tmp_path, lines))
    expected = history()
    wipe()
    from_hits = ingest_hits((parse_line(text) for text in lines), name="tracker")
    assert history() == expected
    assert from_file.counts() | {"seconds": 0} == from_hits.counts() | {"seconds": 0}
    assert from_hits.log_format == "hits"
    assert (from_hits.pageviews, from_hits.bots, from_hits.static, from_hits.ignored) == (
        6,
        1,
        1,
        2,
    )
    assert len(expected[0]) == 3
    assert Visitor.objects.get(user_agent=BROWSER).converted_at is not None
    recorded = LogImport.objects.get(name="tracker")
    assert (recorded.status, recorded.pageviews) == (LogImport.Status.DONE, 6)


def test_a_hit_is_stored_once_per_key():
    hit = Hit("203.0.113.7", "2026-03-02 09:00:00", "GET", "/pricing", "", 200, "", BROWSER)
    first = ingest_hits([hit, hit._replace(key=b"beacon-1"), hit._replace(key=b"beacon-2")])
    again = ingest_hits([hit, hit._replace(key=b"beacon-2"), hit._replace(key=b"beacon-3")])
    assert (first.pageviews, first.duplicates) == (3, 0)
    assert (again.pageviews, again.duplicates) == (1, 2)
    assert PageView.objects.count() == 4


def test_a_hit_at_a_time_that_cannot_be_real_is_malformed():
    hit = Hit("203.0.113.7", "2026-03-02 09:00:00", "GET", "/pricing", "", 200, "", BROWSER)
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    bad = [
        hit._replace(ts="1989-12-31 23:59:59"),
        hit._replace(ts="999-01-01 00:00:00"),
        hit._replace(ts="0999-01-01 00:00:00"),
        hit._replace(ts=tomorrow.strftime("%Y-%m-%d %H:%M:%S")),
        hit._replace(ts="2026-02-30 10:00:00"),
        hit._replace(ts="yesterday"),
    ]
    result = ingest_hits([*bad, hit])
    assert (result.lines, result.malformed, result.pageviews) == (7, 6, 1)
    assert len(LogImport.objects.get().malformed_samples) == 6


def test_log_lines_at_impossible_times_are_malformed_and_lose_nothing_else(tmp_path):
    good = line("/pricing")
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    bad = [
        good.replace("2026", "0999"),
        good.replace("2026", "0001"),
        good.replace("2026", "0031"),
        good.replace("2026", "1989"),
        line("/pricing", at=tomorrow),
    ]
    # Same visitor, same second as the good line: a stored bad one would clash in its session.
    result = ingest_file(write_log(tmp_path, [*bad, good, line("/", minutes=1)]))
    assert (result.malformed, result.pageviews) == (5, 2)
    assert LogImport.objects.get().malformed_samples == bad
    assert Session.objects.get().pageview_count == 2


def test_a_bulk_load_that_recuts_stored_sessions_keeps_the_session_index(monkeypatch):
    # Recut sessions are deleted and inserted again while stored views still point at them:
    # each new session looks up those views by session (SQLite at every insert, PostgreSQL
    # at the deferred check), a scan of every page view without the index.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from prospects.visits.ingest import bulk

    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    first = [
        Hit("203.0.113.5", f"2026-03-02 10:0{n}:00", "GET", f"/p{n}", "", 200, "", BROWSER, b"")
        for n in range(3)
    ]
    # As many new views as stored ones: the merge rebuilds the indexes (bulk.worth_it).
    later = [
        Hit("203.0.113.5", f"2026-03-02 10:0{n}:00", "GET", f"/q{n}", "", 200, "", BROWSER, b"")
        for n in range(4, 7)
    ]

    def dropped(hits):
        with CaptureQueriesContext(connection) as queries:
            ingest_hits(hits)
        return [q["sql"] for q in queries if q["sql"].startswith("DROP INDEX")]

    assert any("session_id" in sql for sql in dropped(first))
    recut = dropped(later)
    assert recut and not any("session_id" in sql for sql in recut)
    session = Session.objects.get()
    assert (session.pageview_count, PageView.objects.filter(session=session).count()) == (6, 6)

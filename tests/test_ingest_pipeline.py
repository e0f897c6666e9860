"""Ingestion's pipeline: a parser thread reading ahead, and the bulk path of the merge."""

import threading

import pytest

from prospects.models import PageView, Session, Visitor
from prospects.visits.ingest import bulk, reader, writer
from prospects.visits.ingest.chunks import parsed_chunks
from prospects.visits.ingest.classify import LineClassifier
from prospects.visits.ingest.importer import ingest_file
from prospects.visits.ingest.reader import LogReader
from prospects.visits.ingest.runs import ImportResult
from tests.ingest_lines import FIREFOX, line, write_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """Read a few lines at a time, so a small log still comes in many chunks."""
    monkeypatch.setattr(reader, "BLOCK_BYTES", 512)


def _visit_log(tmp_path):
    """Three visitors over two days, a bot, an asset and a malformed line, in small chunks."""
    lines = []
    for day in range(2):
        for n, ip in enumerate(("203.0.113.7", "198.51.100.9", "2001:db8::5")):
            for minute in range(0, 50, 5):
                lines.append(line(f"/blog/{minute}", ip=ip, minutes=day * 1440 + minute + n))
    lines += [line("/", agent="curl/8.4.0"), line("/static/app.js"), "not a log line"]
    lines.append(line("/pricing", ip="192.0.2.1", agent=FIREFOX, minutes=3000))
    return write_log(tmp_path, lines)


def _chunks(path, *, background):
    result = ImportResult()
    with LogReader(path, chunk_lines=7) as reader:
        items = list(parsed_chunks(reader, LineClassifier(result), background=background))
    return items, result


def _parser_threads():
    return [t for t in threading.enumerate() if t.name == "ingest-parser"]


def test_background_parsing_yields_the_same_chunks_and_counts(tmp_path):
    path = _visit_log(tmp_path)
    inline, inline_result = _chunks(path, background=False)
    threaded, threaded_result = _chunks(path, background=True)
    assert threaded == inline
    assert len(inline) > 5
    assert inline[-1][1]["lines"] == 64 and inline[-1][1]["malformed"] == 1
    assert (
        threaded_result.malformed_samples == inline_result.malformed_samples == ["not a log line"]
    )
    assert not _parser_threads()


class _BrokenReader(LogReader):
    """A reader whose input fails after its first chunk, as a truncated gzip file would."""

    def chunks(self):
        chunks = super().chunks()
        yield next(chunks)
        raise OSError("disk went away")


@pytest.mark.parametrize("background", [True, False])
def test_a_parser_error_reaches_the_writer(tmp_path, background):
    with _BrokenReader(_visit_log(tmp_path), chunk_lines=7) as reader:
        chunks = parsed_chunks(reader, LineClassifier(ImportResult()), background=background)
        views, counts = next(chunks)
        assert counts["lines"] >= 7 and len(views) == counts["lines"]
        with pytest.raises(OSError, match="disk went away"):
            next(chunks)
    assert not _parser_threads()


def test_a_writer_that_stops_early_stops_the_parser(tmp_path):
    with LogReader(_visit_log(tmp_path), chunk_lines=3) as reader:
        chunks = parsed_chunks(reader, LineClassifier(ImportResult()), background=True)
        next(chunks)
        chunks.close()
    assert not _parser_threads()


def _sessions():
    return sorted(
        (s.visitor.ip, s.started_at, s.ended_at, s.pageview_count, s.landing_page.path)
        for s in Session.objects.select_related("visitor", "landing_page")
    )


def test_bulk_merge_cuts_the_same_sessions_as_row_by_row(tmp_path, monkeypatch):
    path = _visit_log(tmp_path)
    ingest_file(path)
    row_by_row = _sessions()
    PageView.objects.all().delete()
    Session.objects.all().delete()
    Visitor.objects.all().delete()
    # Every table counts as a big import: indexes and foreign keys are dropped and rebuilt.
    monkeypatch.setattr(bulk, "MIN_ROWS", 1)
    result = ingest_file(path)
    assert result.pageviews == 61
    assert _sessions() == row_by_row
    assert len(row_by_row) == 7
    assert PageView.objects.filter(session__isnull=True).count() == 0


def test_visitors_the_writer_forgot_are_found_again_not_made_twice(tmp_path, monkeypatch):
    path = _visit_log(tmp_path)
    ingest_file(path)
    remembered = _sessions()
    visitors = Visitor.objects.count()
    PageView.objects.all().delete()
    Session.objects.all().delete()
    Visitor.objects.all().delete()
    # Its visitor ids forgotten before every chunk: each chunk looks its visitors up again.
    monkeypatch.setattr(writer, "VISITOR_CACHE_LIMIT", 0)
    ingest_file(path)
    assert _sessions() == remembered
    assert Visitor.objects.count() == visitors == 4

"""Chunks of classified lines, parsed in a background thread a few chunks ahead on PostgreSQL."""

import queue
import threading
from collections.abc import Iterator

from .classify import LineClassifier
from .reader import LogReader

COUNT_KEYS = ("lines", "bots", "static", "ignored", "malformed", "not_reading", "other_sites")
# Parsed chunks waiting for the writer: enough to keep both busy, few enough to keep memory flat.
PARSED_AHEAD = 2


class _ParserFailed(Exception):
    """Carries an exception raised in the parser thread over to the writer."""


def classified_chunks(reader: LogReader, classifier: LineClassifier) -> Iterator[tuple[list, dict]]:
    """(page views, running counts) per chunk of `reader`; counts go on the result by the caller.

    The counts travel with their chunk, so a caller reading ahead of its writes still shows
    what has been written so far. The classifier counts on its own scratch result; malformed
    samples go straight onto the import's result.
    """
    scratch = classifier.result
    for offset, lines in reader.chunks():
        # The reader names the file once it has read its first line.
        classifier.identity = reader.identity
        views = classifier.classify(lines, offset)
        counts = {key: getattr(scratch, key) for key in COUNT_KEYS}
        counts["bytes_read"] = reader.bytes_read
        yield views, counts


def parsed_chunks(
    reader: LogReader, classifier: LineClassifier, *, background: bool
) -> Iterator[tuple[list, dict]]:
    """`classified_chunks`, parsed in a background thread when `background` is true.

    Parsing is pure Python while a PostgreSQL COPY mostly waits on the server (psycopg2
    releases the GIL for the whole call), so the next chunk is parsed while this one is
    written. Not on SQLite: its executemany releases and retakes the GIL on every row, and
    with a parser thread waiting each retake costs a thread switch, slower than no thread.
    The thread only parses: the database connection stays with the caller. A parser error is
    raised here; if the caller stops early (its write failed), the thread is stopped too.
    """
    if not background:
        yield from classified_chunks(reader, classifier)
        return
    parsed: queue.Queue = queue.Queue(maxsize=PARSED_AHEAD)
    stop = threading.Event()
    done = object()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                parsed.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def parse() -> None:
        try:
            for item in classified_chunks(reader, classifier):
                if not hand_over(item):
                    return
        except BaseException as exc:  # whatever it is, the writer's thread raises it
            hand_over(_ParserFailed(exc))
            return
        hand_over(done)

    thread = threading.Thread(target=parse, name="ingest-parser", daemon=True)
    thread.start()
    try:
        while (item := parsed.get()) is not done:
            if isinstance(item, _ParserFailed):
                raise item.args[0]
            yield item
    finally:
        stop.set()
        thread.join()

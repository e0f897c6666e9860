"""Typed hits (a tracker's, an API's) read and classified like a log's lines."""

import datetime as dt
import functools
import hashlib
import itertools
import re
from collections.abc import Iterable, Iterator

from . import parser
from .classify import MALFORMED_SAMPLES, SAMPLE_CHARS, LineClassifier, PendingView
from .parser import Hit
from .runs import ImportResult

# The clock part is checked by the pattern, the date by the calendar (once per distinct day).
_TS = re.compile(r"(\d{4}-\d\d-\d\d) (?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d", re.ASCII)
HITS_PER_CHUNK = 50_000
EARLIEST_TEXT = parser.EARLIEST.strftime("%Y-%m-%d %H:%M:%S")


def latest_time() -> str:
    """The latest time a hit may have, as hit time text (a day ahead of this machine's clock)."""
    latest = dt.datetime.now(dt.UTC).replace(tzinfo=None) + parser.FUTURE_SLACK
    return latest.strftime("%Y-%m-%d %H:%M:%S")


def valid_time(ts, latest: str | None = None) -> bool:
    """Whether a hit's time is UTC text 'YYYY-MM-DD HH:MM:SS' of a moment that can be real:
    a real date and clock from 1990 to `latest` (default: `latest_time()`).

    Times in this one fixed-width form sort as text in time order, so the bounds are string
    comparisons (a datetime per hit cost 5 us, a third of the tracker writer's Python time).
    """
    if not isinstance(ts, str):
        return False
    match = _TS.fullmatch(ts)
    return (
        match is not None
        and EARLIEST_TEXT <= ts <= (latest or latest_time())
        and _real_day(match.group(1))
    )


@functools.lru_cache(maxsize=4096)
def _real_day(day: str) -> bool:
    try:
        dt.date.fromisoformat(day)
    except ValueError:
        return False
    return True


class HitReader:
    """Hits from any iterable in chunks, read like a log (`LogReader`'s face)."""

    bytes_total = None
    identity = b""
    damage = ""
    held_back = 0

    def __init__(self, hits: Iterable[Hit]):
        self.hits = iter(hits)
        self.bytes_read = 0
        self.content_hash = hashlib.blake2b(digest_size=32)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def chunks(self) -> Iterator[tuple[int, list[Hit]]]:
        """(0, hits): lists of at most HITS_PER_CHUNK hits (no offsets: hits have no file)."""
        while chunk := list(itertools.islice(self.hits, HITS_PER_CHUNK)):
            yield 0, chunk


class HitClassifier(LineClassifier):
    """`LineClassifier` for hits that are parsed already: no format to detect."""

    def __init__(self, result: ImportResult):
        super().__init__(result)
        result.log_format = "hits"

    def classify(self, hits: list[Hit], offset: int = 0) -> list[PendingView]:
        """The page views among typed hits; a hit at an impossible time is malformed."""
        result = self.result
        rows = []
        latest = latest_time()
        for hit in hits:
            result.lines += 1
            if not valid_time(hit.ts, latest):
                result.malformed += 1
                if len(result.malformed_samples) < MALFORMED_SAMPLES:
                    result.malformed_samples.append(repr(hit)[:SAMPLE_CHARS])
                continue
            ip, ts, method, path, query, status, referrer, agent, key = hit
            if not key:
                key = "\n".join((ip, ts, method, path, query, referrer, agent)).encode(
                    "utf-8", "replace"
                )
            rows.append((ip, ts, method, path, query, status, referrer, agent, -1, "", key, -1))
        return self.classify_fields(rows)

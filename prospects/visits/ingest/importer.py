"""The one way in for hits: `ingest_file` streams a log, `ingest_hits` takes typed hits (a
tracker's), both into visitors, page views and sessions with the same rules.

Per chunk of lines: parse and classify in Python (with per-distinct-value caches; on
PostgreSQL in a background thread, a few chunks ahead of the writes), resolve visitor and page ids
for the keys not seen yet, bulk-load the page views into a temp stage.
After the last chunk, in one transaction and in SQL: drop the duplicates (line hashes already
stored), cut the sessions of the touched visitors, write the new page views with their
sessions, and update conversions.
"""

import contextlib
import dataclasses
import datetime as dt
import hashlib
import itertools
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator

from django.db import transaction
from django.utils import timezone

from leadgen.db import is_postgresql
from prospects.models import LogImport, PageView, Session, Visitor
from prospects.visits import labels
from prospects.visits.labels import PATH_MAX

from . import assets, behaviour, bots, formats, parser, reading, referrers, store
from .assets import is_asset
from .bots import classify_agent
from .formats import fields as format_fields
from .parser import Hit, decode_line
from .reader import LogReader
from .sessions import merge_stage, take_merge_turn

MALFORMED_SAMPLES = 20
SAMPLE_CHARS = 500
# Visitor and page id caches are emptied past this size (memory stays flat on huge logs).
ID_CACHE_LIMIT = 500_000
# Parsed chunks waiting for the writer: enough to keep both busy, few enough to keep memory flat.
PARSED_AHEAD = 2
COUNT_KEYS = ("lines", "bots", "static", "ignored", "malformed", "not_reading", "other_sites")


@dataclasses.dataclass
class ImportResult:
    """What one import found; `pageviews` counts new page views, `duplicates` skipped ones."""

    name: str = ""
    import_id: int | None = None
    lines: int = 0
    pageviews: int = 0
    bots: int = 0
    static: int = 0
    ignored: int = 0
    malformed: int = 0
    duplicates: int = 0
    not_reading: int = 0
    other_sites: int = 0
    log_format: str = ""
    notices: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    bytes_read: int = 0
    bytes_total: int | None = None
    malformed_samples: list[str] = dataclasses.field(default_factory=list)

    def counts(self) -> dict:
        """The per-run counts, as the command's JSON reports them."""
        keys = (
            "lines",
            "pageviews",
            "bots",
            "static",
            "ignored",
            "malformed",
            "duplicates",
            "not_reading",
            "other_sites",
        )
        return {key: getattr(self, key) for key in keys} | {"seconds": round(self.seconds, 3)}


# A page view parsed from a line, before its visitor and page have ids: (ip, user agent,
# ua hash, path, row) where row is (ts, status, query, referrer, source_type, utm_source,
# utm_medium, utm_campaign, line_hash).
PendingView = tuple


class LineClassifier:
    """Turns raw lines into pending page views and counts everything else (no database).

    The file's format is `log_format` (a `formats.LogFormat`), or detected from its first
    lines. Every visitor whose user agent passed is observed by the behaviour rules.
    """

    def __init__(self, result: ImportResult, log_format: formats.LogFormat | None = None):
        self.result = result
        self.log_format = log_format
        self.parse = log_format.make_parser() if log_format else None
        self.rules = behaviour.BehaviourRules()
        # (visitor, path) pairs already counted for a 206 partial response.
        self._partial: set[tuple] = set()
        # Occurrences of identical lines, over this chunk and the previous one (identical lines
        # share a timestamp, so they sit close together in a log).
        self._seen: dict[bytes, int] = {}
        self._seen_before: dict[bytes, int] = {}

    def _start(self, lines: list[bytes]) -> None:
        """Detect the format from the first lines when none was given; note what it implies."""
        sample = [decode_line(raw) for raw in lines[: formats.SAMPLE_LINES * 2]]
        if self.parse is None:
            self.log_format = formats.detect(sample)
            self.parse = self.log_format.make_parser()
        for line in sample:
            if line.startswith("#"):
                # Header directives (W3C `#Fields:`) say which fields the lines have.
                self.parse(line)
        self.result.log_format = self.log_format.name
        if not getattr(self.parse, "has_user_agent", True):
            self.result.notices.append(
                f"This log ({self.log_format.name}) has no user agents: bots are told apart by "
                "behaviour and known crawler address ranges only."
            )

    def classify(self, lines: list[bytes]) -> list[PendingView]:
        """Parse a chunk of raw lines; return its page views and count the rest on the result."""
        if self.parse is None or not self.result.log_format:
            self._start(lines)
        return self.classify_fields(self._parsed(lines))

    def _parsed(self, lines: list[bytes]) -> list[tuple]:
        """Each line's fields (Hit's, the size, the host) and its raw bytes, the hit's key.

        Lines that do not parse are counted as malformed and sampled.
        """
        result, parse = self.result, getattr(self.parse, "fast", self.parse)
        rows: list[tuple] = []
        append = rows.append
        malformed = lines_count = 0
        for raw in lines:
            if not raw or raw.isspace():
                continue
            text = raw.decode("utf-8", "replace")
            if "\x00" in text or text[-1] == "\r" or text[0] == "\ufeff":
                text = decode_line(raw).lstrip("\ufeff")
            fields = parse(text)
            if not fields:
                if fields is None:
                    lines_count += 1
                    malformed += 1
                    if len(result.malformed_samples) < MALFORMED_SAMPLES:
                        result.malformed_samples.append(text[:SAMPLE_CHARS])
                continue
            lines_count += 1
            append(fields + (raw.rstrip(b"\r"),))  # noqa: RUF005 (3x faster than unpacking)
        result.lines += lines_count
        result.malformed += malformed
        return rows

    def classify_fields(self, rows: list[tuple]) -> list[PendingView]:
        """The page views among parsed hits (fields, size, host, key); the rest is counted."""
        result = self.result
        parse = self.parse
        has_agents = getattr(parse, "has_user_agent", True)
        has_hosts = getattr(parse, "has_host", True)
        observe, partial = self.rules.observe, self._partial
        views: list[PendingView] = []
        append = views.append
        seen, seen_before = self._seen, self._seen_before
        blake2b = hashlib.blake2b
        agents, asset_cache, referrer_cache = bots.cache, assets.cache, referrers.cache
        classify_source, referrer_type = referrers.classify_source, referrers.referrer_type
        normalise, path_kind, is_site_host = (
            reading.normalise_path,
            reading.path_kind,
            format_fields.is_site_host,
        )
        # Per-path answers read inline: these lookups run on every line.
        paths, kinds = reading.normalised_paths, reading.path_kinds
        least, most = reading.page_bytes()
        bot_hits = static = ignored = other = other_sites = 0
        for ip, ts, method, path, query, status, referrer, agent, size, host, raw in rows:
            if has_hosts and host and not is_site_host(host):
                other_sites += 1
                continue
            if has_agents:
                bot, ua_hash = agents.get(agent) or classify_agent(agent)
                if bot:
                    bot_hits += 1
                    continue
            else:
                bot, ua_hash = agents.get(agent) or classify_agent(agent)
            path = paths.get(path) or normalise(path)
            key = (ip, ua_hash)
            if asset_cache.get(path, True) and is_asset(path):
                static += 1
                observe(key, ts, method, path, status, behaviour.ASSET)
                continue
            kind = kinds.get(path)
            if kind is None:
                kind = path_kind(path)
            if (
                not kind
                and status == 200
                and size >= 0
                and not least <= size <= most
                and not reading.is_document(path)
            ):
                kind = reading.MEDIA
            if kind:
                other += 1
                observe(
                    key,
                    ts,
                    method,
                    path,
                    status,
                    behaviour.PROBE_KIND
                    if kind == reading.PROBE
                    else behaviour.ASSET
                    if kind == reading.FAVICON
                    else behaviour.OTHER_KIND,
                )
                continue
            if method != "GET" or not (200 <= status < 300 or status == 304):
                ignored += 1
                observe(key, ts, method, path, status, behaviour.OTHER_KIND)
                continue
            if status == 206:
                # Range requests of one resource (a video, a PDF) are one reading.
                if (key, path) in partial:
                    other += 1
                    continue
                if len(partial) >= ID_CACHE_LIMIT:
                    partial.clear()
                partial.add((key, path))
            observe(key, ts, method, path, status, behaviour.PAGE)
            digest = blake2b(raw, digest_size=8).digest()
            occurrence = seen.get(digest)
            if occurrence is None:
                occurrence = seen_before.get(digest, 0)
            seen[digest] = occurrence + 1
            if occurrence:
                # A legitimately repeated identical line: its n-th copy gets its own hash.
                digest = blake2b(raw + b"\n%d" % occurrence, digest_size=8).digest()
            line_hash = int.from_bytes(digest, "big") >> 1
            if "utm_" in query:
                row = (ts, status, query, referrer, *classify_source(referrer, query), line_hash)
            else:
                source = referrer_cache.get(referrer) or referrer_type(referrer)
                row = (ts, status, query, referrer, source, "", "", "", line_hash)
            append((ip, agent, ua_hash, path[:PATH_MAX], row))
        self._seen_before, self._seen = seen, {}
        result.bots += bot_hits
        result.static += static
        result.ignored += ignored
        result.not_reading += other
        result.other_sites += other_sites
        return views


class ViewWriter:
    """Gives pending page views their visitor and page ids and stages them for the merge."""

    def __init__(self, result: ImportResult):
        self.result = result
        self.labeller = labels.Labeller()
        self.visitors: dict[tuple[str, int], int] = {}
        self.pages: dict[str, tuple[int, bool]] = {}
        self.goal_visitors: set[int] = set()
        self.staged = 0

    def write(self, views: list[PendingView]) -> None:
        """Stage one chunk's page views (one transaction), creating visitors and pages as needed."""
        if not views:
            return
        with transaction.atomic():
            self._resolve_visitors(views)
            self._resolve_pages(views)
            visitors, pages, import_id = self.visitors, self.pages, self.result.import_id
            rows = []
            for ip, _agent, ua_hash, path, row in views:
                visitor_id = visitors[ip, ua_hash]
                page_id, is_goal = pages[path]
                if is_goal:
                    self.goal_visitors.add(visitor_id)
                rows.append((visitor_id, page_id, *row, import_id))
            store.stage_pageviews(rows)
        self.staged += len(rows)

    def _resolve_visitors(self, views: list[PendingView]) -> None:
        known = self.visitors
        if len(known) > ID_CACHE_LIMIT:
            known.clear()
        missing = {}
        for ip, agent, ua_hash, _path, _row in views:
            if (ip, ua_hash) not in known and (ip, ua_hash) not in missing:
                missing[ip, ua_hash] = (ip, agent, ua_hash)
        if missing:
            known.update(zip(missing, store.visitor_ids(list(missing.values())), strict=True))

    def _resolve_pages(self, views: list[PendingView]) -> None:
        known = self.pages
        if len(known) > ID_CACHE_LIMIT:
            known.clear()
        missing = {view[3] for view in views if view[3] not in known}
        if missing:
            paths = sorted(missing)
            labelled = [(path, *self.labeller.label(path)) for path in paths]
            ids = store.page_ids(labelled)
            for (path, _category, _stage, is_goal), page_id in zip(labelled, ids, strict=True):
                known[path] = (page_id, is_goal)


class _ParserFailed(Exception):
    """Carries an exception raised in the parser thread over to the writer."""


def classified_chunks(reader: LogReader, classifier: LineClassifier) -> Iterator[tuple[list, dict]]:
    """(page views, running counts) per chunk of `reader`; counts go on the result by the caller.

    The counts travel with their chunk, so a caller reading ahead of its writes still shows
    what has been written so far. The classifier counts on its own scratch result; malformed
    samples go straight onto the import's result.
    """
    scratch = classifier.result
    for lines in reader.chunks():
        views = classifier.classify(lines)
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


def ingest_file(
    source,
    *,
    name: str | None = None,
    progress: Callable[[ImportResult], None] | None = None,
    log_format: str | None = None,
) -> ImportResult:
    """Import one access log (a path, a `.gz` path, or "-" for stdin) and record a LogImport.

    Lines are streamed in chunks, so memory stays flat; a bad line is counted, never fatal.
    `progress`, if given, is called with the running result after every chunk. `log_format`
    is a format name or pattern (`formats.get_format`); without it the format is detected.
    """
    chosen = formats.get_format(log_format) if log_format else None
    name = name or ("<stdin>" if str(source) == "-" else str(source))
    return _ingest(LogReader(source), lambda result: LineClassifier(result, chosen), name, progress)


def ingest_hits(
    hits: Iterable[Hit],
    *,
    name: str = "<hits>",
    progress: Callable[[ImportResult], None] | None = None,
) -> ImportResult:
    """Store typed hits (a tracker's, an API's) exactly as a log file's lines; record a LogImport.

    Bots, assets, non-reading requests, rules, goals, sessions and duplicates mean what they
    mean for a log. A hit whose time is not real UTC text from 1990 to tomorrow is malformed.
    Hits with a key already stored are duplicates; a hit without a key gets one from its
    fields.
    """
    return _ingest(HitReader(hits), HitClassifier, name, progress)


def _ingest(reader, make_classifier, name: str, progress) -> ImportResult:
    """Classify, stage and merge what `reader` yields; the LogImport records the outcome."""
    started = time.perf_counter()
    log_import = LogImport.objects.create(name=name[:500])
    result = ImportResult(name=name, import_id=log_import.id)
    referrers.reset_cache()
    try:
        store.start_stage()
        with reader:
            result.bytes_total = reader.bytes_total
            writer = ViewWriter(result)
            classifier = make_classifier(ImportResult(malformed_samples=result.malformed_samples))
            # Closed explicitly, so a failed write stops the parser thread at once.
            chunks = contextlib.closing(
                parsed_chunks(reader, classifier, background=is_postgresql())
            )
            with chunks as parsed:
                for views, counts in parsed:
                    writer.write(views)
                    # The parser runs ahead: the result shows what has been written so far.
                    for key, value in counts.items():
                        setattr(result, key, value)
                    result.seconds = time.perf_counter() - started
                    if progress is not None:
                        progress(result)
        result.log_format = classifier.result.log_format
        result.notices = classifier.result.notices
        with transaction.atomic():
            take_merge_turn()
            # Visitors a behaviour rule marks: their staged views are bots, not page views.
            behaviour_bots = behaviour.mark_bots(classifier.rules.bots(), store.STAGE)
            result.bots += behaviour_bots
            result.pageviews = merge_stage()
            result.duplicates = writer.staged - behaviour_bots - result.pageviews
            labels.recompute_conversions(writer.goal_visitors)
    except Exception as exc:
        _finish(log_import, result, started, LogImport.Status.FAILED, error=repr(exc))
        raise
    finally:
        store.drop_stage()
    log_import.content_hash = reader.content_hash.hexdigest()
    _finish(log_import, result, started, LogImport.Status.DONE)
    return result


_TS = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", re.ASCII)
HITS_PER_CHUNK = 50_000


def valid_time(ts) -> bool:
    """Whether a hit's time is UTC text 'YYYY-MM-DD HH:MM:SS' of a moment that can be real."""
    if not (isinstance(ts, str) and _TS.fullmatch(ts)):
        return False
    try:
        return parser.plausible(dt.datetime.fromisoformat(ts))
    except ValueError:
        return False


class HitReader:
    """Hits from any iterable in chunks, read like a log (`LogReader`'s face)."""

    bytes_total = None

    def __init__(self, hits: Iterable[Hit]):
        self.hits = iter(hits)
        self.bytes_read = 0
        self.content_hash = hashlib.blake2b(digest_size=32)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def chunks(self) -> Iterator[list[Hit]]:
        """Lists of at most HITS_PER_CHUNK hits."""
        while chunk := list(itertools.islice(self.hits, HITS_PER_CHUNK)):
            yield chunk


class HitClassifier(LineClassifier):
    """`LineClassifier` for hits that are parsed already: no format to detect."""

    def __init__(self, result: ImportResult):
        super().__init__(result)
        result.log_format = "hits"

    def classify(self, hits: list[Hit]) -> list[PendingView]:
        """The page views among typed hits; a hit at an impossible time is malformed."""
        result = self.result
        rows = []
        for hit in hits:
            result.lines += 1
            if not valid_time(hit.ts):
                result.malformed += 1
                if len(result.malformed_samples) < MALFORMED_SAMPLES:
                    result.malformed_samples.append(repr(hit)[:SAMPLE_CHARS])
                continue
            ip, ts, method, path, query, status, referrer, agent, key = hit
            if not key:
                key = "\n".join((ip, ts, method, path, query, referrer, agent)).encode(
                    "utf-8", "replace"
                )
            rows.append((ip, ts, method, path, query, status, referrer, agent, -1, "", key))
        return self.classify_fields(rows)


def _finish(
    log_import: LogImport, result: ImportResult, started: float, status: str, error=""
) -> None:
    result.seconds = time.perf_counter() - started
    for key, value in result.counts().items():
        setattr(log_import, key, value)
    log_import.malformed_samples = result.malformed_samples
    log_import.log_format = result.log_format[:200]
    log_import.notices = result.notices
    log_import.status = status
    log_import.error = error
    log_import.finished_at = timezone.now()
    log_import.save()


def database_totals() -> dict:
    """What the database holds: visitors, sessions, page views and converted visitors."""
    return {
        "visitors_total": Visitor.objects.count(),
        "sessions_total": Session.objects.count(),
        "pageviews_total": PageView.objects.count(),
        "conversions_total": Visitor.objects.filter(converted_at__isnull=False).count(),
    }


def clear_caches() -> None:
    """Forget every per-distinct-value cache (IPs, hours, agents, paths, referrers)."""
    for module in (parser, assets, bots, referrers, reading, format_fields):
        module.reset_cache()

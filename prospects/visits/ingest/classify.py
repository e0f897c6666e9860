"""Raw lines into pending page views, with everything else counted (no database).

A page view's line hash names the line by its file (`LogReader.identity`), its offset there
and its bytes: a re-import of the file, or of a grown, rotated or compressed copy, finds the
same hashes (duplicates), while identical lines from two backends' files, or far apart in one
file, are all kept. Typed hits (no file) are named by their key and its repeats nearby.
"""

import hashlib
from collections.abc import Iterable

from prospects.visits.labels import PATH_MAX

from . import behaviour, bots, formats, reading, referrers
from .assets import is_asset
from .bots import classify_agent
from .formats import fields as format_fields
from .parser import decode_line
from .runs import ImportResult

MALFORMED_SAMPLES = 20
SAMPLE_CHARS = 500
# Longer fields are cut before any rule reads them: beyond what a server accepts by default
# (8 KB request lines), and a path is stored to PATH_MAX anyway (escapes decode 3 to 1).
RAW_PATH_MAX = 4 * PATH_MAX
TEXT_MAX = 2000
# 206 partial responses remembered per import: past this size the set is emptied (flat memory).
PARTIAL_LIMIT = 500_000
# Distinct raw paths whose route is remembered per import: past this the dict is emptied.
ROUTE_LIMIT = 200_000


# A page view parsed from a line, before its visitor and page have ids: (ip, user agent,
# ua hash, path, row) where row is (ts, status, query, referrer, source_type, utm_source,
# utm_medium, utm_campaign, line_hash, legacy_hash): `store.STAGE_COLUMNS` after the ids.
PendingView = tuple


class LineClassifier:
    """Turns raw lines into pending page views and counts everything else (no database).

    The file's format is `log_format` (a `formats.LogFormat`), or detected from its first
    lines. Every visitor whose user agent passed is observed by the behaviour rules.
    `identity` names the file in its lines' hashes; with `legacy_keys` each page view also
    carries the hash an import before file-and-offset keys gave it.
    """

    def __init__(
        self,
        result: ImportResult,
        log_format: formats.LogFormat | None = None,
        *,
        identity: bytes = b"",
        legacy_keys: bool = False,
    ):
        self.result = result
        self.identity = identity
        self.legacy_keys = legacy_keys
        self.log_format = log_format
        self.parse = log_format.make_parser() if log_format else None
        self.rules = behaviour.BehaviourRules()
        # (visitor, path) pairs already counted for a 206 partial response.
        self._partial: set[tuple] = set()
        # Occurrences of identical keys, over this chunk and the previous one (identical lines
        # share a timestamp, so they sit close together): how typed hits and legacy hashes
        # tell repeats apart.
        self._seen: dict[bytes, int] = {}
        self._seen_before: dict[bytes, int] = {}
        # Raw path -> (normalised path, is an asset, non-reading kind, is a document).
        self._routes: dict[str, tuple[str, bool, str, bool]] = {}

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

    def classify(self, lines: list[bytes], offset: int = 0) -> list[PendingView]:
        """Parse a chunk of raw lines starting at `offset` in the file; return its page views
        and count the rest on the result."""
        if self.parse is None or not self.result.log_format:
            self._start(lines)
        return self._classify(lines, offset, getattr(self.parse, "fast", self.parse))

    def _route(self, path: str) -> tuple[str, bool, str, bool]:
        """What a raw path alone decides: its normalised form, asset, non-reading kind, document."""
        raw_path = path
        if len(path) > RAW_PATH_MAX:
            path = path[:RAW_PATH_MAX]
        path = reading.normalise_path(path)
        asset = is_asset(path)
        kind = "" if asset else reading.path_kind(path)
        route = (path, asset, kind, not (asset or kind) and reading.is_document(path))
        if len(raw_path) <= reading.CACHED_KEY_MAX:
            if len(self._routes) >= ROUTE_LIMIT:
                self._routes.clear()
            self._routes[raw_path] = route
        return route

    def classify_fields(self, rows: Iterable[tuple]) -> list[PendingView]:
        """The page views among parsed hits (fields, size, host, key, -1); the rest counted."""
        return self._classify(rows, -1, None)

    def _classify(self, items: Iterable, offset: int, parse) -> list[PendingView]:
        """The page views among raw lines from `offset` (with `parse`) or parsed rows (without).

        One loop for both: a generator of parsed lines between them cost ~0.3 us a line.
        A line's hash names file, offset and bytes; a parsed row's (offset -1), its key.
        Lines that do not parse are counted as malformed and sampled.
        """
        result = self.result
        malformed = lines_count = 0
        has_agents = getattr(self.parse, "has_user_agent", True)
        has_hosts = getattr(self.parse, "has_host", True)
        observe, partial = self.rules.observe, self._partial
        visitor_stats, assets_slot = self.rules.stats, behaviour.ASSETS
        views: list[PendingView] = []
        append = views.append
        seen, seen_before = self._seen, self._seen_before
        blake2b, identity, legacy_keys = hashlib.blake2b, self.identity, self.legacy_keys
        agents, referrer_cache, routes = bots.cache, referrers.cache, self._routes
        classify_source, referrer_type = referrers.classify_source, referrers.referrer_type
        is_site_host = format_fields.is_site_host
        least, most = reading.page_bytes()
        bot_hits = static = ignored = other = other_sites = 0
        for item in items:
            if parse is None:
                ip, ts, method, path, query, status, referrer, agent, size, host, raw, at = item
            else:
                raw, at, offset = item, offset, offset + len(item) + 1
                if not raw:
                    continue
                text = raw.decode("utf-8", "replace")
                if "\x00" in text or text[-1] == "\r" or text[0] == "\ufeff":
                    text = decode_line(raw).lstrip("\ufeff")
                    # Only here can the bytes end in a CR: the hash is of the line without it.
                    raw = raw.rstrip(b"\r")
                fields = parse(text)
                if not fields:
                    # Blank lines are not lines of the log: asked only here, not of every line.
                    if fields is None and not raw.isspace():
                        lines_count += 1
                        malformed += 1
                        if len(result.malformed_samples) < MALFORMED_SAMPLES:
                            result.malformed_samples.append(text[:SAMPLE_CHARS])
                    continue
                lines_count += 1
                ip, ts, method, path, query, status, referrer, agent, size, host = fields
            if has_hosts and host and not is_site_host(host):
                other_sites += 1
                continue
            bot, ua_hash = agents.get(agent) or classify_agent(agent)
            if bot and has_agents:
                bot_hits += 1
                continue
            # One lookup per line for what the path alone decides (read inline: every line).
            route = routes.get(path)
            if route is None:
                route = self._route(path)
            path, asset, kind, document = route
            key = (ip, ua_hash)
            if asset:
                static += 1
                # An asset only counts in its visitor's statistics: done here, not in a call.
                stats = visitor_stats.get(key)
                if stats is None:
                    observe(key, ts, method, path, status, behaviour.ASSET, raw)
                else:
                    stats[assets_slot] += 1
                continue
            if (
                not kind
                and status == 200
                and size >= 0
                and not least <= size <= most
                and not document
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
                    raw,
                )
                continue
            if method != "GET" or not (200 <= status < 300 or status == 304):
                ignored += 1
                observe(key, ts, method, path, status, behaviour.OTHER_KIND, raw)
                continue
            if status == 206:
                # Range requests of one resource (a video, a PDF) are one reading.
                if (key, path) in partial:
                    other += 1
                    continue
                if len(partial) >= PARTIAL_LIMIT:
                    partial.clear()
                partial.add((key, path))
            observe(key, ts, method, path, status, behaviour.PAGE, raw)
            legacy = 0
            if at < 0 or legacy_keys:
                digest = blake2b(raw, digest_size=8).digest()
                occurrence = seen.get(digest)
                if occurrence is None:
                    occurrence = seen_before.get(digest, 0)
                seen[digest] = occurrence + 1
                if occurrence:
                    # A legitimately repeated identical key: its n-th copy gets its own hash.
                    digest = blake2b(raw + b"\n%d" % occurrence, digest_size=8).digest()
                legacy = int.from_bytes(digest, "big") >> 1
            if at >= 0:
                digest = blake2b(
                    raw, digest_size=8, salt=identity, person=at.to_bytes(8, "big")
                ).digest()
                line_hash = int.from_bytes(digest, "big") >> 1
            else:
                line_hash, legacy = legacy, 0
            if len(query) > TEXT_MAX or len(referrer) > TEXT_MAX:
                query, referrer = query[:TEXT_MAX], referrer[:TEXT_MAX]
            if "utm_" in query:
                row = (
                    ts,
                    status,
                    query,
                    referrer,
                    *classify_source(referrer, query),
                    line_hash,
                    legacy,
                )
            else:
                source = referrer_cache.get(referrer) or referrer_type(referrer)
                row = (ts, status, query, referrer, source, "", "", "", line_hash, legacy)
            append((ip, agent[:TEXT_MAX], ua_hash, path[:PATH_MAX], row))
        self._seen_before, self._seen = seen, {}
        self.rules.evict_idle()
        result.lines += lines_count
        result.malformed += malformed
        result.bots += bot_hits
        result.static += static
        result.ignored += ignored
        result.not_reading += other
        result.other_sites += other_sites
        return views

"""Bots told apart by what they do, not what they say: behavioural rules per visitor.

During an import every request of a visitor whose user agent passed is observed; at the end
each visitor meets the rules below, first match wins, and a visitor that meets one is marked
with it (`Visitor.bot_rule`, excluded as a bot): its page views of the import are dropped and
counted as bots. With no user agent in the log (common format) these rules and the known
crawler address ranges are the only way to tell bots apart.

- crawler address: the IP is in a crawler's, AI fetcher's, monitor's or scanner's published
  ranges (`data/crawler-ips.txt`, vendored with its licence).
- probe paths: it asked for a known probe path (`/wp-login.php`, `/.env`, ...).
- instant form: it posted a form within LEADGEN_BOT_FORM_SECONDS of fetching it.
- POST only: three or more requests, every one a POST.
- mixed HTTP versions: among its first PROTOCOL_LINES non-asset requests, some in HTTP/1.0
  and some not, under one address and agent. A browser speaks one version to a server, and
  a proxy or load balancer in front rewrites every request alike; a script that copies a
  browser's agent often does not (343 of the 654 visitors of a log of only hackers, none of
  the Elastic sample's 1,861). A format that does not log the protocol never shows HTTP/1.0.
- requests per minute: more than LEADGEN_BOT_MAX_PER_MINUTE non-asset requests in a minute.
- 404 share: ten or more non-asset requests, at least half of them answered 404.
- no assets: LEADGEN_BOT_NO_ASSET_PAGES page views or more and not one asset, in a log that
  shows its site's assets (LEADGEN_BOT_ASSETS_LOGGED: "auto" decides from the import: half of
  at least twenty visitors with page views loaded an asset).
- account pages only: every request but assets was to a sign-in, registration or admin page
  (`accounts.is_account_path`). Not a bot as such (a customer signing in is one too) but not a
  prospect either: its own exclusion reason, `exclusions.ACCOUNT_PAGES`. Unlike the others the
  mark does not stay: a later import in which the visitor reads another page clears it.
- a bot fleet's agent: after the rules above, a user agent that at least FLEET_ADDRESSES
  addresses sent in the import, FLEET_SHARE of them marked, marks the rest of them. A fleet
  rotates addresses and keeps a few agent strings, so its quieter requests (fetching the form
  another address posts, reading one page) pass every rule alone; a real site's people
  outnumber the bots that copy their agent, and keep its share under FLEET_SHARE. Agents that
  are empty (common format) are never a fleet's.
"""

import bisect
import collections
import datetime as dt
import ipaddress
import socket
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import connection

from prospects.identify.exclusions import ACCOUNT_PAGES, bot_reason, refresh_exclusions
from prospects.models import Page, Visitor
from prospects.visits import ipkeys

from . import accounts
from .bots import ua_hash

CRAWLER_ADDRESS = "crawler address"
PROBE_PATHS = "probe paths"
INSTANT_FORM = "instant form"
POST_ONLY = "POST only"
MIXED_HTTP = "mixed HTTP versions"
RATE = "requests per minute"
NOT_FOUND = "404 share"
NO_ASSETS = "no assets"
FLEET = "a bot fleet's agent"

DATA = Path(__file__).resolve().parent / "data" / "crawler-ips.txt"
# "auto" believes a log shows its site's assets when half of at least this many visitors with
# page views loaded one (people's browsers do; a log of only bots, or a CDN, says nothing).
ASSET_SHARE = 0.5
MIN_READERS = 20
MIN_ERROR_REQUESTS = 10
MIN_POSTS = 3
# A bot fleet's agent: sent from this many addresses in an import, this share of them marked.
# The hackers-only log's fleet agents come from 17-113 addresses each, 90-97% of them marked by
# the other rules; of the Elastic sample's agents seen from 10 addresses or more, none is over
# 30% marked (3 of 10), the busiest (107 addresses) 1%.
FLEET_ADDRESSES = 10
FLEET_SHARE = 0.9
# Agents no fleet is told apart by: none at all (common format has none).
_NO_AGENT = frozenset([ua_hash(""), ua_hash("-")])

# Per visitor, by slot: 0 unused, page views, assets, posts, gets, 404s of non-assets,
# non-asset requests, probes, current minute, its count, the most in any minute, last GET
# time and path, instant form seen, non-asset requests looked at for their protocol and how
# many of those were HTTP/1.0, non-asset requests to account pages.
(PAGES, ASSETS, POSTS, GETS, NOT_FOUND_N, OTHER, PROBES, MINUTE, IN_MINUTE, PEAK) = range(1, 11)
LAST_GET_TS, LAST_GET_PATH, FORM, HTTP_SEEN, HTTP10, ACCOUNT = 11, 12, 13, 14, 15, 16
# Non-asset requests of a visitor whose line is searched for "HTTP/1.0": the search costs about
# a seventh of a line's parse, and the scripts this catches send a handful of requests.
PROTOCOL_LINES = 8

PAGE, ASSET, OTHER_KIND, PROBE_KIND = "page", "asset", "other", "probe"

# Visitors whose statistics stay in memory: past this many, those quiet for IDLE_SECONDS of log
# time leave it (`spill`), so memory stays flat however many visitors a log has. A quiet
# visitor's next request falls in a later minute and too late for an instant form, so a
# fresh row merged with the old one gives what one row would have (in a log whose lines are
# in time order to within IDLE_SECONDS). Past HARD_LIMIT visitors active within that time,
# the least recently active go anyway: memory stays bounded, at the price of their minute
# and form state.
KEPT_VISITORS = 10_000
HARD_LIMIT = 4 * KEPT_VISITORS
IDLE_SECONDS = 3600


@lru_cache(maxsize=1)
def _crawler_ranges() -> tuple[tuple[list[int], list[int]], tuple[list[int], list[int]]]:
    """Sorted (starts, ends) of the vendored crawler ranges, IPv4 and IPv6 apart."""
    ranges: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
    for line in DATA.read_text(encoding="ascii").splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "[")):
            continue
        found = _network_range(line)
        if found is not None:
            ranges[found[0]].append(found[1:])
    merged = []
    for version in (4, 6):
        starts, ends = [], []
        for start, end in sorted(ranges[version]):
            if ends and start <= ends[-1] + 1:
                ends[-1] = max(ends[-1], end)
            else:
                starts.append(start)
                ends.append(end)
        merged.append((starts, ends))
    return merged[0], merged[1]


def _network_range(text: str) -> tuple[int, int, int] | None:
    """(version, first, last address) of a network 'address[/prefix]', None if it is not one.

    The plain shapes are read with inet_pton (14,000 lines: 0.13 s through `ipaddress`, a fixed
    cost of every import); anything else goes through `ipaddress.ip_network` as before.
    """
    address, _, prefix = text.partition("/")
    version, family, bits = (6, socket.AF_INET6, 128) if ":" in address else (4, socket.AF_INET, 32)
    try:
        value = int.from_bytes(socket.inet_pton(family, address), "big")
        length = int(prefix) if prefix else bits
    except (OSError, ValueError):
        length = -1
    if not (0 <= length <= bits and (not prefix or prefix.isdigit())):
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            return None
        return network.version, int(network.network_address), int(network.broadcast_address)
    host_bits = (1 << (bits - length)) - 1
    start = value & ~host_bits
    return version, start, start | host_bits


@lru_cache(maxsize=10_000)
def is_crawler_address(ip: str) -> bool:
    """Whether a canonical IP is in a published crawler, fetcher, monitor or scanner range."""
    # inet_pton, not `ipaddress`: a fifth of the time, once per visitor of every import.
    six = ":" in ip
    value = int.from_bytes(socket.inet_pton(socket.AF_INET6 if six else socket.AF_INET, ip), "big")
    starts, ends = _crawler_ranges()[1 if six else 0]
    index = bisect.bisect_right(starts, value) - 1
    return index >= 0 and value <= ends[index]


def _seconds(ts: str) -> float:
    return dt.datetime.fromisoformat(ts).timestamp()


class BehaviourRules:
    """Per-visitor request statistics over one import, and the rules applied to them."""

    def __init__(self):
        self.stats: dict[tuple, list] = {}
        self.max_per_minute = settings.LEADGEN_BOT_MAX_PER_MINUTE
        self.form_seconds = settings.LEADGEN_BOT_FORM_SECONDS
        self.no_asset_pages = settings.LEADGEN_BOT_NO_ASSET_PAGES
        self.assets_logged = settings.LEADGEN_BOT_ASSETS_LOGGED
        self.idle = dt.timedelta(seconds=max(IDLE_SECONDS, 2 * self.form_seconds + 120))
        # Batches of spilled rows, from the parser's thread to the writer's (deque: thread-safe).
        self.spilled: collections.deque[list[tuple]] = collections.deque()

    def observe(
        self, key: tuple, ts: str, method: str, path: str, status: int, kind: str, raw: bytes
    ) -> None:
        """Count one request of a visitor (kind: PAGE, ASSET, PROBE_KIND or OTHER_KIND);
        `raw` is its line (the protocol is read from it: no format has to keep it).

        Runs on every line: the statistics' slots are literal indices (see the names above).
        """
        stats = self.stats.get(key)
        if stats is None:
            stats = self.stats[key] = [0, 0, 0, 0, 0, 0, 0, 0, "", 0, 0, "", "", False, 0, 0, 0]
        if kind == "asset":
            stats[2] += 1
            return
        stats[6] += 1
        account = accounts.cache.get(path)
        if account is None:
            account = accounts.is_account_path(path)
        if account:
            stats[16] += 1
        if stats[14] < PROTOCOL_LINES:
            stats[14] += 1
            if b"HTTP/1.0" in raw:
                stats[15] += 1
        if kind == "page":
            stats[1] += 1
        elif kind == "probe":
            stats[7] += 1
        if status == 404:
            stats[5] += 1
        minute = ts[:16]
        if minute == stats[8]:
            count = stats[9] = stats[9] + 1
            if count > stats[10]:
                stats[10] = count
        elif minute > stats[8]:
            stats[8] = minute
            stats[9] = 1
            if not stats[10]:
                stats[10] = 1
        if method == "GET":
            stats[4] += 1
            stats[11] = ts
            stats[12] = path
        elif method == "POST":
            stats[3] += 1
            if path == stats[12] and not stats[13]:
                gap = abs(_seconds(ts) - _seconds(stats[11]))
                stats[13] = gap <= self.form_seconds

    def evict_idle(self) -> None:
        """Past KEPT_VISITORS, move the statistics of visitors quiet for a while to `spilled`."""
        stats = self.stats
        if len(stats) <= KEPT_VISITORS:
            return
        latest = max(s[MINUTE] for s in stats.values())
        # Visitors with only assets have no minute (""): nothing of theirs depends on order.
        cutoff = (dt.datetime.fromisoformat(latest) - self.idle).strftime("%Y-%m-%d %H:%M")
        quiet = [key for key, s in stats.items() if s[MINUTE] < cutoff] if latest else list(stats)
        if len(stats) - len(quiet) > HARD_LIMIT:
            by_minute = sorted(stats, key=lambda key: stats[key][MINUTE])
            quiet = by_minute[: len(stats) - KEPT_VISITORS]
        self.spilled.append([_row(key, stats.pop(key)) for key in quiet])

    def take_spilled(self, *, everything: bool = False) -> list[tuple]:
        """The rows spilled so far (with `everything`, every visitor's: memory is emptied)."""
        rows = []
        while self.spilled:
            rows += self.spilled.popleft()
        if everything:
            rows += [_row(key, s) for key, s in self.stats.items()]
            self.stats.clear()
        return rows

    def assets_in_log(self, readers: int, with_assets: int) -> bool:
        """Whether this log shows the site's assets (so a visitor loading none stands out)."""
        if self.assets_logged != "auto":
            return self.assets_logged == "yes"
        return readers >= MIN_READERS and with_assets >= ASSET_SHARE * readers

    def rule(self, key: tuple, stats: list, assets_logged: bool) -> str:
        """The first rule a visitor's statistics meet, or ""."""
        if is_crawler_address(key[0]):
            return CRAWLER_ADDRESS
        if stats[PROBES]:
            return PROBE_PATHS
        if stats[FORM]:
            return INSTANT_FORM
        if stats[POSTS] >= MIN_POSTS and not stats[GETS] and stats[POSTS] == stats[OTHER]:
            return POST_ONLY
        if 0 < stats[HTTP10] < stats[HTTP_SEEN]:
            return MIXED_HTTP
        if stats[PEAK] > self.max_per_minute:
            return RATE
        if stats[OTHER] >= MIN_ERROR_REQUESTS and stats[NOT_FOUND_N] * 2 >= stats[OTHER]:
            return NOT_FOUND
        if assets_logged and stats[PAGES] >= self.no_asset_pages and not stats[ASSETS]:
            return NO_ASSETS
        if stats[ACCOUNT] == stats[OTHER] > 0:
            return ACCOUNT_PAGES
        return ""

    def bots(self, spilled) -> dict[tuple, str]:
        """{visitor key: rule} for every visitor a rule marks.

        `spilled` (a `spill.SpilledStats`) holds the visitors that left memory; once it holds
        any, every visitor's statistics go there and are read back merged.
        """
        spilled.add(self.take_spilled(everything=bool(spilled.rows or self.spilled)))
        if spilled.rows:
            assets_logged = self.assets_in_log(*spilled.readers())
            visitors = spilled.visitors
        else:
            readers = [s for s in self.stats.values() if s[PAGES]]
            with_assets = sum(1 for s in readers if s[ASSETS])
            assets_logged = self.assets_in_log(len(readers), with_assets)
            visitors = self.stats.items
        found = {}
        # Per agent: how many visitors (one address each) it has, and how many a rule marked.
        visitors_of: collections.Counter[int] = collections.Counter()
        marked: collections.Counter[int] = collections.Counter()
        for key, stats in visitors():
            visitors_of[key[1]] += 1
            rule = self.rule(key, stats, assets_logged)
            if rule:
                found[key] = rule
                marked[key[1]] += 1
        fleets = {
            agent
            for agent, total in visitors_of.items()
            if total >= FLEET_ADDRESSES
            and total > marked[agent] >= FLEET_SHARE * total
            and agent not in _NO_AGENT
        }
        if fleets:
            # A second pass (a second read of the spilled rows), so memory holds no unmarked keys.
            for key, _stats in visitors():
                if key[1] in fleets and key not in found:
                    found[key] = FLEET
        return found


def _unmark_readers(cursor, stage: str) -> None:
    """Clear "account pages only" from visitors whose staged views include another page."""
    # The few marked visitors as a set the stage is probed against (a join probed the visitors
    # table once per staged view: 0.2 s of a 1M-line import).
    cursor.execute(
        f"SELECT DISTINCT s.visitor_id, p.path FROM {stage} s "
        f"JOIN {connection.ops.quote_name(Page._meta.db_table)} p ON p.id = s.page_id "
        f"WHERE s.visitor_id IN (SELECT id FROM {connection.ops.quote_name(Visitor._meta.db_table)} "
        "WHERE bot_rule = %s)",
        [ACCOUNT_PAGES],
    )
    readers = sorted({pk for pk, path in cursor.fetchall() if not accounts.is_account_path(path)})
    for start in range(0, len(readers), 500):
        visitors = Visitor.objects.filter(pk__in=readers[start : start + 500])
        visitors.update(bot_rule="")
        refresh_exclusions(visitors)


def _row(key: tuple, stats: list) -> tuple:
    """A visitor's statistics as a `spill` row: ip, ua_hash, then the mergeable slots."""
    return (
        *key,
        stats[PAGES],
        stats[ASSETS],
        stats[POSTS],
        stats[GETS],
        stats[NOT_FOUND_N],
        stats[OTHER],
        stats[PROBES],
        stats[PEAK],
        int(stats[FORM]),
        stats[HTTP_SEEN],
        stats[HTTP10],
        stats[ACCOUNT],
    )


def mark_bots(bots: dict[tuple, str], stage: str) -> int:
    """Mark the visitors (ip, ua_hash) found, drop bot visitors' staged views; return how many.

    Visitors with no page view have no row and get none. Views of visitors marked in an
    earlier import are dropped too: a bot stays a bot. "Account pages only" is a verdict on
    every request, so a visitor marked so that now reads other pages loses the mark (and its
    reason is recomputed) before this import's marks are given: its views are kept.
    """
    table = connection.ops.quote_name(Visitor._meta.db_table)
    with connection.cursor() as cursor:
        _unmark_readers(cursor, stage)
        if bots:
            cursor.executemany(
                f"UPDATE {table} SET bot_rule = %s, excluded_reason = %s "
                # Each side of the OR in the words of its partial index, so both use one.
                "WHERE bot_rule = '' AND (ip = %s AND ua_hash = %s AND ip_key = 0 "
                "OR ip_key = %s AND ua_hash = %s AND ip_key > 0)",
                [
                    (rule, bot_reason(rule), ip, agent, ipkeys.key(ip), agent)
                    for (ip, agent), rule in bots.items()
                ],
            )
        cursor.execute(
            f"DELETE FROM {stage} WHERE visitor_id IN (SELECT id FROM {table} WHERE bot_rule <> '')"
        )
        return max(cursor.rowcount, 0)

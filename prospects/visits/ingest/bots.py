"""Which user agents are bots: known crawlers, HTTP libraries and command-line clients, or none."""

import hashlib
import re

from crawlerdetect import CrawlerDetect

# crawlerdetect knows most of these; the list catches the libraries and CLI clients it misses.
_CLIENTS = re.compile(
    r"curl|wget|python|requests|urllib|aiohttp|httpx|go-http-client|okhttp|java/|jakarta|"
    r"apache-httpclient|libwww|lwp::|perl|php|ruby|guzzle|axios|node-fetch|undici|got \(|"
    r"powershell|winhttp|httpie|postman|insomnia|scrapy|headless|phantomjs|^mozilla/?[\d.]*$",
    re.IGNORECASE,
)
_detector = CrawlerDetect()

CACHE_LIMIT = 100_000
cache: dict[str, tuple[bool, int]] = {}


def ua_hash(user_agent: str) -> int:
    """A 63-bit hash of a user agent, the same in every process (Visitor.ua_hash)."""
    digest = hashlib.blake2b(user_agent.encode("utf-8", "replace"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def classify_agent(user_agent: str) -> tuple[bool, int]:
    """(is the agent a bot?, its 63-bit hash), computed once per distinct user agent."""
    try:
        return cache[user_agent]
    except KeyError:
        pass
    value = (is_bot(user_agent), ua_hash(user_agent))
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[user_agent] = value
    return value


def is_bot(user_agent: str) -> bool:
    """Whether a user agent is a crawler, an HTTP library or CLI client, or empty."""
    agent = user_agent.strip()
    if not agent or agent == "-":
        return True
    return _CLIENTS.search(agent) is not None or _detector.is_crawler(agent)


def reset_cache() -> None:
    """Forget cached answers."""
    cache.clear()

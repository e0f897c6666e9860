"""Where a visit came from: the source type of a referrer, and the UTM tags of a landing URL."""

from urllib.parse import parse_qs, urlsplit

import tldextract
from django.conf import settings

from prospects.visits.choices import SourceType

# Registrable names (the label before the public suffix) of well-known sites.
SEARCH_ENGINES = frozenset(
    [
        "google",
        "bing",
        "yahoo",
        "duckduckgo",
        "baidu",
        "yandex",
        "ecosia",
        "qwant",
        "startpage",
        "ask",
        "aol",
        "naver",
        "seznam",
        "brave",
        "kagi",
        "sogou",
        "so",
    ]
)
SOCIAL_SITES = frozenset(
    [
        "facebook",
        "fb",
        "t",
        "twitter",
        "x",
        "linkedin",
        "lnkd",
        "reddit",
        "instagram",
        "pinterest",
        "youtube",
        "youtu",
        "tiktok",
        "xing",
        "quora",
        "medium",
        "mastodon",
        "threads",
        "bsky",
        "tumblr",
        "vk",
        "ycombinator",
    ]
)
# Webmail hosts: a click in an e-mail shows up with these as referrer.
WEBMAIL_PREFIXES = ("mail.", "outlook.", "webmail.")

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
UTM_MAX = 200
CACHE_LIMIT = 100_000
CACHED_KEY_MAX = 512
cache: dict[str, str] = {}
# UTM tags per query: a campaign's links repeat one query on thousands of hits.
utm_cache: dict[str, tuple[str, str, str]] = {}
# The bundled Public Suffix List snapshot: nothing is fetched at run time.
_extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def classify_source(referrer: str, query: str) -> tuple[str, str, str, str]:
    """Source type and UTM tags of a hit: campaign (UTM tags) first, else the referrer's type."""
    if "utm_" in query:
        utm = utm_cache.get(query) or _utm(query)
        if any(utm):
            return (SourceType.CAMPAIGN.value, *utm)
    return (referrer_type(referrer), "", "", "")


def _utm(query: str) -> tuple[str, str, str]:
    tags = parse_qs(query)
    utm = tuple(tags.get(key, [""])[0][:UTM_MAX] for key in UTM_KEYS)
    if len(query) <= CACHED_KEY_MAX:
        if len(utm_cache) >= CACHE_LIMIT:
            utm_cache.clear()
        utm_cache[query] = utm
    return utm


def referrer_type(referrer: str) -> str:
    """The source type of a referrer URL (direct, internal, search, social, campaign, partner)."""
    try:
        return cache[referrer]
    except KeyError:
        pass
    value = _referrer_type(referrer)
    if len(referrer) > CACHED_KEY_MAX:
        return value  # not kept: distinct huge referrers would fill memory with keys
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[referrer] = value
    return value


def reset_cache() -> None:
    """Forget cached answers (the site's own domains come from settings and may change)."""
    cache.clear()
    utm_cache.clear()


def _referrer_type(referrer: str) -> str:
    if not referrer or referrer == "-":
        return SourceType.DIRECT.value
    try:
        host = urlsplit(referrer if "//" in referrer else "//" + referrer).hostname or ""
    except ValueError:
        return SourceType.PARTNER.value
    if not host:
        return SourceType.DIRECT.value
    for domain in settings.LEADGEN_SITE_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return SourceType.INTERNAL.value
    if host.startswith(WEBMAIL_PREFIXES):
        return SourceType.CAMPAIGN.value
    name = _extract(host).domain
    if name in SOCIAL_SITES:
        return SourceType.SOCIAL.value
    if name in SEARCH_ENGINES:
        return SourceType.SEARCH.value
    return SourceType.PARTNER.value

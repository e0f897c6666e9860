"""What counts as reading: normalised paths, and the requests that are not reading a page.

Paths are normalised before any rule sees them (RFC 3986 section 6.2.2): an absolute-URI
request (`GET http://host/pricing`) is reduced to its path, percent-escapes of unreserved
characters are decoded (`/%70ricing` is `/pricing`) and the others written in upper case,
and letters are lowered when LEADGEN_PATH_CASE is "lower" (servers on case-insensitive file
systems). Requests that are not reading form their own class, counted on the import and never
page views: robots and similar files, sitemaps, `.well-known`, favicons and app manifests,
known probe paths (LEADGEN_PROBE_PATHS), and media, by path shape (`/image/60844/model/
200x200`) or by a response that is not the size of a page (LEADGEN_PAGE_BYTES) when the log
gives the size. Documents (PDF, e-books, office files) stay reading whatever their size.
"""

import re

from django.conf import settings

ROBOTS = "robots"
SITEMAP = "sitemap"
WELL_KNOWN = "well-known"
FAVICON = "favicon"
PROBE = "probe"
MEDIA = "media"
PARTIAL = "partial repeat"
KINDS = (ROBOTS, SITEMAP, WELL_KNOWN, FAVICON, PROBE, MEDIA, PARTIAL)

_ROBOT_FILES = frozenset(
    ["/robots.txt", "/ads.txt", "/app-ads.txt", "/humans.txt", "/security.txt", "/llms.txt"]
)
_SITEMAP = re.compile(r"/[\w-]*sitemap[\w-]*(?:\.xml|\.xml\.gz|\.txt)?$|/sitemaps?/", re.I)
_FAVICON = re.compile(
    r"/(?:favicon|apple-touch-icon|android-chrome|mstile|safari-pinned-tab)[\w.-]*$"
    r"|/(?:browserconfig\.xml|site\.webmanifest|manifest\.json|manifest\.webmanifest)$",
    re.I,
)
# An image-like path: a media folder followed by an id or a size (200x200).
_MEDIA_SHAPE = re.compile(
    r"/(?:images?|img|imgs|thumbs?|thumbnails?|photos?|pictures?|media|avatars?|resize|cache)"
    r"/(?:[^/]+/)*?(?:\d+|\d+x\d+|[0-9a-f]{16,})(?:/|$)",
    re.I,
)
_DOCUMENT = re.compile(r"\.(?:pdf|epub|mobi|docx?|xlsx?|pptx?|odt|ods|odp|rtf|txt|csv|zip)$", re.I)
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

CACHE_LIMIT = 200_000
# Cached answers per raw and per normalised path (the classifier keeps its own per-path
# route on top). Longer paths are answered but not kept: distinct huge paths would fill
# memory with keys.
CACHED_KEY_MAX = 512
_paths: dict[str, str] = {}
_kinds: dict[str, str] = {}
_settings: tuple | None = None


def _config() -> tuple:
    global _settings
    if _settings is None:
        probes = tuple(p.lower() for p in settings.LEADGEN_PROBE_PATHS if p)
        low, _, high = settings.LEADGEN_PAGE_BYTES.partition("-")
        _settings = (settings.LEADGEN_PATH_CASE == "lower", probes, int(low), int(high))
    return _settings


def _unescape(match: re.Match) -> str:
    code = int(match.group(1), 16)
    return chr(code) if code in _UNRESERVED else "%" + match.group(1).upper()


def normalise_path(path: str) -> str:
    """The path a rule should see: no scheme and host, unreserved escapes decoded, case per setting."""
    try:
        return _paths[path]
    except KeyError:
        pass
    value = path
    if value[:1] != "/" and "://" in value[:12]:
        # An absolute-URI request: 'http://host:80/pricing' is '/pricing'.
        rest = value.partition("://")[2]
        value = "/" + rest.partition("/")[2]
    if "%" in value:
        value = _ESCAPE.sub(_unescape, value)
    if _config()[0]:
        value = value.lower()
    if len(path) > CACHED_KEY_MAX:
        return value
    if len(_paths) >= CACHE_LIMIT:
        _paths.clear()
    _paths[path] = value
    return value


def path_kind(path: str) -> str:
    """The non-reading class a (normalised) path belongs to by its shape alone, or ""."""
    try:
        return _kinds[path]
    except KeyError:
        pass
    lowered = path.lower()
    probes = _config()[1]
    if lowered in _ROBOT_FILES:
        kind = ROBOTS
    elif lowered.startswith("/.well-known/"):
        kind = WELL_KNOWN
    elif _FAVICON.search(lowered):
        kind = FAVICON
    elif probes and (lowered.startswith(probes) or ("/." in lowered and _dotfile(lowered))):
        kind = PROBE
    elif _SITEMAP.search(lowered):
        kind = SITEMAP
    elif _MEDIA_SHAPE.search(path) and not _DOCUMENT.search(lowered):
        kind = MEDIA
    else:
        kind = ""
    if len(path) > CACHED_KEY_MAX:
        return kind
    if len(_kinds) >= CACHE_LIMIT:
        _kinds.clear()
    _kinds[path] = kind
    return kind


def _dotfile(path: str) -> bool:
    """A hidden file or folder anywhere but .well-known (/.env, /app/.git/config)."""
    return any(part.startswith(".") and part not in (".", "..") for part in path.split("/"))


def not_reading(path: str, status: int, size: int) -> str:
    """The non-reading class of a request, or "" when it may be a page being read."""
    kind = path_kind(path)
    if kind or status != 200 or size < 0:
        return kind
    _case, _probes, low, high = _config()
    if (size < low or size > high) and not is_document(path):
        return MEDIA
    return ""


def page_bytes() -> tuple[int, int]:
    """The smallest and largest 200 response that can be a page (LEADGEN_PAGE_BYTES)."""
    return _config()[2:]


def is_document(path: str) -> bool:
    """Whether a path names a document (PDF, e-book, office file): reading, whatever its size."""
    return _DOCUMENT.search(path) is not None


def reset_cache() -> None:
    """Forget cached answers and re-read the settings (tests change them)."""
    global _settings
    _paths.clear()
    _kinds.clear()
    _settings = None

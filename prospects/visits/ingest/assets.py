"""Which request paths are static assets (not page views)."""

# Stylesheets, scripts, source maps, images, fonts, media. Documents (PDF, e-books) are not
# here on purpose: downloading one is reading content, so it is a page view.
ASSET_EXTENSIONS = frozenset(
    [
        "css",
        "js",
        "mjs",
        "cjs",
        "map",
        "png",
        "jpg",
        "jpeg",
        "gif",
        "svg",
        "svgz",
        "webp",
        "avif",
        "ico",
        "bmp",
        "tif",
        "tiff",
        "cur",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
        "mp4",
        "webm",
        "ogv",
        "mov",
        "avi",
        "m4v",
        "mkv",
        "mp3",
        "m4a",
        "ogg",
        "oga",
        "wav",
        "flac",
        "aac",
        "opus",
        "swf",
        "webmanifest",
    ]
)
_ASSET_NAMES = ("favicon", "apple-touch-icon", "browserconfig.xml", "site.webmanifest")

cache: dict[str, bool] = {}
CACHE_LIMIT = 200_000
CACHED_KEY_MAX = 512


def is_asset(path: str) -> bool:
    """Whether a URL path (no query string) names a static asset."""
    try:
        return cache[path]
    except KeyError:
        pass
    name = path.rpartition("/")[2].lower()
    ext = name.rpartition(".")[2] if "." in name else ""
    value = ext in ASSET_EXTENSIONS or name.startswith(_ASSET_NAMES)
    if len(path) > CACHED_KEY_MAX:
        return value  # not kept: distinct huge paths would fill memory with keys
    if len(cache) >= CACHE_LIMIT:
        cache.clear()
    cache[path] = value
    return value


def reset_cache() -> None:
    """Forget cached answers."""
    cache.clear()

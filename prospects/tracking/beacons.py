"""A beacon's fields, validated: what the snippet (or the no-JS image) may send.

Everything here comes from the internet: each field is checked for type, length and shape,
and a beacon that fails is refused with a message saying which field is wrong.
"""

import json
import re
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

from prospects.visits.ingest.formats.fields import is_site_host

# Page views land on the page's own path; a named event on this path, so conversion goals
# and content rules can name it (`/_event/form_started`) without touching real pages.
EVENT_PREFIX = "/_event/"
MAX_URL = 2000
MAX_PATH = 1000
MAX_LABEL = 200
_EVENT = re.compile(r"[a-z][a-z0-9_]{0,39}", re.ASCII)
_BEACON_ID = re.compile(r"[A-Za-z0-9]{8,32}", re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BeaconRefused(ValueError):
    """A beacon that cannot be stored; the message names the field."""


class BeaconTooLarge(BeaconRefused):
    """A beacon over the size cap."""


class Beacon(NamedTuple):
    """A validated beacon: the page's path and query, its referrer, an event and its label."""

    path: str
    query: str
    referrer: str
    event: str
    label: str
    beacon_id: str


def from_json(body: bytes) -> Beacon:
    """The beacon in a POST body: a JSON object with u (page URL), r, e, l and i."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BeaconRefused("The body is not a JSON object.") from exc
    if not isinstance(data, dict):
        raise BeaconRefused("The body is not a JSON object.")
    return from_fields(data)


def from_fields(data, referer: str = "") -> Beacon:
    """Validate the fields of a beacon; `referer` is the page when `u` is missing (no-JS image)."""
    url = _text(data, "u") or referer
    if not url:
        raise BeaconRefused("u: the page URL is required.")
    path, query = _page(url)
    event = _text(data, "e")
    if event and not _EVENT.fullmatch(event):
        raise BeaconRefused("e: an event name is 1-40 lower-case letters, digits or _.")
    beacon_id = _text(data, "i")
    if beacon_id and not _BEACON_ID.fullmatch(beacon_id):
        raise BeaconRefused("i: a beacon id is 8-32 letters or digits.")
    label = _CONTROL.sub("", _text(data, "l"))
    if len(label) > MAX_LABEL:
        raise BeaconRefused(f"l: a label has at most {MAX_LABEL} characters.")
    referrer = _CONTROL.sub("", _text(data, "r"))
    return Beacon(path, query, referrer, event, label, beacon_id)


def hit_fields(beacon: Beacon) -> tuple[str, str, str]:
    """(path, query, referrer) of the hit a beacon becomes; an event keeps its page in the query."""
    if not beacon.event:
        return beacon.path, beacon.query, beacon.referrer
    params = {"page": beacon.path}
    if beacon.label:
        params["label"] = beacon.label
    return EVENT_PREFIX + beacon.event, urlencode(params), ""


def _text(data, name: str) -> str:
    value = data.get(name, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BeaconRefused(f"{name}: must be text.")
    if len(value) > MAX_URL:
        raise BeaconRefused(f"{name}: at most {MAX_URL} characters.")
    return value


def _page(url: str) -> tuple[str, str]:
    """(path, query) of a page URL on one of the vendor's sites."""
    if _CONTROL.search(url):
        raise BeaconRefused("u: the page URL holds control characters.")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").rstrip(".")
    except ValueError as exc:
        raise BeaconRefused("u: not a URL.") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise BeaconRefused("u: the page URL must be an absolute http(s) URL.")
    if not is_site_host(host):
        raise BeaconRefused("u: the page is not on one of the vendor's sites.")
    path = parts.path or "/"
    if len(path) > MAX_PATH:
        raise BeaconRefused(f"u: a path has at most {MAX_PATH} characters.")
    return path, parts.query

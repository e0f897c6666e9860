"""The rules of `/t/`, on a WSGI environ: what a beacon request gets back, and what is queued.

Public by design: the vendor's visitors send beacons without an account. Only the vendor's
sites may send them (CORS, and the page URL's host), each address at a bounded rate, each
beacon small. The request only validates and queues; the writing happens in a task.

Both faces call `answer`: the WSGI app in front of Django (`tracking.wsgi`, what gunicorn
serves) and the Django view (`tracking.views`, the test client and any stack without it).
"""

from http.cookies import SimpleCookie
from typing import NamedTuple
from urllib.parse import parse_qsl, urlsplit

from django.conf import settings
from django.http.cookie import parse_cookie
from django.utils import timezone
from django.utils.http import http_date

from leadgen.proxy import client_ip_of
from prospects.visits.ingest.formats.fields import is_site_host

from . import beacons, services, visitor_ids

# The smallest transparent GIF (43 bytes).
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)
# What Django's HttpResponse says of a body it was given no type for.
DEFAULT_TYPE = "text/html; charset=utf-8"
TEXT = "text/plain"
# A GET beacon holds a handful of fields; Django's own cap on form fields.
MAX_FIELDS = 1000


class Answer(NamedTuple):
    """A beacon request's response: status, body, headers, and whether a write is due after it."""

    status: int
    body: bytes
    headers: list[tuple[str, str]]
    write_due: bool = False


def answer(environ) -> Answer:
    """Accept one beacon: 202 (POST) or the pixel (GET); 4xx with a reason when refused.

    `environ` is the request's WSGI environ; its `wsgi.input` is read up to the size cap.
    """
    origin = environ.get("HTTP_ORIGIN", "")
    if origin and not _site_origin(origin):
        return _refusal(403, "This origin may not send beacons.")
    method = environ.get("REQUEST_METHOD", "")
    if method == "OPTIONS":
        return _cors(Answer(204, b"", [("Content-Type", DEFAULT_TYPE)]), origin)
    if method not in ("GET", "POST"):
        return _refusal(405, "Send beacons with POST or GET.")
    if _opted_out(environ):
        return _answer(method, origin)
    ip = client_ip_of(environ)
    if not ip:
        return _too_many(origin)
    try:
        beacon, refused = _read(environ, method), None
    except beacons.BeaconRefused as exc:
        beacon, refused = None, exc
    cookie_id = _cookie_id(environ)
    agent = environ.get("HTTP_USER_AGENT", "")
    now = timezone.now()
    visitor_id = (cookie_id or visitor_ids.daily_id(ip, agent, now.date())) if beacon else ""
    verdict = services.accept_beacon(
        beacon=beacon, ip=ip, user_agent=agent, visitor_id=visitor_id, now=now
    )
    if verdict is services.Verdict.LIMITED:
        return _too_many(origin)
    if refused is not None:
        status = 413 if isinstance(refused, beacons.BeaconTooLarge) else 400
        return _cors(_refusal(status, str(refused)), origin)
    response = _answer(method, origin, verdict is services.Verdict.WRITE_DUE)
    if settings.LEADGEN_TRACKER_COOKIE:
        cookie = cookie_id or visitor_ids.new_cookie_id()
        response.headers.append(("Set-Cookie", _cookie(cookie, is_secure(environ))))
    return response


def _read(environ, method: str) -> beacons.Beacon:
    """The beacon of a POST body (at most LEADGEN_TRACKER_MAX_BYTES) or of GET parameters."""
    if method == "GET":
        try:
            fields = dict(
                parse_qsl(
                    environ.get("QUERY_STRING", ""),
                    keep_blank_values=True,
                    max_num_fields=MAX_FIELDS,
                )
            )
        except ValueError as exc:
            raise beacons.BeaconRefused("Too many fields.") from exc
        return beacons.from_fields(fields, referer=environ.get("HTTP_REFERER", ""))
    cap = settings.LEADGEN_TRACKER_MAX_BYTES
    try:
        declared = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > cap:
        raise beacons.BeaconTooLarge(f"A beacon has at most {cap} bytes.")
    stream = environ.get("wsgi.input")
    body = stream.read(min(declared, cap + 1)) if stream is not None and declared else b""
    if len(body) > cap:
        raise beacons.BeaconTooLarge(f"A beacon has at most {cap} bytes.")
    return beacons.from_json(body)


def _answer(method: str, origin: str, write_due: bool = False) -> Answer:
    if method == "GET":
        response = Answer(200, PIXEL, [("Content-Type", "image/gif")], write_due)
    else:
        response = Answer(202, b"", [("Content-Type", DEFAULT_TYPE)], write_due)
    response.headers.append(("Cache-Control", "no-store"))
    return _cors(response, origin)


def _refusal(status: int, message: str) -> Answer:
    return Answer(status, message.encode(), [("Content-Type", TEXT)])


def _too_many(origin: str) -> Answer:
    return _cors(_refusal(429, "Too many beacons from this address."), origin)


def _cors(response: Answer, origin: str) -> Answer:
    if origin:
        response.headers.extend(
            [
                ("Access-Control-Allow-Origin", origin),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "POST, GET"),
                ("Access-Control-Allow-Headers", "Content-Type"),
                ("Access-Control-Max-Age", "86400"),
            ]
        )
    response.headers.append(("Vary", "Origin"))
    return response


def _site_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and is_site_host(host)


def _opted_out(environ) -> bool:
    """Do-Not-Track or Global Privacy Control: the beacon is answered and dropped."""
    return environ.get("HTTP_DNT") == "1" or environ.get("HTTP_SEC_GPC") == "1"


def _cookie_id(environ) -> str:
    if not settings.LEADGEN_TRACKER_COOKIE:
        return ""
    value = parse_cookie(environ.get("HTTP_COOKIE", "")).get(visitor_ids.COOKIE, "")
    return value if visitor_ids.valid_cookie_id(value) else ""


def _cookie(value: str, secure: bool) -> str:
    """The visitor cookie's Set-Cookie value, as Django's `set_cookie` writes it."""
    max_age = settings.LEADGEN_TRACKER_COOKIE_DAYS * 86400
    cookie = SimpleCookie()
    cookie[visitor_ids.COOKIE] = value
    morsel = cookie[visitor_ids.COOKIE]
    morsel["expires"] = http_date(timezone.now().timestamp() + max_age)
    morsel["max-age"] = max_age
    morsel["path"] = "/"
    morsel["secure"] = secure
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    return morsel.OutputString()


def is_secure(environ) -> bool:
    """Whether the request came over HTTPS, as Django's `request.is_secure` decides."""
    header = settings.SECURE_PROXY_SSL_HEADER
    if header:
        name, secure_value = header
        value = environ.get(name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"

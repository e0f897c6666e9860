"""The public tracking endpoint: `POST /t/` (the snippet's beacon) and `GET /t/` (a 1x1 GIF).

Public by design: the vendor's visitors send beacons without an account. Only the vendor's
sites may send them (CORS, and the page URL's host), each address at a bounded rate, each
beacon small. The request only validates and queues; the writing happens in a task.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from leadgen.proxy import client_ip
from prospects.visits.ingest.formats.fields import is_site_host

from . import beacons, services, visitor_ids

# The smallest transparent GIF (43 bytes).
PIXEL = bytes.fromhex(
    "47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b"
)


class TrackResponse(HttpResponse):
    """A response that asks for the queue to be written once it has been sent."""

    def close(self):
        super().close()
        services.request_write()


@csrf_exempt
def track(request):
    """Accept one beacon: 202 (POST) or the pixel (GET); 4xx with a reason when refused."""
    origin = request.headers.get("Origin", "")
    if origin and not _site_origin(origin):
        return HttpResponse(
            "This origin may not send beacons.", status=403, content_type="text/plain"
        )
    if request.method == "OPTIONS":
        return _cors(HttpResponse(status=204), origin)
    if request.method not in ("GET", "POST"):
        return HttpResponse("Send beacons with POST or GET.", status=405, content_type="text/plain")
    if _opted_out(request):
        return _answer(request, origin, None)
    ip = client_ip(request)
    if not ip:
        return _cors(_too_many(), origin)
    try:
        beacon, refused = _read(request), None
    except beacons.BeaconRefused as exc:
        beacon, refused = None, exc
    cookie_id = _cookie_id(request)
    agent = request.headers.get("User-Agent", "")
    now = timezone.now()
    visitor_id = (cookie_id or visitor_ids.daily_id(ip, agent, now.date())) if beacon else ""
    verdict = services.accept_beacon(
        beacon=beacon, ip=ip, user_agent=agent, visitor_id=visitor_id, now=now
    )
    if verdict is services.Verdict.LIMITED:
        return _cors(_too_many(), origin)
    if refused is not None:
        status = 413 if isinstance(refused, beacons.BeaconTooLarge) else 400
        return _cors(HttpResponse(str(refused), status=status, content_type="text/plain"), origin)
    due = verdict is services.Verdict.WRITE_DUE
    response = _answer(request, origin, TrackResponse if due else None)
    if settings.LEADGEN_TRACKER_COOKIE:
        response.set_cookie(
            visitor_ids.COOKIE,
            cookie_id or visitor_ids.new_cookie_id(),
            max_age=settings.LEADGEN_TRACKER_COOKIE_DAYS * 86400,
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


def _too_many() -> HttpResponse:
    return HttpResponse(
        "Too many beacons from this address.", status=429, content_type="text/plain"
    )


def _read(request) -> beacons.Beacon:
    """The beacon of a POST body (at most LEADGEN_TRACKER_MAX_BYTES) or of GET parameters."""
    if request.method == "GET":
        return beacons.from_fields(request.GET, referer=request.headers.get("Referer", ""))
    cap = settings.LEADGEN_TRACKER_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > cap:
        raise beacons.BeaconTooLarge(f"A beacon has at most {cap} bytes.")
    body = request.read(cap + 1)
    if len(body) > cap:
        raise beacons.BeaconTooLarge(f"A beacon has at most {cap} bytes.")
    return beacons.from_json(body)


def _answer(request, origin: str, response_class) -> HttpResponse:
    response_class = response_class or HttpResponse
    if request.method == "GET":
        response = response_class(PIXEL, content_type="image/gif")
    else:
        response = response_class(status=202)
    response["Cache-Control"] = "no-store"
    return _cors(response, origin)


def _cors(response: HttpResponse, origin: str) -> HttpResponse:
    if origin:
        response["Access-Control-Allow-Origin"] = origin
        response["Access-Control-Allow-Credentials"] = "true"
        response["Access-Control-Allow-Methods"] = "POST, GET"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
    response["Vary"] = "Origin"
    return response


def _site_origin(origin: str) -> bool:
    try:
        parts = urlsplit(origin)
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(host) and is_site_host(host)


def _opted_out(request) -> bool:
    """Do-Not-Track or Global Privacy Control: the beacon is answered and dropped."""
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def _cookie_id(request) -> str:
    if not settings.LEADGEN_TRACKER_COOKIE:
        return ""
    value = request.COOKIES.get(visitor_ids.COOKIE, "")
    return value if visitor_ids.valid_cookie_id(value) else ""

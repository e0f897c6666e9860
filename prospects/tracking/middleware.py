"""The tracker's short way through Django: `/t/` answered before the rest of the stack.

Under gunicorn `/t/` is answered before Django (`tracking.wsgi`); this is for the requests
that do come through Django (the test client, ASGI, the redirect and host checks). Beacons need none of what the other middleware gives a page (sessions, users, messages,
CSRF, CSP, htmx, lockouts, static files, time zones), and at thousands a second their cost
is most of a beacon's server time. Placed first, this hands `/t/` straight to the view, which
does its own checks (origin, method, rate, size, fields, bots). What still applies: the host
check (the view's `get_host`, a 400 for a host not in ALLOWED_HOSTS), the HTTPS redirect
(a plain-HTTP beacon when SECURE_SSL_REDIRECT is on takes the whole stack, which redirects)
and `nosniff`.
"""

from django.conf import settings

from . import views

PATH = "/t/"


class TrackerMiddleware:
    """Answer `/t/` with the tracking view at once; everything else goes on down the stack."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info != PATH or (settings.SECURE_SSL_REDIRECT and not request.is_secure()):
            return self.get_response(request)
        request.get_host()
        response = views.track(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        # CommonMiddleware, skipped here, would set it; without it gunicorn answers an
        # HTTP/1.1 request chunked (one more write, and a kept connection has to parse it).
        response.headers.setdefault("Content-Length", str(len(response.content)))
        return response

"""`/t/` answered in front of Django: the beacon endpoint as a small WSGI app.

Beacons need none of what Django's stack gives a page, and at thousands a second its
request and response objects, signals and middleware were half of a beacon's server time.
Here a beacon costs `endpoint.answer` and a few header tuples. Anything that needs Django's
own answer goes through to it: a host not in ALLOWED_HOSTS (its 400) and a plain-HTTP
beacon when SECURE_SSL_REDIRECT is on (its redirect).
"""

from http import HTTPStatus

from django.conf import settings
from django.http.request import split_domain_port, validate_host

from . import endpoint, services

PATH = "/t/"
# Django's defaults for a development server with no ALLOWED_HOSTS (HttpRequest.get_host).
DEBUG_HOSTS = [".localhost", "127.0.0.1", "[::1]"]


def serve_beacons(django_app):
    """A WSGI app that answers `/t/` itself and hands every other request to `django_app`."""

    def application(environ, start_response):
        if environ.get("PATH_INFO") != PATH or not _answerable(environ):
            return django_app(environ, start_response)
        found = endpoint.answer(environ)
        headers = [
            *found.headers,
            ("Content-Length", str(len(found.body))),
            ("X-Content-Type-Options", "nosniff"),
        ]
        start_response(f"{found.status} {HTTPStatus(found.status).phrase}", headers)
        return _Body(found.body, found.write_due)

    return application


class _Body(list):
    """The response body; its `close` (the server calls it once the response is sent) asks
    for the queue's write when the answer said one is due."""

    def __init__(self, body: bytes, write_due: bool):
        super().__init__([body])
        self.write_due = write_due

    def close(self):
        if self.write_due:
            services.request_write()


def _answerable(environ) -> bool:
    """Whether `/t/` may be answered here: an allowed host, and HTTPS if it is required."""
    if settings.SECURE_SSL_REDIRECT and not endpoint.is_secure(environ):
        return False
    if settings.USE_X_FORWARDED_HOST and "HTTP_X_FORWARDED_HOST" in environ:
        host = environ["HTTP_X_FORWARDED_HOST"]
    else:
        host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    allowed = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed:
        allowed = DEBUG_HOSTS
    return bool(domain) and validate_host(domain, allowed)

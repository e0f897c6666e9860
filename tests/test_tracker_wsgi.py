"""The beacon endpoint as gunicorn serves it: `/t/` answered in front of Django's stack.

The answers are the page stack's (the same `endpoint.answer`); what Django alone decides, a
host it refuses and the HTTPS redirect, still comes from Django.
"""

import json

import pytest
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import RequestFactory

from leadgen.wsgi import application
from prospects.models import PageView
from prospects.tracking import visitor_ids
from prospects.tracking.wsgi import serve_beacons
from tests.ingest_lines import BROWSER
from tests.tracker_fixtures import SITE, queued

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tracker")]


@pytest.fixture(autouse=True)
def keep_the_test_s_connection():
    """Django's handler closes the database connection after each request; the test's
    transaction lives on it (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def serve(method="post", path="/t/", fields=None, app=application, **extra):
    """Send one request through the WSGI application: (status, headers, body, the body's
    iterable, whose `close` the server calls after sending it)."""
    body = json.dumps({"u": f"{SITE}/pricing", **(fields or {})})
    extra = {"HTTP_ORIGIN": SITE, "HTTP_USER_AGENT": BROWSER, **extra}
    factory = RequestFactory()
    if method == "post":
        request = factory.post(path, body, content_type="text/plain;charset=UTF-8", **extra)
    else:
        request = getattr(factory, method)(path, **extra)
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered.update(status=int(status.split()[0]), headers=dict(headers))

    iterable = app(request.environ, start_response)
    content = b"".join(iterable)
    return answered["status"], answered["headers"], content, iterable


def test_a_beacon_is_answered_without_django_s_request_cycle():
    started = []

    def receiver(**kwargs):
        started.append(kwargs)

    request_started.connect(receiver)
    try:
        status, headers, content, _ = serve()
        assert started == []
        serve(method="get", path="/login/")
        assert len(started) == 1
    finally:
        request_started.disconnect(receiver)
    assert (status, content) == (202, b"")
    assert headers["Access-Control-Allow-Origin"] == SITE
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Length"] == "0"
    assert queued() == 1


def test_refusals_are_the_page_stack_s():
    status, headers, content, _ = serve(HTTP_ORIGIN="https://evil.example")
    assert (status, content) == (403, b"This origin may not send beacons.")
    assert "Access-Control-Allow-Origin" not in headers
    status, _headers, content, _ = serve(fields={"e": "Bad!"})
    assert status == 400 and b"an event name is" in content
    assert queued() == 0


def test_django_still_refuses_other_hosts_and_redirects_to_https(settings):
    assert serve(HTTP_HOST="evil.example")[0] == 400
    settings.SECURE_SSL_REDIRECT = True
    # Django's middleware reads its settings when it is built.
    app = serve_beacons(get_wsgi_application())
    status, headers, _content, _ = serve(app=app)
    assert status == 301 and headers["Location"].startswith("https://")
    assert serve(app=app, **{"wsgi.url_scheme": "https"})[0] == 202
    assert queued() == 1


def test_the_pixel_and_the_cookie(settings):
    settings.LEADGEN_TRACKER_COOKIE = True
    status, headers, content, _ = serve(method="get", HTTP_REFERER=f"{SITE}/no-js", HTTP_ORIGIN="")
    assert (status, headers["Content-Type"], len(content)) == (200, "image/gif", 43)
    cookie = headers["Set-Cookie"]
    value = cookie.split(";", 1)[0].split("=", 1)[1]
    assert visitor_ids.valid_cookie_id(value)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Max-Age=" in cookie
    # The visitor's cookie comes back: the same id, set again.
    again = serve(
        method="get", HTTP_REFERER=f"{SITE}/x", HTTP_COOKIE=f"{visitor_ids.COOKIE}={value}"
    )
    assert again[1]["Set-Cookie"].startswith(f"{visitor_ids.COOKIE}={value};")


def test_the_write_is_asked_for_once_the_answer_is_sent(settings, monkeypatch):
    from prospects.tracking import queue

    if queue.redis_queue() is not None:
        pytest.skip("with Redis the push asks for the write (tests/test_tracker_buffer)")
    settings.LEADGEN_TRACKER_FLUSH_SECONDS = 60
    monkeypatch.setattr(queue.local_limits, "last_flush", float("-inf"))
    _status, _headers, _content, iterable = serve(fields={"u": f"{SITE}/first"})
    assert PageView.objects.count() == 0
    # Celery is eager here: the write runs when the server closes the sent response.
    iterable.close()
    assert PageView.objects.get().page.path == "/first"

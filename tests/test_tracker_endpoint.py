"""The tracker's endpoint: beacons validated, bots and opted-out people dropped, then written.

Written beacons go through `ingest_hits`, so sessions, sources, goals and duplicates mean what
they mean for a log line.
"""

import datetime as dt
import gzip
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from prospects.models import ConversionGoal, LogImport, PageView, Session, TrackerSalt, Visitor
from prospects.tracking import visitor_ids
from tests.ingest_lines import BROWSER, FIREFOX
from tests.tracker_fixtures import SITE, beacon, queued

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tracker")]
SNIPPET = Path(__file__).resolve().parents[1] / "static" / "tracker" / "t.js"


def write():
    call_command("write_tracked_hits", stdout=io.StringIO())


def test_a_page_view_beacon_is_accepted_queued_then_written_with_its_source(client):
    response = beacon(
        client,
        u=f"{SITE}/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring",
        r="https://www.google.com/",
    )
    assert response.status_code == 202
    assert response["Access-Control-Allow-Origin"] == SITE
    assert queued() == 1
    assert PageView.objects.count() == 0
    write()
    assert queued() == 0
    view = PageView.objects.select_related("visitor", "page").get()
    assert (view.page.path, view.visitor.ip, view.visitor.user_agent) == (
        "/pricing",
        "203.0.113.7",
        BROWSER,
    )
    assert view.utm_campaign == "spring"
    session = Session.objects.get()
    assert (session.utm_source, session.utm_medium) == ("newsletter", "email")
    assert LogImport.objects.get().name == "tracker"


def test_named_events_are_their_own_pages_and_can_be_conversion_goals(client):
    ConversionGoal.objects.create(name="Demo form", pattern="/_event/form_started")
    beacon(client, u=f"{SITE}/demo")
    for event, label in (("video_played", "/media/tour.mp4"), ("download", "/files/a.pdf")):
        assert beacon(client, u=f"{SITE}/demo", e=event, l=label).status_code == 202
    beacon(client, u=f"{SITE}/demo", e="form_started", l="demo-form")
    write()
    paths = set(PageView.objects.values_list("page__path", flat=True))
    assert paths == {"/demo", "/_event/video_played", "/_event/download", "/_event/form_started"}
    download = PageView.objects.get(page__path="/_event/download")
    assert download.query == "page=%2Fdemo&label=%2Ffiles%2Fa.pdf"
    assert Visitor.objects.get().converted_at is not None


def test_the_same_beacon_sent_twice_is_one_page_view(client):
    for _ in range(2):
        beacon(client, i="a1b2c3d4e5f60718")
    beacon(client, i="0f1e2d3c4b5a6978")
    write()
    assert PageView.objects.count() == 2
    # A second visitor reusing the first one's beacon id is not a duplicate of it.
    beacon(client, i="a1b2c3d4e5f60718", agent=FIREFOX)
    write()
    assert PageView.objects.count() == 3


@pytest.mark.parametrize(
    "headers", [{"HTTP_DNT": "1"}, {"HTTP_SEC_GPC": "1"}], ids=["do-not-track", "gpc"]
)
def test_people_who_opt_out_are_answered_and_never_stored(client, headers):
    assert beacon(client, headers=headers).status_code == 202
    assert queued() == 0


@pytest.mark.parametrize(
    "agent",
    ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.4.0", "", "HeadlessChrome/120"],
)
def test_bots_are_answered_and_dropped(client, agent):
    assert beacon(client, agent=agent).status_code == 202
    assert queued() == 0


def test_other_origins_are_refused(client):
    response = beacon(client, origin="https://evil.example")
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response
    # A subdomain of the vendor's site may send beacons.
    assert beacon(client, origin="https://www.northwind-software.com").status_code == 202
    preflight = client.options(reverse("track"), HTTP_ORIGIN=SITE)
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SITE


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"u": "https://evil.example/pricing"}, "not on one of the vendor's sites"),
        ({"u": ""}, "the page URL is required"),
        ({"u": "javascript:alert(1)"}, "absolute http(s) URL"),
        ({"u": f"{SITE}/" + "a" * 1500}, "at most 1000 characters"),
        ({"e": "Form Started!"}, "an event name is"),
        ({"i": "<script>"}, "a beacon id is"),
        ({"l": 5}, "l: must be text"),
        ({"u": f"{SITE}/a\nb"}, "control characters"),
    ],
)
def test_bad_beacons_get_a_clear_message(client, fields, message):
    response = beacon(client, **fields)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert queued() == 0


def test_a_body_that_is_not_json_or_too_large_is_refused(client):
    url = reverse("track")
    response = client.post(url, b"\xff{nope", content_type="text/plain", HTTP_ORIGIN=SITE)
    assert (response.status_code, response.content) == (400, b"The body is not a JSON object.")
    big = json.dumps({"u": f"{SITE}/", "l": "x" * 5000})
    response = client.post(url, big, content_type="text/plain", HTTP_ORIGIN=SITE)
    assert response.status_code == 413
    assert queued() == 0


def test_each_address_has_a_rate_limit(client, settings):
    settings.LEADGEN_TRACKER_RATE_PER_MINUTE = 3
    codes = [beacon(client).status_code for _ in range(5)]
    assert codes == [202, 202, 202, 429, 429]
    assert beacon(client, ip="203.0.113.8").status_code == 202
    assert queued() == 4


def test_refused_beacons_count_against_the_rate_limit_too(client, settings):
    settings.LEADGEN_TRACKER_RATE_PER_MINUTE = 2
    assert [beacon(client, e="Bad!").status_code for _ in range(2)] == [400, 400]
    assert beacon(client).status_code == 429
    assert queued() == 0


def test_beacons_skip_the_page_stack_but_keep_the_host_check_and_https(client, settings):
    response = beacon(client)
    assert response.status_code == 202
    # No session, CSRF or CSP work for a beacon: it never reached that middleware.
    assert not response.cookies
    assert "Content-Security-Policy" not in response
    assert response["X-Content-Type-Options"] == "nosniff"
    assert beacon(client, headers={"HTTP_HOST": "evil.example"}).status_code == 400
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # the middleware reads its settings when it is built
    redirected = beacon(client)
    assert redirected.status_code == 301
    assert redirected["Location"].startswith("https://")
    assert beacon(client, headers={"wsgi.url_scheme": "https"}).status_code == 202
    assert queued() == 2


def test_the_no_script_pixel_takes_the_page_from_the_referer(client):
    response = client.get(
        reverse("track"),
        {"e": ""},
        HTTP_REFERER=f"{SITE}/no-js?utm_source=print",
        HTTP_USER_AGENT=BROWSER,
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response.content.startswith(b"GIF89a") and len(response.content) == 43
    write()
    assert PageView.objects.get().page.path == "/no-js"


def test_the_endpoint_asks_for_a_write_once_per_window(client, settings, monkeypatch):
    from prospects.tracking import queue

    settings.LEADGEN_TRACKER_FLUSH_SECONDS = 60
    monkeypatch.setattr(queue.local_limits, "last_flush", float("-inf"))
    if queue.redis_queue() is not None:
        pytest.skip("with a broker the write is a task for the worker (tests/test_tracker_worker)")
    beacon(client, u=f"{SITE}/first")
    # Celery is eager here: the write ran after the first response was sent.
    assert PageView.objects.get().page.path == "/first"
    beacon(client, u=f"{SITE}/second")
    assert queued() == 1


def test_visitor_ids_are_cookieless_and_rotate_daily():
    day = dt.date(2026, 3, 2)
    first = visitor_ids.daily_id("203.0.113.7", BROWSER, day)
    assert first == visitor_ids.daily_id("203.0.113.7", BROWSER, day)
    assert first != visitor_ids.daily_id("203.0.113.7", FIREFOX, day)
    assert first != visitor_ids.daily_id("203.0.113.7", BROWSER, day + dt.timedelta(days=1))
    visitor_ids.forget_old_salts(day + dt.timedelta(days=2))
    assert not TrackerSalt.objects.filter(day=day).exists()
    assert TrackerSalt.objects.filter(day=day + dt.timedelta(days=1)).exists()


def test_no_cookie_unless_the_vendor_enables_it(client, settings):
    assert visitor_ids.COOKIE not in beacon(client).cookies
    settings.LEADGEN_TRACKER_COOKIE = True
    first = beacon(client).cookies[visitor_ids.COOKIE]
    assert visitor_ids.valid_cookie_id(first.value)
    assert first["httponly"] and first["samesite"] == "Lax"
    client.cookies[visitor_ids.COOKIE] = first.value
    assert beacon(client).cookies[visitor_ids.COOKIE].value == first.value


def test_the_snippet_is_small_and_first_party():
    text = SNIPPET.read_text()
    assert len(gzip.compress(text.encode(), 9)) < 1024
    assert "sendBeacon" in text and "doNotTrack" in text and "globalPrivacyControl" in text
    assert "http" not in text.replace("https://YOUR-LEADGEN", "")

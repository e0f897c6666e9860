"""The tracker end to end: a real Chromium page on the vendor's site sends beacons to gunicorn.

The vendor's page is served by a small HTTP server on loopback under the vendor's host name
(Chromium maps northwind-software.com to 127.0.0.1); the app runs under gunicorn on its own
SQLite file in the embedded default (database queue, Celery eager), so each beacon is queued
by the request and written after its response, through `ingest_hits`.
"""

import http.server
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_browser_day import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
SITE_HOST = "northwind-software.com"
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def app_server(tmp_path):
    """gunicorn serving the app on loopback over a freshly migrated SQLite file: (url, db path)."""
    database = tmp_path / "tracker.sqlite3"
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{database}",
        "CELERY_BROKER_URL": "",
        "LEADGEN_TRACKER_REDIS_URL": "",
        "LEADGEN_TRACKER_FLUSH_SECONDS": "0",
        "LEADGEN_SITE_DOMAINS": SITE_HOST,
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True, timeout=300)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "leadgen.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/static/tracker/t.js", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        yield url, database
    finally:
        server.terminate()
        server.wait(timeout=30)


PAGES = {
    "/pricing": """<form id="demo-form"><input name="email"></form>
<video src="/tour.webm" muted></video>
<a id="pdf" href="/files/datasheet.pdf" download>Datasheet</a>""",
    "/trial/thanks": "<p>Thanks for starting a trial.</p>",
    "/private": "<p>Someone with Do-Not-Track on.</p>",
}


@pytest.fixture
def vendor_site(app_server):
    """The vendor's pages with the snippet, on loopback: their base URL."""
    app_url, _database = app_server

    class Pages(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = PAGES.get(self.path.partition("?")[0])
            if body is None:
                self.send_error(404)
                return
            html = (
                f"<!doctype html><title>Northwind</title>{body}"
                f'<script src="{app_url}/static/tracker/t.js" data-endpoint="{app_url}/t/">'
                "</script>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{SITE_HOST}:{server.server_address[1]}"
    server.shutdown()


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); CI would fail here")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {SITE_HOST} 127.0.0.1"],
        )
        yield browser
        browser.close()


def _stored(database: Path, want: int, timeout: float = 20) -> list[tuple]:
    """(path, query, utm_source, converted) of the stored page views, once `want` are there."""
    deadline = time.monotonic() + timeout
    while True:
        with sqlite3.connect(database, timeout=10) as db:
            rows = db.execute(
                "SELECT p.path, v.query, v.utm_source, u.converted_at IS NOT NULL "
                "FROM prospects_pageview v JOIN prospects_page p ON p.id = v.page_id "
                "JOIN prospects_visitor u ON u.id = v.visitor_id ORDER BY v.ts, v.id"
            ).fetchall()
        if len(rows) >= want or time.monotonic() > deadline:
            return rows
        time.sleep(0.2)


def test_a_visitors_page_views_and_events_arrive_as_page_views(app_server, vendor_site, chromium):
    _app_url, database = app_server
    context = chromium.new_context(user_agent=CHROME, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{vendor_site}/pricing?utm_source=newsletter&utm_campaign=spring")
    page.wait_for_function("typeof window.leadgen === 'function'")
    page.focus("input[name=email]")
    page.focus("input[name=email]")  # a form counts as started once
    page.evaluate("document.querySelector('video').dispatchEvent(new Event('play'))")
    with page.expect_download():
        page.click("#pdf")
    page.evaluate("window.leadgen('pricing_calculator_used', 'seats=40')")
    page.goto(f"{vendor_site}/trial/thanks")
    page.wait_for_function("typeof window.leadgen === 'function'")
    rows = _stored(database, 6)
    paths = [row[0] for row in rows]
    assert sorted(paths) == sorted(
        [
            "/pricing",
            "/_event/form_started",
            "/_event/video_played",
            "/_event/download",
            "/_event/pricing_calculator_used",
            "/trial/thanks",
        ]
    )
    by_path = {row[0]: row for row in rows}
    assert by_path["/pricing"][2] == "newsletter"
    assert by_path["/_event/download"][1] == "page=%2Fpricing&label=%2Ffiles%2Fdatasheet.pdf"
    # /trial/thanks is one of the default conversion goals: the visitor converted.
    assert all(row[3] for row in rows)
    context.close()


def test_do_not_track_sends_nothing(app_server, vendor_site, chromium):
    _app_url, database = app_server
    context = chromium.new_context(user_agent=CHROME)
    context.add_init_script("Object.defineProperty(navigator, 'doNotTrack', {get: () => '1'})")
    page = context.new_page()
    beacons = []
    page.on(
        "request", lambda request: beacons.append(request.url) if "/t/" in request.url else None
    )
    page.goto(f"{vendor_site}/private")
    page.wait_for_function("typeof window.leadgen === 'function'")
    page.evaluate("window.leadgen('download', 'x')")
    assert beacons == []
    assert _stored(database, 1, timeout=2) == []
    context.close()

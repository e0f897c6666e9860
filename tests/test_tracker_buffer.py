"""With Redis, accepted beacons wait in their process for a few milliseconds and go to Redis
many to a round trip, with the rate counts; a worker that stops gracefully pushes them first."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from prospects.tracking import buffer, queue
from tests.ingest_lines import BROWSER
from tests.tracker_fixtures import SITE, beacon, queued
from tests.worker_fixtures import database_url

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("tracker"),
    pytest.mark.skipif(
        not os.environ.get("LEADGEN_TRACKER_REDIS_URL", os.environ.get("CELERY_BROKER_URL")),
        reason="needs a Redis queue (LEADGEN_TRACKER_REDIS_URL or a redis:// broker)",
    ),
]


def in_redis() -> int:
    return queue.redis_queue().redis.llen(queue.LIST)


def wait_for(condition, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_beacons_are_held_until_the_buffer_is_full(client, settings):
    settings.LEADGEN_TRACKER_BUFFER_MS = 600_000
    settings.LEADGEN_TRACKER_BUFFER_SIZE = 5
    for n in range(4):
        assert beacon(client, i=f"held{n:04d}").status_code == 202
    assert in_redis() == 0
    beacon(client, i="held0004")
    assert wait_for(lambda: in_redis() == 5)


def test_held_beacons_are_pushed_within_the_interval_and_ask_for_the_write(
    client, settings, monkeypatch
):
    settings.LEADGEN_TRACKER_BUFFER_MS = 20
    asked = []
    monkeypatch.setattr("prospects.tracking.services.request_write", lambda: asked.append(1))
    queue.redis_queue().redis.delete(queue.FLUSH_FLAG)
    beacon(client, i="timed0001")
    assert wait_for(lambda: in_redis() == 1, timeout=5)
    assert wait_for(lambda: asked == [1], timeout=5)
    beacon(client, i="timed0002")
    assert wait_for(lambda: in_redis() == 2, timeout=5)
    # One write per flush window, however many pushes it holds.
    assert asked == [1]


def test_the_rate_limit_counts_every_process_within_a_push(client, settings):
    settings.LEADGEN_TRACKER_RATE_PER_MINUTE = 3
    found = queue.redis_queue()
    # Other processes already counted this address's limit in this minute.
    found.redis.set(f"{buffer.RATE_PREFIX}203.0.113.7:{int(time.time() // 60)}", 3, ex=120)
    # This process learns it at its next push: at most one push's worth gets through.
    assert beacon(client).status_code == 202
    queued()
    assert beacon(client).status_code == 429
    assert beacon(client, ip="203.0.113.8").status_code == 202


@pytest.mark.slow
def test_a_worker_stopping_gracefully_pushes_what_it_holds(transactional_db, settings):
    if connection.vendor == "sqlite":
        pytest.skip("gunicorn cannot share the in-memory SQLite test database")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "DEBUG": "1",
        "DATABASE_URL": database_url(),
        "LEADGEN_TRACKER_REDIS_URL": settings.LEADGEN_TRACKER_REDIS_URL,
        "LEADGEN_TRACKER_BUFFER_MS": "600000",
        "LEADGEN_TRACKER_BUFFER_SIZE": "100000",
    }
    command = [sys.executable, "-m", "gunicorn", "leadgen.wsgi", "-b", f"127.0.0.1:{port}"]
    server = subprocess.Popen(
        [*command, "-w", "1", "-k", "gthread", "--threads", "2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        answers = [_post(port, n) for n in range(20)]
        assert answers == [202] * 20
        assert in_redis() == 0
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert in_redis() == 20


def _post(port: int, n: int) -> int:
    """One beacon over HTTP (retrying while gunicorn starts): the status code."""
    deadline = time.monotonic() + 60
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            body = json.dumps({"u": f"{SITE}/pricing", "i": f"graceful{n:04d}"})
            conn.request(
                "POST",
                "/t/",
                body,
                {"Origin": SITE, "User-Agent": BROWSER},
            )
            status = conn.getresponse().status
            conn.close()
            return status
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)

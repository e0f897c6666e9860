"""Fixtures for the tracker tests: a clean queue, fresh rate counts, writes only when asked."""

import json
import time

import pytest
from django.urls import reverse

from prospects.tracking import buffer, queue
from tests.ingest_lines import BROWSER

SITE = "https://northwind-software.com"


@pytest.fixture
def tracker(settings, monkeypatch):
    """The tracker with empty queues and rate counts; the endpoint asks for no write.

    With a Redis queue configured (CI) its list and counters are emptied before and after,
    and this process's buffer of accepted beacons starts empty.
    """
    settings.LEADGEN_TRACKER_FLUSH_SECONDS = 3600
    limits = queue.LocalLimits()
    # A write was "just asked for": the endpoint's own requests wait a whole window.
    limits.last_flush = time.monotonic()
    monkeypatch.setattr(queue, "local_limits", limits)
    found = queue.redis_queue()
    if found is not None:
        _empty_redis(found)
        found.redis.set(queue.FLUSH_FLAG, b"1", ex=3600)
        monkeypatch.setattr(found, "buffer", buffer.AcceptBuffer(found))
    yield
    if found is not None:
        found.buffer.close()
        _empty_redis(found)


def _empty_redis(found) -> None:
    names = [queue.LIST, queue.FLUSH_FLAG, queue.DRAIN_LOCK]
    names += list(found.redis.scan_iter(f"{buffer.RATE_PREFIX}*"))
    names += list(found.redis.scan_iter(f"{queue.ERASED}*"))
    found.redis.delete(*names)


def beacon(client, *, origin=SITE, agent=BROWSER, ip="203.0.113.7", headers=None, **fields):
    """POST one beacon as the snippet does (a text/plain JSON body); the response."""
    body = {"u": f"{SITE}/pricing", "r": "", "e": "", "l": "", **fields}
    extra = {"HTTP_USER_AGENT": agent, "REMOTE_ADDR": ip, **(headers or {})}
    if origin:
        extra["HTTP_ORIGIN"] = origin
    return client.post(
        reverse("track"), json.dumps(body), content_type="text/plain;charset=UTF-8", **extra
    )


def queued() -> int:
    """Beacons waiting in every queue (this process's accepted ones pushed first)."""
    queue.push_accepted()
    return sum(source.size() for source in queue.queues())

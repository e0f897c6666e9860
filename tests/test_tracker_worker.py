"""With Redis and a worker, the endpoint's beacons are written by the worker, not by beat."""

import time

import pytest

from prospects.models import PageView
from prospects.tracking import queue
from tests.tracker_fixtures import SITE, beacon, queued
from tests.worker_fixtures import needs_worker, worker_output

pytestmark = [*needs_worker, pytest.mark.usefixtures("tracker")]


def test_beacons_queued_in_redis_are_written_by_the_worker(client, settings, start_worker):
    settings.LEADGEN_TRACKER_FLUSH_SECONDS = 1
    found = queue.redis_queue()
    assert found is not None, "with a Redis broker the beacons wait in Redis"
    found.redis.delete(queue.FLUSH_FLAG)
    worker = start_worker()
    for n, path in enumerate(("/pricing", "/trial", "/pricing")):
        assert beacon(client, u=f"{SITE}{path}", i=f"beacon{n:04d}").status_code == 202
    # The worker's start-up (imports, Django) takes tens of seconds on a loaded machine.
    deadline = time.monotonic() + 150
    while PageView.objects.count() < 3:
        if time.monotonic() > deadline:
            stored = PageView.objects.count()
            output = worker_output(worker)
            pytest.fail(f"{stored} of 3 beacons written, {queued()} queued; worker:\n{output}")
        time.sleep(0.3)
    assert sorted(PageView.objects.values_list("page__path", flat=True)) == [
        "/pricing",
        "/pricing",
        "/trial",
    ]
    assert queued() == 0

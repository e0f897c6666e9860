"""Beacons accepted with a Redis queue: held by their process for a few milliseconds, then
pushed with the process's rate counts in one round trip.

A round trip per beacon was 40% of a beacon's server time (redis-py packing a command, a
send, a blocking read). Instead each process keeps what it accepted, and a background
thread pushes it every LEADGEN_TRACKER_BUFFER_MS (at once past LEADGEN_TRACKER_BUFFER_SIZE)
with one script call that also adds this process's rate counts to Redis's and reads back
the totals: an address's limit holds across processes to within one flush of each. A process
that exits normally (gunicorn's graceful stop, SIGTERM, SIGINT, SIGQUIT) pushes what it holds
first; one killed outright loses at most one flush interval of beacons. When Redis cannot be
reached at a flush, the beacons go to the database queue instead.
"""

import atexit
import logging
import os
import threading
import time

import redis
from django.conf import settings

log = logging.getLogger(__name__)

RATE_PREFIX = "leadgen:tracker:rate:"


class AcceptBuffer:
    """The beacons and rate counts of this process not yet pushed to `target` (a RedisQueue)."""

    def __init__(self, target):
        self.target = target
        self._lock = threading.Lock()  # the buffer's state
        self._flushing = threading.Lock()  # one push at a time, in order
        self._wake = threading.Event()
        self._payloads: list[str] = []
        self._unsynced: dict[str, int] = {}  # rate key -> requests not yet counted in Redis
        self._known: dict[str, int] = {}  # rate key -> Redis's count at the last push
        self._minute = -1
        self._thread: threading.Thread | None = None
        self._pid = 0
        self._closed = False

    def accept(self, ip: str, limit: int, payload: str) -> bool:
        """Count a request from `ip` in this minute and, unless it passes `limit`, hold
        `payload` (none when empty) for the next push. Whether it was admitted."""
        minute = int(time.time() // 60)
        key = f"{RATE_PREFIX}{ip}:{minute}"
        with self._lock:
            if minute != self._minute:
                self._minute, self._known = minute, {}
            unsynced = self._unsynced[key] = self._unsynced.get(key, 0) + 1
            admitted = self._known.get(key, 0) + unsynced <= limit
            if admitted and payload:
                self._payloads.append(payload)
            full = len(self._payloads) >= settings.LEADGEN_TRACKER_BUFFER_SIZE
            self._start_thread()
        if full:
            self._wake.set()
        return admitted

    def flush(self) -> bool:
        """Push what is held now; whether this push opened a flush window (a write is due)."""
        with self._flushing:
            with self._lock:
                payloads, self._payloads = self._payloads, []
                counts, self._unsynced = self._unsynced, {}
            if not payloads and not counts:
                return False
            seconds = max(1, settings.LEADGEN_TRACKER_FLUSH_SECONDS)
            try:
                totals, due = self.target.push_accepted(counts, payloads, seconds)
            except redis.RedisError:
                from .queue import database

                # Counted here meanwhile (the requests stay counted), held in the database.
                totals, due = {}, False
                with self._lock:
                    for key, count in counts.items():
                        self._known[key] = self._known.get(key, 0) + count
                if payloads:
                    database.push(payloads)
            with self._lock:
                minute = f":{self._minute}"
                self._known.update((k, v) for k, v in totals.items() if k.endswith(minute))
            return due

    def close(self) -> None:
        """Stop the background pushes and push what is held (at exit)."""
        self._closed = True
        self._wake.set()
        self.flush()

    def _start_thread(self) -> None:
        """The pushing thread of this process (threads do not survive gunicorn's fork)."""
        if self._pid == os.getpid() or self._closed:
            return
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._run, name="tracker-buffer", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def _run(self) -> None:
        from .services import request_write

        while not self._closed:
            self._wake.wait(settings.LEADGEN_TRACKER_BUFFER_MS / 1000)
            self._wake.clear()
            try:
                if self.flush():
                    request_write()
            except Exception:  # the thread must outlive any one push
                log.exception("pushing accepted beacons failed")

"""The tracker's two moves: accept a beacon (in the request) and write the queue (in a task)."""

import datetime as dt
import json

import redis
from django.conf import settings

from leadgen.enqueue import enqueue
from prospects.visits.ingest import bots
from prospects.visits.ingest.hits import HITS_PER_CHUNK
from prospects.visits.ingest.importer import ImportResult, ingest_hits
from prospects.visits.ingest.parser import Hit

from . import queue, visitor_ids
from .beacons import Beacon, hit_fields

IMPORT_NAME = "tracker"


def admit(*, ip: str) -> bool:
    """Count one request from `ip`; False once it passes LEADGEN_TRACKER_RATE_PER_MINUTE."""
    limit = settings.LEADGEN_TRACKER_RATE_PER_MINUTE
    found = queue.redis_queue()
    if found is not None:
        try:
            return found.admit(ip, limit)
        except redis.RedisError:
            pass
    return queue.local_limits.admit(ip, limit)


def accept_beacon(
    *, beacon: Beacon, ip: str, user_agent: str, visitor_id: str, now: dt.datetime
) -> bool:
    """Queue a validated beacon as one hit; False, and nothing queued, when the agent is a bot.

    The hit's key is the visitor id and the beacon's own id, so a beacon sent twice (a retry)
    is one hit, and nobody can make another visitor's beacon a duplicate.
    """
    if bots.classify_agent(user_agent)[0]:
        return False
    ts = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    path, query, referrer = hit_fields(beacon)
    identity = beacon.beacon_id or f"{ts}\n{path}\n{query}"
    payload = json.dumps(
        [ip, ts, "GET", path, query, 200, referrer, user_agent, f"t\n{visitor_id}\n{identity}"]
    )
    _push(payload)
    return True


def _push(payload: str) -> None:
    found = queue.redis_queue()
    if found is not None:
        try:
            found.push([payload])
            return
        except redis.RedisError:
            # Redis down: the database holds the beacon until the writer drains it.
            pass
    queue.database.push([payload])


def request_write() -> None:
    """Ask for the queue to be written, at most once per LEADGEN_TRACKER_FLUSH_SECONDS.

    With a broker the task runs when the window closes and writes everything that arrived
    in it; with Celery eager it runs here, after the response has been sent.
    """
    from . import tasks

    seconds = settings.LEADGEN_TRACKER_FLUSH_SECONDS
    found = queue.redis_queue()
    try:
        due = found.flush_due(seconds) if found else queue.local_limits.flush_due(seconds)
    except redis.RedisError:
        due = queue.local_limits.flush_due(seconds)
    if due:
        enqueue(tasks.write_hits, countdown=seconds)


def write_queued_hits(*, batch: int = HITS_PER_CHUNK) -> list[ImportResult]:
    """Write every queued beacon through `ingest_hits`, `batch` at a time; one import each.

    A queue another writer is draining is skipped; an item is removed only once written.
    """
    results = []
    for source in queue.queues():
        try:
            _drain(source, batch, results)
        except redis.RedisError:
            continue
    visitor_ids.forget_old_salts(dt.datetime.now(dt.UTC).date())
    return results


def _drain(source, batch: int, results: list[ImportResult]) -> None:
    """Write `source` until it is empty. A writer that finds the lock taken leaves; the
    holder looks again after letting go, so a beacon pushed meanwhile is not left behind."""
    while True:
        lock = source.drain_lock()
        if not lock.acquire():
            return
        try:
            while items := source.peek(batch):
                results.append(ingest_hits(_hits(items), name=IMPORT_NAME))
                source.remove(items)
        finally:
            lock.release()
        if not source.size():
            return


def _hits(items: list[tuple[int, str]]) -> list[Hit]:
    """The hits of queued items, each key once: the importer counts a repeated key in one
    batch as a repeated line, but a repeated beacon is one beacon sent twice."""
    hits: dict[bytes, Hit] = {}
    for _id, payload in items:
        ip, ts, method, path, query, status, referrer, agent, key = json.loads(payload)
        key = key.encode("utf-8")
        hits.setdefault(key, Hit(ip, ts, method, path, query, status, referrer, agent, key))
    return list(hits.values())

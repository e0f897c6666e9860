"""The tracker's two moves: accept a beacon (in the request) and write the queue (in a task)."""

import datetime as dt
import enum
import json
import logging

import redis
from django.conf import settings

from leadgen.enqueue import enqueue
from prospects.visits.ingest import bots
from prospects.visits.ingest.importer import ImportResult, ingest_hits
from prospects.visits.ingest.parser import Hit

from . import queue, visitor_ids
from .beacons import Beacon, hit_fields

log = logging.getLogger(__name__)

IMPORT_NAME = "tracker"
# Beacons per import. Each import recuts the sessions of the visitors it touches over all of
# their views in its time span, so several small imports of one period cost several recuts
# of the same views: one import per flush window of 20,000 beacons a second.
WRITE_BATCH = 100_000


class Verdict(enum.Enum):
    """What became of a request at the endpoint."""

    LIMITED = "limited"  # over the address's rate: nothing queued
    DROPPED = "dropped"  # counted, nothing to queue (a refused beacon, a bot's)
    QUEUED = "queued"
    WRITE_DUE = "write due"  # queued, the first in its flush window: ask for the write


def accept_beacon(
    *, beacon: Beacon | None, ip: str, user_agent: str, visitor_id: str, now
) -> Verdict:
    """Count a request from `ip` against LEADGEN_TRACKER_RATE_PER_MINUTE and queue its
    validated beacon (None for a refused one) as one hit, unless the agent is a bot.

    The hit's key is the visitor id and the beacon's own id, so a beacon sent twice (a retry)
    is one hit, and nobody can make another visitor's beacon a duplicate. With Redis the
    beacon and the count wait in this process for the next push (`buffer`), which asks for
    the write when it is due; no round trip in the request.
    """
    payload = ""
    if beacon is not None and not bots.classify_agent(user_agent)[0]:
        payload = hit_payload(beacon, ip, user_agent, visitor_id, now)
    limit = settings.LEADGEN_TRACKER_RATE_PER_MINUTE
    found = queue.redis_queue()
    if found is not None:
        return _verdict(found.buffer.accept(ip, limit, payload), payload, due=False)
    if not queue.local_limits.admit(ip, limit):
        return Verdict.LIMITED
    if payload:
        queue.database.push([payload])
    seconds = settings.LEADGEN_TRACKER_FLUSH_SECONDS
    return _verdict(True, payload, bool(payload) and queue.local_limits.flush_due(seconds))


def _verdict(admitted: bool, payload: str, due: bool) -> Verdict:
    if not admitted:
        return Verdict.LIMITED
    if not payload:
        return Verdict.DROPPED
    return Verdict.WRITE_DUE if due else Verdict.QUEUED


def hit_payload(beacon: Beacon, ip: str, user_agent: str, visitor_id: str, now) -> str:
    """The queued form of a beacon's hit (what the writer reads back in `_hits`)."""
    ts = now.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    path, query, referrer = hit_fields(beacon)
    identity = beacon.beacon_id or f"{ts}\n{path}\n{query}"
    return json.dumps(
        [ip, ts, "GET", path, query, 200, referrer, user_agent, f"t\n{visitor_id}\n{identity}"]
    )


def request_write() -> None:
    """Ask for the queue to be written (a request whose verdict was WRITE_DUE, once sent).

    With a broker the task runs when the flush window closes and writes everything that
    arrived in it; with Celery eager it runs here, after the response has been sent.
    """
    from . import tasks

    enqueue(tasks.write_hits, countdown=settings.LEADGEN_TRACKER_FLUSH_SECONDS)


def write_queued_hits(*, batch: int = WRITE_BATCH) -> list[ImportResult]:
    """Write every queued beacon through `ingest_hits`, `batch` at a time; one import each.

    A queue another writer is draining is skipped; an item is removed only once written.
    """
    results = []
    queue.push_accepted()
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
                results.append(ingest_hits(_not_erased(_hits(items)), name=IMPORT_NAME))
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


def _not_erased(hits: list[Hit]) -> list[Hit]:
    """The hits of people not erased since (privacy.erasure marks them in Redis); the others
    are dropped and counted in the log. Without Redis every queue is in the database, which
    the erasure itself cleared."""
    found = queue.redis_queue()
    if found is None or not hits:
        return hits
    subjects = {queue.erased_subject(hit.ip, None) for hit in hits}
    subjects |= {queue.erased_subject(hit.ip, hit.user_agent) for hit in hits}
    try:
        erased = found.erased(sorted(subjects))
    except redis.RedisError:
        log.warning("could not read the erasure marks; writing %s beacons unchecked", len(hits))
        return hits
    if not erased:
        return hits
    kept = [
        hit
        for hit in hits
        if hit.ts > erased.get(hit.ip, "")
        and hit.ts > erased.get(queue.erased_subject(hit.ip, hit.user_agent), "")
    ]
    log.info("dropped %s queued beacons of erased people", len(hits) - len(kept))
    return kept

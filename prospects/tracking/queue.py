"""Where accepted beacons wait to be written: a Redis list, or the database's QueuedHit table.

With LEADGEN_TRACKER_REDIS_URL (the Redis broker by default) beacons go to a Redis list, a few
milliseconds' worth per push (`buffer`); in the embedded default, or while Redis is
unreachable, to the database. The writer drains both.
Items are read, written, then removed, so a writer that dies midway leaves them for the next
one; the hits' keys make a second write of the same item a duplicate that adds nothing.
"""

import functools
import hashlib
import threading
import time

import redis
from django.conf import settings

from leadgen.db import delete_ids

from .buffer import AcceptBuffer
from .models import QueuedHit

LIST = "leadgen:tracker:hits"
DRAIN_LOCK = "leadgen:tracker:drain"
FLUSH_FLAG = "leadgen:tracker:flush"
# "Erase this person" leaves a mark per address (and per address and agent) that the writer
# reads: beacons another worker accepted before the erasure reach Redis after it (a buffer holds
# up to LEADGEN_TRACKER_BUFFER_MS), and a stopped writer can leave them queued for days.
ERASED = "leadgen:tracker:erased:"
ERASED_SECONDS = 14 * 86_400

# One push of a process's accepted beacons (`buffer.AcceptBuffer.flush`): add its count of
# each rate key (KEYS[3..], counts in ARGV[2..]) and read back the totals, push the payloads
# (the rest of ARGV), and say whether this push opens a flush window (ARGV[1] seconds).
# Returns {write due (0/1), total of each rate key...}.
_PUSH = """
local keys = #KEYS - 2
local answer = {0}
for i = 1, keys do
  local added = tonumber(ARGV[i + 1])
  local count = redis.call('INCRBY', KEYS[i + 2], added)
  if count == added then redis.call('EXPIRE', KEYS[i + 2], 120) end
  answer[i + 1] = count
end
if #ARGV > keys + 1 then
  for first = keys + 2, #ARGV, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(ARGV, first, math.min(first + 999, #ARGV)))
  end
  if redis.call('SET', KEYS[2], '1', 'NX', 'EX', ARGV[1]) then answer[1] = 1 end
end
return answer
"""


class DatabaseQueue:
    """The QueuedHit table, oldest first."""

    name = "database"

    def push(self, payloads: list[str]) -> None:
        QueuedHit.objects.bulk_create([QueuedHit(payload=p) for p in payloads])

    def peek(self, limit: int) -> list[tuple[int, str]]:
        """Up to `limit` of the oldest items as (id, payload)."""
        return list(QueuedHit.objects.order_by("id").values_list("id", "payload")[:limit])

    def remove(self, items: list[tuple[int, str]]) -> None:
        """Remove items returned by `peek` (already written)."""
        # By id, not an id range: a row with a lower id committed after the peek was not read.
        delete_ids(QueuedHit._meta.db_table, [item_id for item_id, _ in items])

    def size(self) -> int:
        return QueuedHit.objects.count()

    def drain_lock(self):
        return _LOCAL_LOCK


class RedisQueue:
    """A Redis list: pushed on the right, written from the left by one writer at a time."""

    name = "redis"

    def __init__(self, url: str):
        self.redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._push = self.redis.register_script(_PUSH)
        # What this process accepted and has not pushed yet (services.accept_beacon).
        self.buffer = AcceptBuffer(self)

    def push(self, payloads: list[str]) -> None:
        self.redis.rpush(LIST, *payloads)

    def peek(self, limit: int) -> list[tuple[int, str]]:
        return list(enumerate(p.decode() for p in self.redis.lrange(LIST, 0, limit - 1)))

    def remove(self, items: list[tuple[int, str]]) -> None:
        # Only the lock holder removes, and it removes what it read from the head.
        self.redis.ltrim(LIST, len(items), -1)

    def size(self) -> int:
        return self.redis.llen(LIST)

    def drain_lock(self):
        return self.redis.lock(DRAIN_LOCK, timeout=600, blocking_timeout=0)

    def push_accepted(
        self, counts: dict[str, int], payloads: list[str], seconds: int
    ) -> tuple[dict[str, int], bool]:
        """Add `counts` (rate key -> requests) to Redis's and push `payloads`, in one round
        trip: (each key's total, whether a write is due: the first push in each `seconds`)."""
        keys = list(counts)
        answer = self._push(
            keys=[LIST, FLUSH_FLAG, *keys], args=[seconds, *counts.values(), *payloads]
        )
        return dict(zip(keys, answer[1:], strict=True)), answer[0] == 1

    def mark_erased(self, ip: str, agent: str | None, when: str) -> None:
        """Refuse at write time the beacons of `ip` (with `agent`, when given) accepted at
        `when` (UTC text, as a hit's time) or before."""
        self.redis.set(ERASED + erased_subject(ip, agent), when, ex=ERASED_SECONDS)

    def erased(self, subjects: list[str]) -> dict[str, str]:
        """The time of each subject's erasure (`erased_subject`), for those erased."""
        if not subjects:
            return {}
        values = self.redis.mget([ERASED + subject for subject in subjects])
        return {s: v.decode() for s, v in zip(subjects, values, strict=True) if v is not None}


def erased_subject(ip: str, agent: str | None) -> str:
    """The mark's name: an address, or an address and a digest of a user agent."""
    if agent is None:
        return ip
    return f"{ip} {hashlib.sha256(agent.encode('utf-8', 'replace')).hexdigest()[:32]}"


class _LocalLock:
    """A non-blocking lock with the face of redis-py's (acquire/release)."""

    def __init__(self):
        self._lock = threading.Lock()

    def acquire(self):
        return self._lock.acquire(blocking=False)

    def release(self):
        self._lock.release()


_LOCAL_LOCK = _LocalLock()


class LocalLimits:
    """Per-process rate counts and flush timing, for when there is no Redis (or it is down)."""

    def __init__(self):
        self.minute = -1
        self.counts: dict[str, int] = {}
        self.last_flush = float("-inf")

    def admit(self, ip: str, limit: int) -> bool:
        minute = int(time.time() // 60)
        if minute != self.minute:
            self.minute, self.counts = minute, {}
        count = self.counts[ip] = self.counts.get(ip, 0) + 1
        return count <= limit

    def flush_due(self, seconds: int) -> bool:
        now = time.monotonic()
        if now - self.last_flush < seconds:
            return False
        self.last_flush = now
        return True


local_limits = LocalLimits()
database = DatabaseQueue()


@functools.cache
def _redis_queue(url: str) -> RedisQueue:
    return RedisQueue(url)


def redis_queue() -> RedisQueue | None:
    """The Redis queue, when LEADGEN_TRACKER_REDIS_URL names one."""
    url = settings.LEADGEN_TRACKER_REDIS_URL
    return _redis_queue(url) if url else None


def queues() -> list:
    """Every queue the writer drains: Redis first (if configured), then the database."""
    found = redis_queue()
    return [found, database] if found else [database]


def push_accepted() -> None:
    """Push what this process accepted into the Redis queue now (before writing it here)."""
    found = redis_queue()
    if found is not None:
        found.buffer.flush()

"""Cookieless visitor ids: a daily-rotating salted hash of IP and user agent (as Plausible does).

The salt of each UTC day is random and deleted after two days, so yesterday's ids cannot be
recomputed from today's data. With LEADGEN_TRACKER_COOKIE the id is a random first-party
cookie instead, stable across days.
"""

import datetime as dt
import hashlib
import secrets

from .models import TrackerSalt

COOKIE = "lg_vid"
KEEP_DAYS = 2
_salts: dict[dt.date, bytes] = {}


def daily_id(ip: str, user_agent: str, day: dt.date) -> str:
    """The visitor id of (IP, user agent) on `day`: 32 hex digits, another one tomorrow."""
    digest = hashlib.blake2b(
        f"{ip}\n{user_agent}".encode("utf-8", "replace"), key=salt(day), digest_size=16
    )
    return digest.hexdigest()


def new_cookie_id() -> str:
    """A fresh random id for the visitor cookie."""
    return secrets.token_hex(16)


def valid_cookie_id(value: str) -> bool:
    """Whether a cookie holds an id this tracker could have set (32 hex digits)."""
    return len(value) == 32 and all(c in "0123456789abcdef" for c in value)


def salt(day: dt.date) -> bytes:
    """The salt of `day`, created at its first use (one row per day, whoever races)."""
    try:
        return _salts[day]
    except KeyError:
        pass
    row, _ = TrackerSalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
    _salts.clear()
    _salts[day] = bytes.fromhex(row.salt)
    return _salts[day]


def forget_old_salts(today: dt.date) -> int:
    """Delete the salts older than KEEP_DAYS; how many went."""
    deleted, _ = TrackerSalt.objects.filter(day__lte=today - dt.timedelta(days=KEEP_DAYS)).delete()
    return deleted

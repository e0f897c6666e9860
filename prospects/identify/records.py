"""The IPResolution cache: which rows exist, which are due, and how long a result is kept."""

import datetime as dt
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from prospects.models import IPResolution, Visitor

# A positive answer is kept for its record TTL, within these bounds.
MIN_POSITIVE_TTL = dt.timedelta(days=1)
MAX_POSITIVE_TTL = dt.timedelta(days=30)
# NXDOMAIN and an empty answer are results too.
NEGATIVE_TTL = dt.timedelta(days=7)
# A timeout or SERVFAIL is not a result: retry after an hour, doubling up to a day.
FAILURE_TTL = dt.timedelta(hours=1)
MAX_FAILURE_TTL = dt.timedelta(days=1)
# Private addresses, hosting ranges and IP overrides need no DNS.
OFFLINE_TTL = dt.timedelta(days=30)
# A claimed row is left alone by other runs while its run renews the lease (a heartbeat every
# third of it); a run that died stops renewing, and its rows are due again one lease later.
# Leases stay far below FAILURE_TTL, the shortest expiry a written row gets, so a lease and a
# result are never confused.
MAX_LEASE = dt.timedelta(minutes=10)
T = TypeVar("T")


def lease() -> dt.timedelta:
    """How long a claim holds without a heartbeat (LEADGEN_DNS_LEASE_SECONDS, at most 10 min)."""
    return min(dt.timedelta(seconds=settings.LEADGEN_DNS_LEASE_SECONDS), MAX_LEASE)


def positive_ttl(ttl: int | None) -> dt.timedelta:
    """How long a PTR answer is trusted: its TTL clamped to 1 to 30 days."""
    seconds = dt.timedelta(seconds=ttl or 0)
    return min(max(seconds, MIN_POSITIVE_TTL), MAX_POSITIVE_TTL)


def failure_ttl(attempts: int) -> dt.timedelta:
    """Back-off after the n-th consecutive failure: 1 h, 2 h, 4 h ... up to a day."""
    return min(FAILURE_TTL * 2 ** max(attempts - 1, 0), MAX_FAILURE_TTL)


def create_missing_resolutions() -> int:
    """A pending IPResolution row for every unmasked visitor IP that has none; returns how many.

    One INSERT ... SELECT in the database (an ORM bulk_create of 10,000 rows costs seconds),
    with ON CONFLICT DO NOTHING so a concurrent run or override inserting the same IP is fine.
    """
    meta, visitors = IPResolution._meta, Visitor._meta
    quote = connection.ops.quote_name
    fields = [
        f
        for f in meta.concrete_fields
        if not f.primary_key and f.name != "ip" and not (f.null and f.get_default() is None)
    ]
    columns = ", ".join(quote(f.column) for f in [meta.get_field("ip"), *fields])
    values = ", ".join(["%s"] * len(fields))
    table, ip = quote(meta.db_table), quote(meta.get_field("ip").column)
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT d.ip, {values} FROM ("
        f"SELECT DISTINCT v.{ip} AS ip FROM {quote(visitors.db_table)} v WHERE v.ip_key = 0 "
        # A masked visitor's address is a prefix, not an address to look up (privacy.masking).
        f"AND NOT EXISTS "
        f"(SELECT 1 FROM {table} r WHERE r.{ip} = v.{ip})) d WHERE d.ip IS NOT NULL "
        "ON CONFLICT DO NOTHING"
    )
    params = [f.get_db_prep_save(f.get_default(), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def due_filter(now: dt.datetime) -> Q:
    """Rows to (re)resolve: never resolved, expired, or a lapsed lease."""
    return Q(expires_at__isnull=True) | Q(expires_at__lte=now)


def held_filter(now: dt.datetime) -> Q:
    """Rows some run holds now: a live lease (written rows expire later than any lease)."""
    return Q(expires_at__gt=now, expires_at__lte=now + lease())


def claim_due(size: int, now: dt.datetime) -> list[int]:
    """Claim up to `size` due rows for this run by pushing their expiry to a short lease.

    PostgreSQL: SKIP LOCKED lets concurrent runs take disjoint rows. SQLite: the IMMEDIATE
    transaction serialises the select-and-update, with the same effect.
    """
    with transaction.atomic():
        rows = IPResolution.objects.filter(due_filter(now)).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        ids = list(rows.values_list("pk", flat=True)[:size])
        IPResolution.objects.filter(pk__in=ids).update(expires_at=now + lease())
    return ids


def renew_lease(ids: list[int]) -> int:
    """The heartbeat: push the lease of these claimed rows that are not written yet."""
    now = timezone.now()
    return IPResolution.objects.filter(held_filter(now), pk__in=ids).update(
        expires_at=now + lease()
    )


def holding_lease(ids: list[int], work: Callable[[], T]) -> T:
    """Run `work` (no database access) in a thread while this thread renews the rows' lease.

    The heartbeat stays in the calling thread so it uses the run's own database connection.
    """
    beat = lease().total_seconds() / 3
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dns-lookups") as pool:
        future = pool.submit(work)
        while True:
            try:
                return future.result(timeout=beat)
            except TimeoutError:
                renew_lease(ids)


def wait_for_held_rows(deadline: float, poll: float = 0.25) -> bool:
    """Wait until no row is held by another run or `deadline` (monotonic) passes.

    Returns whether rows became due meanwhile (a dead run's lapsed lease, or a row coming due),
    so the caller claims them: a run that ends leaves nothing a dead run had claimed.
    """
    while time.monotonic() < deadline:
        now = timezone.now()
        if IPResolution.objects.filter(due_filter(now)).exists():
            return True
        if not IPResolution.objects.filter(held_filter(now)).exists():
            return False
        time.sleep(poll)
    return False


def write_rows(rows: list[IPResolution], field_names: list[str]) -> None:
    """Save these fields of many rows in one executemany of plain UPDATEs.

    Django's bulk_update builds one CASE expression per field and row, which costs about
    10 ms per row at this width; a prepared UPDATE per row costs microseconds. Values go
    through each field's own database conversion, so JSON and datetimes are stored as the
    ORM would store them.
    """
    if not rows:
        return
    meta = IPResolution._meta
    fields = [meta.get_field(name) for name in field_names]
    # Plain values go as they are; JSON and datetimes need the field's conversion.
    converted = [f.get_internal_type() in ("JSONField", "DateTimeField") for f in fields]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [
            f.get_db_prep_save(getattr(row, f.attname), connection)
            if convert
            else getattr(row, f.attname)
            for f, convert in zip(fields, converted, strict=True)
        ]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)

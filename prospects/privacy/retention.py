"""Retention: raw page views and visitors older than their windows are deleted in batches.

Each batch is its own short transaction of at most LEADGEN_RETENTION_BATCH rows, so a purge of
millions of rows never holds a long lock, and an interrupted purge simply goes on next time.
On PostgreSQL, page views are partitioned by month (visits.partitions): the months wholly
older than the window are detached and dropped, and rows are deleted only from the month the
cutoff falls in (and from the default partition). A window of 0 days keeps that data for ever.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from prospects.visits import partitions
from prospects.visits.models import PageView, Session, Visitor


@dataclass
class PurgeResult:
    """Rows deleted by one purge."""

    pageviews: int = 0
    sessions: int = 0
    visitors: int = 0
    # Month partitions of page views dropped whole (PostgreSQL); their rows are in `pageviews`.
    partitions: int = 0

    def as_dict(self) -> dict:
        """The counts as a JSON-ready dict."""
        return asdict(self)


def purge_expired(*, now: dt.datetime | None = None, batch: int | None = None) -> PurgeResult:
    """Delete page views and sessions past LEADGEN_RETENTION_PAGEVIEW_DAYS and visitors not
    seen for LEADGEN_RETENTION_VISITOR_DAYS (with all they hold), `batch` rows at a time."""
    now = now or timezone.now()
    batch = batch or settings.LEADGEN_RETENTION_BATCH
    result = PurgeResult()
    view_days = settings.LEADGEN_RETENTION_PAGEVIEW_DAYS
    if view_days:
        cutoff = now - dt.timedelta(days=view_days)
        # Old rows that sat in the default partition move to their month first, to go with it.
        partitions.ensure_partitions(now=now)
        result.partitions, result.pageviews = partitions.drop_before(cutoff)
        result.pageviews += _in_batches(PageView.objects.filter(ts__lt=cutoff), batch)
        result.sessions = _in_batches(Session.objects.filter(ended_at__lt=cutoff), batch)
    visitor_days = settings.LEADGEN_RETENTION_VISITOR_DAYS
    if visitor_days:
        cutoff = now - dt.timedelta(days=visitor_days)
        stale = Visitor.objects.filter(last_seen__lt=cutoff)
        for model, field in ((PageView, "pageviews"), (Session, "sessions")):
            rows = model.objects.filter(visitor__last_seen__lt=cutoff)
            setattr(result, field, getattr(result, field) + _in_batches(rows, batch))
        result.visitors = _in_batches(stale, batch)
    return result


def _in_batches(rows, batch: int) -> int:
    """Delete the rows of `rows` by primary key, `batch` per transaction; how many went."""
    deleted = 0
    while ids := list(rows.order_by("pk").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            # The filter again: on partitioned page views it keeps the delete to the months
            # that can hold the rows.
            _total, per_model = rows.filter(pk__in=ids).delete()
        deleted += per_model.get(rows.model._meta.label, 0)
    return deleted

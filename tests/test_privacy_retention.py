"""Retention: page views, sessions and visitors past their windows are purged in batches."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from prospects.models import PageView, Session, Visitor
from prospects.privacy.retention import purge_expired
from prospects.visits import partitions
from scoring.models import VisitorScore
from tests.crm_fixtures import model_version
from tests.factories import PageViewFactory, VisitorFactory
from tests.privacy_traces import traces

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
NOTHING = {"pageviews": 0, "sessions": 0, "visitors": 0, "partitions": 0}


def visitor_with_views(last_seen_days: int, view_days: list[int], now=NOW) -> Visitor:
    seen = now - dt.timedelta(days=last_seen_days)
    visitor = VisitorFactory(first_seen=seen, last_seen=seen)
    for days in view_days:
        moment = now - dt.timedelta(days=days)
        session = Session.objects.create(
            visitor=visitor, started_at=moment, ended_at=moment, pageview_count=1
        )
        PageViewFactory(visitor=visitor, session=session, ts=moment)
    return visitor


def test_old_views_go_and_stale_visitors_go_with_all_they_hold(settings):
    settings.LEADGEN_RETENTION_PAGEVIEW_DAYS = 30
    settings.LEADGEN_RETENTION_VISITOR_DAYS = 90
    recent = visitor_with_views(1, [1, 40, 60])
    stale = visitor_with_views(100, [100, 120])
    VisitorScore.objects.create(
        visitor=stale, model_version=model_version(), probability=0.2, scored_at=NOW
    )
    result = purge_expired(now=NOW, batch=2)
    # On PostgreSQL the views of February and April go with their month partitions.
    months = 2 if partitions.partitioned() else 0
    assert result.as_dict() == {"pageviews": 4, "sessions": 4, "visitors": 1, "partitions": months}
    assert list(PageView.objects.values_list("visitor_id", flat=True)) == [recent.pk]
    assert Session.objects.count() == 1
    assert traces([stale.ip], {Visitor: {stale.pk}}) == []
    assert purge_expired(now=NOW).as_dict() == NOTHING


def test_each_batch_is_bounded(settings):
    settings.LEADGEN_RETENTION_PAGEVIEW_DAYS = 30
    settings.LEADGEN_RETENTION_VISITOR_DAYS = 0
    # Seven views of May 1st, the month the cutoff (May 2nd) falls in: deleted row by row on
    # PostgreSQL too, since their month partition is not wholly past the window.
    visitor_with_views(1, [30 + n / 24 for n in range(1, 8)])
    with CaptureQueriesContext(connection) as queries:
        result = purge_expired(now=NOW, batch=3)
    assert (result.pageviews, result.partitions) == (7, 0)
    deletes = [q["sql"] for q in queries if q["sql"].startswith('DELETE FROM "prospects_pageview"')]
    # Seven old page views, three at most per statement: three deletes.
    assert len(deletes) == 3


def test_zero_days_keeps_data_for_ever(settings):
    settings.LEADGEN_RETENTION_PAGEVIEW_DAYS = 0
    settings.LEADGEN_RETENTION_VISITOR_DAYS = 0
    visitor_with_views(5000, [5000])
    assert purge_expired(now=NOW).as_dict() == NOTHING
    assert PageView.objects.count() == 1


def test_the_command_purges_with_the_settings_windows(settings):
    settings.LEADGEN_RETENTION_PAGEVIEW_DAYS = 30
    visitor_with_views(1, [1], now=timezone.now())
    PageViewFactory(visitor=Visitor.objects.get(), ts=timezone.now() - dt.timedelta(days=45))
    out = io.StringIO()
    call_command("purge_expired", stdout=out)
    assert out.getvalue().startswith("Purged 1 page views, 0 sessions and 0 visitors")

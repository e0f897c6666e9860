"""Visitor features as of T: right values, nothing at or after T, converts like everyone, five queries."""

import datetime as dt

import numpy as np
import pytest

from prospects.models import Visitor
from scoring.features import FEATURE_NAMES, build_features, build_snapshots
from tests.scoring_factories import START, ViewWriter, pages, population

pytestmark = pytest.mark.django_db


def visitor(n: int = 1, **fields) -> Visitor:
    return Visitor.objects.create(ip=f"192.0.2.{n}", user_agent="test", ua_hash=n, **fields)


LATER = START + dt.timedelta(days=30)


def features_of(v: Visitor, as_of: dt.datetime = LATER) -> dict[str, float]:
    table = build_features(as_of=as_of, visitors=Visitor.objects.filter(pk=v.pk))
    assert list(table.visitor_ids) == [v.pk]
    return dict(zip(table.names, table.X[0], strict=True))


def test_features_describe_the_behaviour():
    site = pages()
    v = visitor()
    writer = ViewWriter()
    writer.session(v, [site["home"], site["product"], site["pricing"]], START, "search", seconds=30)
    writer.session(v, [site["pricing"]], START + dt.timedelta(days=2), "campaign")
    writer.session(v, [site["docs"], site["premium"]], START + dt.timedelta(days=2, hours=3))
    writer.write()

    f = features_of(v)

    assert f["pageviews"] == 6
    assert f["sessions"] == 3 and f["return_visits"] == 2
    assert f["distinct_days"] == 2 and f["return_days"] == 1
    assert f["views_pricing"] == 2 and f["share_pricing"] == pytest.approx(2 / 6)
    assert f["views_premium"] == 1 and f["views_docs"] == 1 and f["views_blog"] == 0
    assert f["distinct_categories"] == 5
    assert f["time_home"] == 30 and f["time_pricing"] == 0  # the session's last page has no time
    assert f["pages_per_session"] == 2 and f["single_page_session_share"] == pytest.approx(1 / 3)
    assert f["deepest_funnel_stage"] == 4  # pricing is the differentiation stage
    assert f["source_search"] == pytest.approx(1 / 3) and f["source_campaign"] == pytest.approx(
        1 / 3
    )
    assert f["days_since_first_visit"] == pytest.approx(2 + 3 / 24)
    assert f["days_since_previous_visit"] == pytest.approx(3 / 24)
    # Recency is counted from the cutoff, not from the wall clock.
    assert f["days_since_last_visit"] == pytest.approx(30 - 2 - 3 / 24)


def test_a_hit_at_or_after_the_cutoff_never_reaches_its_row():
    site = pages()
    v = visitor()
    cutoff = START + dt.timedelta(days=1)
    writer = ViewWriter()
    writer.session(v, [site["home"], site["product"]], START, "search", seconds=60)
    # One session across the cutoff: two views before it, the third exactly at it.
    writer.session(
        v, [site["pricing"]] * 3, cutoff - dt.timedelta(seconds=120), "campaign", seconds=60
    )
    writer.session(v, [site["premium"]] * 4, cutoff + dt.timedelta(days=2))
    writer.write()

    f = features_of(v, as_of=cutoff)

    assert f["pageviews"] == 4 and f["views_pricing"] == 2 and f["views_premium"] == 0
    assert f["sessions"] == 2 and f["pages_per_session"] == 2
    assert f["single_page_session_share"] == 0  # the straddling session had two views by T
    # The second pricing view's time ends at T, known only from the hit at T: unknown.
    assert f["time_pricing"] == 60 and f["source_campaign"] == 0.5
    assert f["days_since_last_visit"] == pytest.approx(120 / 86400)
    later = features_of(v, as_of=cutoff + dt.timedelta(days=3))
    assert later["views_pricing"] == 3 and later["views_premium"] == 4


def test_a_converts_row_is_built_like_anyone_elses_and_later_hits_do_not_leak():
    """Two visitors with the same behaviour before T; one converts after T and keeps browsing."""
    site = pages()
    cutoff = START + dt.timedelta(days=1)
    converted_at = cutoff + dt.timedelta(days=2)
    stays, converts = visitor(1), visitor(2, converted_at=converted_at)
    writer = ViewWriter()
    for v in (stays, converts):
        writer.session(v, [site["home"], site["blog"]], START, "search")
        writer.session(v, [site["pricing"]], cutoff - dt.timedelta(hours=1), "campaign")
    writer.session(converts, [site["pricing"], site["goal"], site["docs"]], converted_at)
    writer.session(converts, [site["premium"]] * 3, converted_at + dt.timedelta(days=3))
    writer.write()

    table = build_features(as_of=cutoff)
    rows = {
        int(i): dict(zip(table.names, x, strict=True))
        for i, x in zip(table.visitor_ids, table.X, strict=True)
    }
    leaked = [n for n in FEATURE_NAMES if rows[stays.pk][n] != rows[converts.pk][n]]
    assert leaked == [], f"features that tell a convert from a non-convert: {leaked}"
    assert table.labels(30).tolist() == [0, 1] and table.labels(1).tolist() == [0, 0]
    # Once converted, a visitor has no row: the outcome is known.
    after = build_features(as_of=converted_at)
    assert after.visitor_ids.tolist() == [stays.pk]


def test_behaviour_just_before_the_cutoff_still_counts():
    site = pages()
    cutoff = START + dt.timedelta(hours=1)
    v = visitor()
    writer = ViewWriter()
    writer.session(v, [site["pricing"]], cutoff - dt.timedelta(seconds=1))
    writer.write()
    assert features_of(v, as_of=cutoff)["views_pricing"] == 1


def test_many_cutoffs_at_once_equal_one_at_a_time():
    population(80, seed=33)
    cutoffs = [START + dt.timedelta(hours=h) for h in (100, 20, 50, 200)]
    together = build_snapshots(cutoffs)
    for cutoff, table in zip(cutoffs, together, strict=True):
        alone = build_features(as_of=cutoff)
        assert table.as_of == cutoff
        assert np.array_equal(table.visitor_ids, alone.visitor_ids)
        assert np.allclose(table.X, alone.X)


def test_features_take_five_queries_whatever_the_visitors_and_cutoffs(django_assert_num_queries):
    population(60, seed=31)
    small_set = Visitor.objects.filter(
        pk__in=Visitor.objects.filter(converted_at__isnull=True).order_by("pk")[:5]
    )
    with django_assert_num_queries(5):
        small = build_features(as_of=LATER, visitors=small_set)
    population(200, seed=32)
    with django_assert_num_queries(5):
        everyone = build_features(as_of=LATER)
    with django_assert_num_queries(5):
        weekly = build_snapshots([LATER - dt.timedelta(days=7 * k) for k in range(20)])
    assert len(small) == 5
    assert everyone.X.shape[1] == len(FEATURE_NAMES) and np.isfinite(everyone.X).all()
    converted = Visitor.objects.filter(converted_at__lte=LATER).count()
    assert len(everyone) == 260 - converted and len(weekly) == 20


def test_a_visitor_without_page_views_gets_a_row_of_zeros():
    v = visitor(7)
    assert set(features_of(v).values()) == {0.0}

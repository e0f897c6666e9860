"""Visitor features: right values, nothing from the conversion page on, a fixed number of queries."""

import datetime as dt

import numpy as np
import pytest

from prospects.models import Visitor
from scoring.features import FEATURE_NAMES, build_features
from tests.scoring_factories import START, ViewWriter, pages, population

pytestmark = pytest.mark.django_db


def visitor(n: int = 1, **fields) -> Visitor:
    return Visitor.objects.create(ip=f"192.0.2.{n}", user_agent="test", ua_hash=n, **fields)


def features_of(v: Visitor) -> dict[str, float]:
    table = build_features(Visitor.objects.filter(pk=v.pk))
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


def test_nothing_from_the_conversion_page_on_reaches_the_features():
    """Two converts with the same behaviour before converting; one kept browsing afterwards."""
    site = pages()
    converted_at = START + dt.timedelta(days=1)
    stopped, kept_going = (
        visitor(1, converted_at=converted_at),
        visitor(2, converted_at=converted_at),
    )
    writer = ViewWriter()
    for v in (stopped, kept_going):
        writer.session(v, [site["home"], site["blog"]], START, "search")
    # The converting session: a pricing view, then the goal hit one minute later...
    just_before = converted_at - dt.timedelta(seconds=60)
    writer.session(stopped, [site["pricing"]], just_before, "campaign")
    # ...and for the second visitor more of the same session and a later return.
    writer.session(
        kept_going,
        [site["pricing"], site["goal"], site["docs"], site["pricing"]],
        just_before,
        "campaign",
    )
    writer.session(
        kept_going, [site["pricing"], site["premium"]] * 3, converted_at + dt.timedelta(days=3)
    )
    writer.write()

    before, after = features_of(stopped), features_of(kept_going)

    assert before["views_pricing"] == 1 and before["sessions"] == 2
    leaked = [name for name in FEATURE_NAMES if after[name] != before[name]]
    assert leaked == [], f"features computed from behaviour at or after conversion: {leaked}"
    assert after["views_pricing"] == 1 and after["pages_per_session"] == 1.5


def test_behaviour_just_before_conversion_still_counts():
    site = pages()
    converted_at = START + dt.timedelta(hours=1)
    v = visitor(converted_at=converted_at)
    writer = ViewWriter()
    writer.session(v, [site["pricing"]], converted_at - dt.timedelta(seconds=1))
    writer.write()
    assert features_of(v)["views_pricing"] == 1


def test_features_take_four_queries_whatever_the_number_of_visitors(django_assert_num_queries):
    population(60, seed=31)
    with django_assert_num_queries(4):
        small = build_features(Visitor.objects.filter(pk__in=Visitor.objects.order_by("pk")[:5]))
    population(200, seed=32)
    with django_assert_num_queries(4):
        everyone = build_features()
    assert len(small) == 5 and len(everyone) == 260
    assert everyone.X.shape == (260, len(FEATURE_NAMES)) and np.isfinite(everyone.X).all()


def test_a_visitor_without_page_views_gets_a_row_of_zeros():
    v = visitor(7)
    assert set(features_of(v).values()) == {0.0}

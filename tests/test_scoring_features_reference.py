"""The feature table equals a plain-Python reading of the page views, bit for bit.

The production code computes features with set-based SQL and numpy; here the same rule is
written out visitor by visitor over the ORM rows (hits strictly before T, time on a page known
only when the next hit came before T, sessions counted by their views before T, recency from
T, no row for a visitor converted by T), and every cell must be exactly equal, on the scoring
cutoff, on the weekly training cutoffs built together, and on a scoped set of visitors.
"""

import datetime as dt
from collections import defaultdict

import numpy as np
import pytest

from prospects.models import Page, PageView, Session, Visitor
from prospects.visits.choices import FUNNEL_ORDER
from scoring.feature_queries import FORM
from scoring.features import CATEGORIES, FEATURE_NAMES, SOURCES, build_features, build_snapshots
from scoring.snapshots import scoring_cutoff, training_cutoffs
from tests.scoring_factories import START, ViewWriter, pages, population

pytestmark = pytest.mark.django_db

DAY = 86400.0
EDGE = START + dt.timedelta(days=40, hours=5)


def reference_features(as_of: dt.datetime, visitor_ids=None) -> tuple[list[int], np.ndarray]:
    """Feature rows as of T, computed one visitor at a time from the stored rows."""
    people = Visitor.objects.order_by("pk")
    if visitor_ids is not None:
        people = people.filter(pk__in=visitor_ids)
    page_of = {p.pk: p for p in Page.objects.all()}
    views, sessions, session_views = defaultdict(list), defaultdict(list), defaultdict(int)
    for view in PageView.objects.filter(ts__lt=as_of):
        if view.session_id is not None:
            session_views[view.session_id] += 1  # every page counts in a session, forms too
        if page_of[view.page_id].category != FORM:
            views[view.visitor_id].append(view)
    for session in Session.objects.filter(started_at__lt=as_of):
        sessions[session.visitor_id].append(session)
    ids, rows = [], []
    for person in people:
        if person.converted_at is not None and person.converted_at <= as_of:
            continue
        ids.append(person.pk)
        row = _page_view_features(views[person.pk], page_of, as_of)
        row.update(_session_features(sessions[person.pk], session_views, row["pageviews"], as_of))
        rows.append([row[name] for name in FEATURE_NAMES])
    return ids, np.array(rows, dtype=float).reshape(len(ids), len(FEATURE_NAMES))


def _page_view_features(views, page_of, as_of) -> dict[str, float]:
    count, seconds, timed = defaultdict(int), defaultdict(int), defaultdict(int)
    deepest = 0
    for view in views:
        page = page_of[view.page_id]
        count[page.category] += 1
        deepest = max(deepest, FUNNEL_ORDER.index(page.funnel_stage) + 1)
        ends = view.ts + dt.timedelta(seconds=view.time_on_page or 0)
        if view.time_on_page is not None and ends < as_of:
            seconds[page.category] += view.time_on_page
            timed[page.category] += 1
    total = sum(count.values())
    row = {
        "pageviews": float(total),
        "distinct_categories": float(sum(1 for c in CATEGORIES if count[c])),
        "deepest_funnel_stage": float(deepest),
        "mean_time_on_page": (
            sum(seconds.values()) / sum(timed.values()) if sum(timed.values()) else 0.0
        ),
    }
    for c in CATEGORIES:
        row[f"views_{c}"] = float(count[c])
        row[f"share_{c}"] = count[c] / total if total else 0.0
        row[f"time_{c}"] = seconds[c] / timed[c] if timed[c] else 0.0
    return row


def _session_features(sessions, session_views, pageviews, as_of) -> dict[str, float]:
    starts = sorted(s.started_at.timestamp() for s in sessions)
    n = len(sessions)
    days = {np.floor(t / DAY) for t in starts}
    single = sum(1 for s in sessions if session_views[s.pk] == 1)
    row = {
        "sessions": float(n),
        "return_visits": float(max(n - 1, 0)),
        "distinct_days": float(len(days)),
        "return_days": float(max(len(days) - 1, 0)),
        "pages_per_session": pageviews / n if n else pageviews,
        "single_page_session_share": single / n if n else 0.0,
        "days_since_first_visit": (starts[-1] - starts[0]) / DAY if n else 0.0,
        "days_since_previous_visit": (starts[-1] - starts[-2]) / DAY if n > 1 else 0.0,
        "days_since_last_visit": max(as_of.timestamp() - starts[-1], 0) / DAY if n else 0.0,
    }
    for source in SOURCES:
        row[f"source_{source}"] = (
            sum(1 for s in sessions if s.source_type == source) / n if n else 0.0
        )
    return row


@pytest.fixture
def site_with_edges():
    """Three archetypes over sixteen weeks, plus visitors on the edges of the window rule."""
    population(150, seed=41)
    site = pages()
    other = Page.objects.create(path="/misc", category="other", funnel_stage="awareness")
    edge = Visitor.objects.create(ip="192.0.2.50", user_agent="edge", ua_hash=50)
    loose = Visitor.objects.create(ip="192.0.2.51", user_agent="loose", ua_hash=51)
    writer = ViewWriter()
    # Across EDGE: views before it, one whose time ends exactly at it, one at it, one after.
    writer.session(
        edge,
        [site["pricing"], site["product"], site["goal"], site["docs"], site["pricing"]],
        EDGE - dt.timedelta(seconds=180),
        "partner",
    )
    writer.session(edge, [other, site["blog"]], EDGE - dt.timedelta(days=3), "social", seconds=17)
    writer.session(edge, [site["jobs"]], EDGE - dt.timedelta(days=3, hours=5), "internal")
    writer.write()
    # A page view outside any session, and a session of forms only.
    PageView.objects.create(
        visitor=loose,
        page=site["premium"],
        ts=EDGE - dt.timedelta(days=1),
        status=200,
        time_on_page=None,
        line_hash=9_000_001,
    )
    forms = ViewWriter()
    forms.session(loose, [site["goal"]], EDGE - dt.timedelta(days=2), "campaign")
    forms.write()


def assert_same(table, ids, expected):
    assert table.visitor_ids.tolist() == ids
    assert table.names == FEATURE_NAMES
    differ = [
        name
        for j, name in enumerate(FEATURE_NAMES)
        if not np.array_equal(table.X[:, j], expected[:, j])
    ]
    assert differ == [], f"features unlike the plain reading at {table.as_of}: {differ}"


def test_scoring_features_equal_the_plain_reading(site_with_edges):
    cutoff = scoring_cutoff()
    table = build_features(as_of=cutoff)
    assert_same(table, *reference_features(cutoff))
    assert len(table) > 100


def test_training_snapshots_built_together_equal_the_plain_reading(site_with_edges):
    cutoffs = [EDGE, *training_cutoffs(30)]
    assert len(cutoffs) >= 6
    for cutoff, table in zip(cutoffs, build_snapshots(cutoffs), strict=True):
        assert_same(table, *reference_features(cutoff))


def test_a_scoped_set_of_visitors_equals_the_plain_reading(site_with_edges):
    chosen = list(Visitor.objects.order_by("-pk").values_list("pk", flat=True)[:40])
    table = build_features(as_of=EDGE, visitors=Visitor.objects.filter(pk__in=chosen))
    assert_same(table, *reference_features(EDGE, chosen))

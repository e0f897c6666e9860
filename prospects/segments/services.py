"""Writes: re-cluster visitors and companies into segments, and rename a segment."""

import datetime as dt
import time

import numpy as np
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from leadgen.db import insert_many
from prospects.identify.exclusions import BOT
from prospects.models import Session, Visitor
from prospects.roles import ADMIN, require_role
from prospects.segments import clustering
from prospects.segments.models import CompanySegment, Segment, Segmentation, VisitorSegment
from prospects.visits.choices import Category
from scoring.features import build_features
from scoring.meaning import horizon_days
from scoring.snapshots import scoring_cutoff

# Fewer visitors than this give no segments worth naming.
MIN_VISITORS = 30
TREND_WEEKS = 8
WEEK = 7 * 86400


def segment_visitors(*, now: dt.datetime | None = None) -> Segmentation | None:
    """Cluster every human visitor with page views, and each company by its visitors.

    Idempotent: the same data give the same segments, and a segment found again keeps its row
    and its admin's name. None when there are too few visitors to cluster.
    """
    started = time.perf_counter()
    people = Visitor.objects.filter(bot_rule="").exclude(excluded_reason=BOT)
    cutoff = scoring_cutoff()
    if cutoff is None:
        return None
    # Everyone as of the newest hit, converts included: segments describe, they do not predict.
    table = build_features(as_of=cutoff, visitors=people, keep_converted=True)
    keep = table.column("pageviews") > 0 if len(table) else np.zeros(0, bool)
    ids, X = table.visitor_ids[keep], table.X[keep]
    if len(ids) < MIN_VISITORS:
        return None
    found = clustering.cluster(X, table.names)
    facts = _visitor_facts(people, ids)
    now = now or timezone.now()
    stats = _segment_stats(found, ids, X, table.names, facts, now)
    with transaction.atomic():
        segments = _save_segments(found, stats, now)
        pks = np.array([s.pk for s in segments], dtype=np.int64)
        _rewrite_links(
            VisitorSegment, "visitor_id", zip(ids.tolist(), pks[found.labels].tolist(), strict=True)
        )
        _rewrite_links(
            CompanySegment,
            "company_id",
            ((company, int(pks[c])) for company, c in stats["company_segments"].items()),
        )
        return Segmentation.objects.create(
            clustered_at=now,
            visitors=len(ids),
            k=found.k,
            bic={str(k): round(v, 1) for k, v in found.bic.items()},
            seconds=round(time.perf_counter() - started, 2),
        )


def _rewrite_links(model, key: str, pairs) -> None:
    """Replace every row of a link table with these (key, segment id) pairs, written with the
    driver: as model instances, 100,000 visitors' links cost seconds of CPU in the ORM's
    __init__ alone (3,000,000 page views in bench/insights.py) for rows of two integers."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")
        insert_many(
            cursor, f"INSERT INTO {table} ({key}, segment_id) VALUES", "%s, %s", list(pairs)
        )


def rename_segment(*, segment: Segment, name: str, user) -> Segment:
    """Give a segment an admin's name (blank: back to the automatic one); admins only."""
    require_role(user, ADMIN)
    name = " ".join((name or "").split())
    if len(name) > 80:
        raise ValidationError("A segment name has at most 80 characters.")
    with transaction.atomic():
        segment = Segment.objects.select_for_update().get(pk=segment.pk)
        segment.custom_name = name
        segment.save(update_fields=["custom_name"])
    return segment


def _visitor_facts(people, ids: np.ndarray) -> dict:
    """First visit, conversion (epoch seconds, NaN when none) and company of each of `ids`."""
    rows = list(
        people.order_by("id").values_list(
            "id", "first_seen", "converted_at", "company_id", "last_seen"
        )
    )
    at = np.searchsorted(np.array([r[0] for r in rows], dtype=np.int64), ids)
    rows = [rows[i] for i in at]

    def epoch(value):
        return value.timestamp() if value else np.nan

    first = np.array([epoch(r[1]) for r in rows])
    seen = [r[4] for r in rows if r[4]]
    return {
        "first": first,
        "converted": np.array([epoch(r[2]) for r in rows]),
        "company": np.array([r[3] or 0 for r in rows], dtype=np.int64),
        "newest": max(seen) if seen else None,
    }


def _segment_stats(found, ids, X, names, facts, now) -> dict:
    """Size, conversion within the horizon, typical content, weekly trend, companies."""
    k, labels = found.k, found.labels
    horizon = horizon_days() * 86400
    observed = facts["first"] <= now.timestamp() - horizon
    converted = observed & (facts["converted"] - facts["first"] <= horizon)
    views = [n for n in names if n.startswith("views_")]
    by_category = np.array([np.bincount(labels, X[:, names.index(n)], k) for n in views]).T
    typical = []
    for row in by_category:
        total = row.sum() or 1.0
        top = np.argsort(-row, kind="stable")[:3]
        typical.append(
            [[Category(views[i][6:]).label, round(row[i] / total, 3)] for i in top if row[i] > 0]
        )
    pageviews = X[:, names.index("pageviews")]
    return {
        "size": np.bincount(labels, minlength=k),
        "observed": np.bincount(labels, observed, k).astype(int),
        "converted": np.bincount(labels, converted, k).astype(int),
        "typical": typical,
        # Ending at the newest visit when the logs stop short of today (an old import, the demo).
        "trend": _trend(ids, labels, k, min(now, facts["newest"] or now)),
        "company_segments": _company_segments(labels, k, facts["company"], pageviews),
    }


def _trend(ids: np.ndarray, labels: np.ndarray, k: int, now: dt.datetime) -> list[list]:
    """Per cluster, [week start, distinct visitors with a session that week] for recent weeks."""
    start = now - dt.timedelta(weeks=TREND_WEEKS)
    rows = Session.objects.filter(started_at__gte=start, started_at__lt=now).values_list(
        "visitor_id", "started_at"
    )
    visitor = np.fromiter((r[0] for r in rows), dtype=np.int64)
    seconds = np.fromiter((r[1].timestamp() for r in rows), dtype=float)
    at = np.clip(np.searchsorted(ids, visitor), 0, len(ids) - 1)
    known = ids[at] == visitor
    week = ((seconds[known] - start.timestamp()) // WEEK).astype(np.int64)
    # Each (week, visitor) once, then counted by (cluster, week).
    pairs = np.unique(week * (int(ids.max()) + 1) + visitor[known])
    week, row = pairs // (int(ids.max()) + 1), np.searchsorted(ids, pairs % (int(ids.max()) + 1))
    counts = np.bincount(labels[row] * TREND_WEEKS + week, minlength=k * TREND_WEEKS)
    weeks = [(start + dt.timedelta(weeks=w)).date().isoformat() for w in range(TREND_WEEKS)]
    return [
        [[weeks[w], int(n)] for w, n in enumerate(counts[c * TREND_WEEKS : (c + 1) * TREND_WEEKS])]
        for c in range(k)
    ]


def _company_segments(labels, k, company, weights) -> dict[int, int]:
    """{company id: cluster} by the cluster holding most of the company's page views."""
    has = company > 0
    if not has.any():
        return {}
    companies, row = np.unique(company[has], return_inverse=True)
    votes = np.bincount(row * k + labels[has], weights[has], len(companies) * k)
    best = votes.reshape(len(companies), k).argmax(axis=1)
    return dict(zip(companies.tolist(), best.tolist(), strict=True))


def _save_segments(found, stats, now) -> list[Segment]:
    """The rows of this run's clusters: old segments found again are updated, others retired."""
    old = list(Segment.objects.select_for_update().filter(active=True).order_by("id"))
    matched = clustering.match(found, [s.centroid for s in old])
    names = clustering.unique_names([clustering.name(z, found.columns) for z in found.z])
    companies = np.bincount(list(stats["company_segments"].values()), minlength=found.k)
    rows = []
    for c in range(found.k):
        segment = old[matched[c]] if c in matched else Segment()
        segment.auto_name = names[c]
        segment.active = True
        segment.centroid = found.centroids[c]
        segment.size = int(stats["size"][c])
        segment.companies = int(companies[c])
        segment.observed = int(stats["observed"][c])
        segment.converted = int(stats["converted"][c])
        segment.typical_content = stats["typical"][c]
        segment.trend = stats["trend"][c]
        segment.clustered_at = now
        segment.save()
        rows.append(segment)
    kept = {s.pk for s in rows}
    Segment.objects.filter(active=True).exclude(pk__in=kept).update(active=False)
    return rows

"""Weekly snapshots: cutoffs with closed windows, rows from before T, labels in (T, T + H]."""

import datetime as dt
import itertools

import numpy as np
import pytest
from django.db.models import Max, Min

from prospects.models import PageView, Visitor
from scoring.snapshots import MIN_HISTORY, WEEK, scoring_cutoff, training_snapshots
from scoring.training import grouped_folds, sample_visitors
from tests.scoring_factories import population

pytestmark = pytest.mark.django_db


def test_cutoffs_are_weekly_and_each_window_has_closed_by_the_newest_hit():
    population(300, seed=51)
    hits = PageView.objects.aggregate(oldest=Min("ts"), newest=Max("ts"))

    snapshots = training_snapshots(30)

    cutoffs = snapshots.cutoffs
    assert len(cutoffs) >= 8
    assert all(a - b == WEEK for a, b in itertools.pairwise(cutoffs))
    assert all(c + dt.timedelta(days=30) <= hits["newest"] for c in cutoffs)
    assert all(c - hits["oldest"] >= MIN_HISTORY for c in cutoffs)
    assert cutoffs[0] > hits["newest"] - dt.timedelta(days=31)
    # Scoring is as of the newest hit, which therefore counts.
    assert scoring_cutoff() == hits["newest"] + dt.timedelta(seconds=1)


def test_each_snapshot_holds_who_had_come_and_not_converted_labelled_by_the_next_h_days():
    population(300, seed=52)
    snapshots = training_snapshots(30)
    first_hit = dict(
        PageView.objects.values("visitor_id").annotate(t=Min("ts")).values_list("visitor_id", "t")
    )
    converted = dict(Visitor.objects.values_list("pk", "converted_at"))
    for cutoff in snapshots.cutoffs:
        rows = snapshots.rows_at(cutoff)
        ids = snapshots.visitor_ids[rows].tolist()
        expected = sorted(
            pk
            for pk, t in first_hit.items()
            if t < cutoff and (converted[pk] is None or converted[pk] > cutoff)
        )
        assert ids == expected
        labels = [
            int(converted[pk] is not None and converted[pk] <= cutoff + dt.timedelta(days=30))
            for pk in ids
        ]
        assert snapshots.y[rows].tolist() == labels
    assert snapshots.y.sum() >= 30


def test_grouped_folds_never_put_a_visitor_on_both_sides():
    population(300, seed=53)
    snapshots = training_snapshots(30)
    groups = snapshots.visitor_ids
    assert len(np.unique(groups)) < len(groups)  # visitors do recur across cutoffs

    folds = grouped_folds(snapshots.y, groups, 3)

    covered = np.concatenate([test for _, test in folds])
    assert sorted(covered.tolist()) == list(range(len(groups)))
    for train, test in folds:
        assert not set(groups[train].tolist()) & set(groups[test].tolist())
        assert snapshots.y[test].sum() >= snapshots.y.sum() // 5  # converts in every fold


def test_a_large_site_trains_on_whole_visitors_sampled_uniformly():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(50_000), rng.integers(1, 9, 50_000))

    rows = sample_visitors(groups, max_rows=60_000)

    assert 50_000 < len(rows) < 70_000
    kept = np.unique(groups[rows])
    # Every kept visitor keeps all their rows; nobody is cut in half.
    assert len(rows) == np.isin(groups, kept).sum()
    assert np.array_equal(sample_visitors(groups[:1000], max_rows=60_000), np.arange(1000))

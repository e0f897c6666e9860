"""Weekly as-of snapshots: what each visitor had done by a cutoff T, and whether they converted
in the H days after it.

A snapshot's label window (T, T + H] must have closed by the newest hit, so every cutoff is at
least H days before it; cutoffs step back a week at a time while there is a week of behaviour
before them. Scoring uses one more cutoff: just after the newest hit (not the wall clock), so a
score means "the chance of converting within H days of the latest data".
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db.models import Max, Min

from prospects.models import PageView

from .features import FeatureTable, build_features, build_snapshots
from .meaning import horizon_days

WEEK = dt.timedelta(days=7)
# A cutoff needs this much behaviour before it to describe anyone.
MIN_HISTORY = dt.timedelta(days=7)
# Half a year of weekly snapshots is plenty; older behaviour describes another market.
MAX_SNAPSHOTS = 26
# The scoring cutoff sits just after the newest hit, so that hit counts ("strictly before T").
AFTER_NEWEST = dt.timedelta(seconds=1)


def hit_range() -> tuple[dt.datetime | None, dt.datetime | None]:
    """The oldest and the newest page view's time (None, None without page views)."""
    # Two queries: SQLite reads a lone MIN or MAX off the index, both at once scan the table.
    oldest = PageView.objects.aggregate(oldest=Min("ts"))["oldest"]
    newest = PageView.objects.aggregate(newest=Max("ts"))["newest"]
    return oldest, newest


def scoring_cutoff() -> dt.datetime | None:
    """The as-of time of today's scores: just after the newest page view."""
    _, newest = hit_range()
    return None if newest is None else newest + AFTER_NEWEST


def scoring_features(visitors=None) -> FeatureTable | None:
    """Features as of the scoring cutoff (None when there is no page view at all)."""
    cutoff = scoring_cutoff()
    return None if cutoff is None else build_features(as_of=cutoff, visitors=visitors)


def training_cutoffs(horizon: int | None = None) -> list[dt.datetime]:
    """Weekly cutoffs whose label window has closed, newest first."""
    horizon = horizon_days() if horizon is None else horizon
    oldest, newest = hit_range()
    if newest is None:
        return []
    # Whole seconds: SQLite compares computed times in epoch seconds.
    first = (newest - dt.timedelta(days=horizon)).replace(microsecond=0)
    cutoffs = []
    while len(cutoffs) < MAX_SNAPSHOTS:
        cutoff = first - WEEK * len(cutoffs)
        if cutoff - oldest < MIN_HISTORY:
            break
        cutoffs.append(cutoff)
    return cutoffs


@dataclass
class Snapshots:
    """Rows of every snapshot stacked: features, labels, the visitor (group) and the cutoff."""

    horizon: int
    cutoffs: list[dt.datetime]
    X: np.ndarray
    y: np.ndarray
    visitor_ids: np.ndarray
    cutoff_index: np.ndarray
    names: list[str]

    def rows_at(self, cutoff: dt.datetime) -> np.ndarray:
        """Row numbers of one cutoff's snapshot."""
        return np.flatnonzero(self.cutoff_index == self.cutoffs.index(cutoff))

    def rows_closed_by(self, moment: dt.datetime) -> np.ndarray:
        """Row numbers of the snapshots whose label window had closed by `moment`."""
        closed = [
            i for i, c in enumerate(self.cutoffs) if c + dt.timedelta(days=self.horizon) <= moment
        ]
        return np.flatnonzero(np.isin(self.cutoff_index, closed))

    def __len__(self) -> int:
        return len(self.y)


def training_snapshots(horizon: int | None = None, visitors=None) -> Snapshots:
    """Every closed weekly snapshot's rows (visitors with a page view before the cutoff)."""
    horizon = horizon_days() if horizon is None else horizon
    cutoffs = training_cutoffs(horizon)
    tables = build_snapshots(cutoffs, visitors=visitors) if cutoffs else []
    parts = []
    for i, table in enumerate(tables):
        # Someone who had not come yet has no behaviour to learn from.
        seen = table.column("pageviews") > 0
        parts.append(
            (table.X[seen], table.labels(horizon)[seen], table.visitor_ids[seen], i, seen.sum())
        )
    names = tables[0].names if tables else []
    if not parts:
        return Snapshots(
            horizon,
            cutoffs,
            np.zeros((0, len(names))),
            np.zeros(0, int),
            np.zeros(0, np.int64),
            np.zeros(0, int),
            names,
        )
    return Snapshots(
        horizon=horizon,
        cutoffs=cutoffs,
        X=np.vstack([p[0] for p in parts]),
        y=np.concatenate([p[1] for p in parts]).astype(int),
        visitor_ids=np.concatenate([p[2] for p in parts]),
        cutoff_index=np.concatenate([np.full(p[4], p[3]) for p in parts]),
        names=names,
    )

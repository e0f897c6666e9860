"""Journeys as column arrays: who converted when, and the touches before it.

A journey is one visitor's (or one company's) history inside the look-back window that ends at
its conversion (or, for those who did not convert, at their last visit). A touch is one labelled
moment of it: a page view (labelled by its content category or page), a session (by its source
or campaign) or an outreach touchpoint. Arrays, not objects, so a hundred thousand journeys
and millions of touches are sorted and grouped by numpy.
"""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Journeys:
    """One row per journey: when its window ends and whether it ends in a conversion."""

    end: np.ndarray  # epoch seconds (float)
    converted: np.ndarray  # bool
    # A stratum per journey for the exposed/unexposed comparison (engagement band), 0 … k-1.
    stratum: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.end)


@dataclass(frozen=True)
class Touches:
    """Touches sorted by journey, then time; `label` indexes `labels`."""

    journey: np.ndarray  # int64
    t: np.ndarray  # epoch seconds (float)
    label: np.ndarray  # int64
    # A direct (or internal) visit: skipped by "last non-direct" when the journey has another.
    direct: np.ndarray  # bool
    labels: list[str]

    def __len__(self) -> int:
        return len(self.journey)

    def take(self, keep: np.ndarray) -> "Touches":
        """The touches where `keep` is true (order kept)."""
        return Touches(
            self.journey[keep], self.t[keep], self.label[keep], self.direct[keep], self.labels
        )


def make_touches(journey, t, label, direct, labels) -> Touches:
    """Touches from unsorted columns, sorted by (journey, time), ties kept in input order."""
    journey = np.asarray(journey, dtype=np.int64)
    t = np.asarray(t, dtype=float)
    order = np.lexsort((t, journey))
    return Touches(
        journey[order],
        t[order],
        np.asarray(label, dtype=np.int64)[order],
        np.asarray(direct, dtype=bool)[order],
        list(labels),
    )


def in_window(touches: Touches, journeys: Journeys, lookback_seconds: float, *, inclusive=False):
    """The touches inside their journey's look-back window: after end - lookback and before the
    end (at it too when `inclusive`: a session that starts with the conversion led to it)."""
    end = journeys.end[touches.journey]
    before = touches.t <= end if inclusive else touches.t < end
    return touches.take(before & (touches.t >= end - lookback_seconds))


def groups(journey: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For journey-sorted touches: each touch's group number, the groups' first index and size."""
    if not len(journey):
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    starts = np.r_[True, journey[1:] != journey[:-1]]
    first = np.flatnonzero(starts)
    size = np.diff(np.r_[first, len(journey)])
    return np.cumsum(starts) - 1, first, size


def strata_by_engagement(counts: np.ndarray, bands: int = 10) -> np.ndarray:
    """Band numbers 0 … bands-1 by quantile of `counts` (ties share a band)."""
    if not len(counts):
        return np.zeros(0, dtype=np.int64)
    edges = np.unique(np.quantile(counts, np.linspace(0, 1, bands + 1)[1:-1]))
    return np.searchsorted(edges, counts, side="left").astype(np.int64)

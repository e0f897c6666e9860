"""Rule-based attribution: how each model splits one conversion among its journey's touches.

Each function takes the touches of converting journeys only (sorted by journey, then time) and
returns one weight per touch; a journey's weights sum to 1, so summing them by label gives the
conversions each label is credited with.
"""

import numpy as np

from prospects.attribution.journeys import Touches, groups

RULE_MODELS = (
    ("first", "First touch"),
    ("last", "Last touch"),
    ("last_non_direct", "Last non-direct"),
    ("linear", "Linear"),
    ("time_decay", "Time decay"),
    ("position", "Position-based 40/20/40"),
)
MARKOV = ("markov", "Data-driven (Markov removal)")
MODELS = (*RULE_MODELS, MARKOV)


def first_touch(touches: Touches) -> np.ndarray:
    """All credit to each journey's first touch."""
    g, first, _size = groups(touches.journey)
    return (np.arange(len(touches)) == first[g]).astype(float)


def last_touch(touches: Touches) -> np.ndarray:
    """All credit to each journey's last touch."""
    g, first, size = groups(touches.journey)
    return (np.arange(len(touches)) == first[g] + size[g] - 1).astype(float)


def last_non_direct(touches: Touches) -> np.ndarray:
    """All credit to the last touch that is not a direct visit; the last touch when all are."""
    g, first, size = groups(touches.journey)
    index = np.arange(len(touches))
    if not len(touches):
        return np.zeros(0)
    candidate = np.maximum.reduceat(np.where(touches.direct, -1, index), first)
    chosen = np.where(candidate >= 0, candidate, first + size - 1)
    return (index == chosen[g]).astype(float)


def linear(touches: Touches) -> np.ndarray:
    """Equal shares to every touch of a journey."""
    g, _first, size = groups(touches.journey)
    return 1.0 / size[g] if len(touches) else np.zeros(0)


def time_decay(touches: Touches, end: np.ndarray, half_life_seconds: float) -> np.ndarray:
    """Shares halving with every half-life between the touch and its journey's conversion."""
    g, first, _size = groups(touches.journey)
    if not len(touches):
        return np.zeros(0)
    age = np.maximum(end[touches.journey] - touches.t, 0.0)
    raw = np.exp2(-age / half_life_seconds)
    return raw / np.add.reduceat(raw, first)[g]


def position_based(touches: Touches) -> np.ndarray:
    """40% to the first touch, 40% to the last, 20% split among those between.

    One touch takes everything; two share half each (no middle to give 20% to).
    """
    g, first, size = groups(touches.journey)
    if not len(touches):
        return np.zeros(0)
    n = size[g].astype(float)
    pos = np.arange(len(touches)) - first[g]
    ends = (pos == 0) | (pos == size[g] - 1)
    middle = np.where(n > 2, 0.2 / np.maximum(n - 2, 1), 0.0)
    weight = np.where(ends, np.where(n > 2, 0.4, 1.0 / n), middle)
    return weight


def rule_weights(touches: Touches, end: np.ndarray, half_life_seconds: float) -> dict:
    """{model key: per-touch weights} for every rule-based model."""
    return {
        "first": first_touch(touches),
        "last": last_touch(touches),
        "last_non_direct": last_non_direct(touches),
        "linear": linear(touches),
        "time_decay": time_decay(touches, end, half_life_seconds),
        "position": position_based(touches),
    }

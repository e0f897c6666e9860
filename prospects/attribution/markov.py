"""Data-driven attribution: the removal effect of each label in a first-order Markov chain.

States are a start, one per label, and two absorbing ends (conversion, no conversion). Every
journey, converted or not, is a path start → its touches' labels → an end; transition counts
give the chain. With the transient part Q, N = (I - Q)⁻¹ gives each state's chance x of ending
in a conversion and the chance h of ever reaching state s from the start (N[start, s] /
N[s, s]). Removing s (its visitors go nowhere) leaves the conversions that avoid it:
p - h_s·x_s. Its removal effect is the share of conversions lost, h_s·x_s / p, and each
label's credit is its effect over the sum of all effects. Solved exactly, not simulated.
"""

import numpy as np
from scipy import sparse

from prospects.attribution.journeys import Touches, groups


def transition_codes(touches: Touches, converted: np.ndarray, n_labels: int):
    """(journey, from·S + to) of every transition of every journey, S = n_labels + 3.

    State 0 is the start, 1 … n_labels the labels, then conversion and no conversion. A
    journey without touches goes straight from the start to its end.
    """
    size = n_labels + 3
    conv_state, null_state = n_labels + 1, n_labels + 2
    n = len(converted)
    ending = np.where(converted, conv_state, null_state)
    _g, first, count = groups(touches.journey)
    state = touches.label + 1
    previous = np.r_[0, state[:-1]]
    previous[first] = 0
    with_touches = np.zeros(n, dtype=bool)
    with_touches[touches.journey[first]] = True
    last_state = np.zeros(n, dtype=np.int64)
    last_state[touches.journey[first + count - 1]] = state[first + count - 1]
    journeys = np.r_[touches.journey, np.arange(n)]
    codes = np.r_[previous * size + state, np.where(with_touches, last_state, 0) * size + ending]
    return journeys, codes, size


def transition_counts(touches: Touches, converted: np.ndarray, n_labels: int) -> np.ndarray:
    """The SxS matrix of transition counts over all journeys."""
    _journeys, codes, size = transition_codes(touches, converted, n_labels)
    return np.bincount(codes, minlength=size * size).reshape(size, size).astype(float)


def removal_effects(counts: np.ndarray) -> np.ndarray:
    """Each label's removal effect (the share of conversions lost without it), from an SxS
    transition count matrix; zeros when nothing converts."""
    n_labels = counts.shape[0] - 3
    out = counts.sum(axis=1, keepdims=True)
    P = np.divide(counts, out, out=np.zeros_like(counts, dtype=float), where=out > 0)
    transient = n_labels + 1
    N = np.linalg.inv(np.eye(transient) - P[:transient, :transient])
    x = N @ P[:transient, n_labels + 1]
    if x[0] <= 0:
        return np.zeros(n_labels)
    return N[0, 1:] / np.diag(N)[1:] * x[1:] / x[0]


def removal_shares(counts: np.ndarray) -> np.ndarray:
    """Each label's share of the summed removal effects (zeros when nothing converts)."""
    effect = removal_effects(counts)
    total = effect.sum()
    return effect / total if total > 0 else effect


def markov_bootstrap(
    touches: Touches, converted: np.ndarray, n_labels: int, resamples: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Markov shares on the data and under each bootstrap resample of the conversions.

    `resamples` is a B x (converted journeys) matrix of how often each converted journey is
    drawn; journeys that did not convert stay as they are. Returns (shares, B x labels).
    """
    journeys, codes, size = transition_codes(touches, converted, n_labels)
    converted_rank = np.cumsum(converted) - 1
    is_conv = converted[journeys]
    base = np.bincount(codes[~is_conv], minlength=size * size).astype(float)
    per_journey = sparse.csr_matrix(
        (np.ones(int(is_conv.sum())), (converted_rank[journeys[is_conv]], codes[is_conv])),
        shape=(int(converted.sum()), size * size),
    )
    point = base + np.asarray(per_journey.sum(axis=0)).ravel()
    shares = removal_shares(point.reshape(size, size))
    drawn = (sparse.csr_matrix(resamples) @ per_journey).toarray() + base
    boot = np.array([removal_shares(row.reshape(size, size)) for row in drawn])
    return shares, boot.reshape(len(resamples), n_labels)

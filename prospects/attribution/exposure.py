"""Conversions per 1,000 journeys that saw a piece against those that did not, at equal
engagement.

Buyers read pricing pages, so a crude comparison credits pricing for being where buyers go.
Comparing within bands of engagement (how much of the site the journey saw) and pooling the
bands Mantel-Haenszel style, each band weighted by n₁·n₀/N, compares visitors who read as much
as each other and differ in having seen the piece. Its 95% interval uses Sato's (1989)
variance of the Mantel-Haenszel risk difference, which holds both with a few large bands and
with many thin ones (a page few journeys saw): with a, c the converted among the n₁ who saw
it and the n₀ who did not, in a band of N,

    Var = (RD·ΣP + ΣQ) / (Σ n₁n₀/N)²,  P = (n₁²c - n₀²a + n₁n₀(n₀ - n₁)/2) / N²,
                                       Q = (a(n₀ - c) + c(n₁ - a)) / 2N

(in a single band it is the binomial p₁(1 - p₁)/n₁ + p₀(1 - p₀)/n₀).

That variance, like any Wald interval, collapses where one side has no conversion (or only
conversions) in every weighed band: "jobs, 0 of 975 converted" got -21 to -16 per 1,000, as
if the zero were exact. There the interval is Newcombe's (1998, method 10) hybrid score
interval instead, stratified: each side's pooled rate Σw·r/Σw gets its Wilson interval at the
effective size 1 / Σ((w/Σw)² / n) (the size whose binomial variance is that of the pooled rate),
and the two are combined by the square-and-add rule; in one band it is Newcombe's exactly.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse, stats

from prospects.attribution.intervals import LEVEL
from prospects.attribution.journeys import Journeys, Touches

Z = float(stats.norm.ppf(1 - (1 - LEVEL) / 2))


@dataclass
class Exposure:
    """Per label: journeys that saw it, their conversions, the two rates per 1,000, and the
    band-adjusted difference per 1,000 with its interval (NaN where no band has both kinds
    of journey)."""

    saw: np.ndarray
    saw_converted: np.ndarray
    saw_rate: np.ndarray
    unseen_rate: np.ndarray
    adjusted_difference: np.ndarray
    adjusted_low: np.ndarray
    adjusted_high: np.ndarray


def exposure(touches: Touches, journeys: Journeys) -> Exposure:
    """Crude rates and the Mantel-Haenszel risk difference (per 1,000), with its interval,
    of every label."""
    n, n_labels = len(journeys), len(touches.labels)
    seen = sparse.csr_matrix(
        (np.ones(len(touches)), (touches.journey, touches.label)), shape=(n, n_labels)
    )
    seen.data[:] = 1.0  # any number of views is one "saw it"
    converted = journeys.converted.astype(float)
    stratum = journeys.stratum if journeys.stratum is not None else np.zeros(n, dtype=np.int64)
    k = int(stratum.max()) + 1 if n else 1
    bands = sparse.csr_matrix((np.ones(n), (stratum, np.arange(n))), shape=(k, n))
    n1 = np.asarray((bands @ seen).todense())  # k x labels
    a = np.asarray((bands @ sparse.diags(converted) @ seen).todense())
    size = np.asarray(bands.sum(axis=1)).ravel()[:, None]
    conv = (bands @ converted)[:, None]
    n0, c = size - n1, conv - a
    weight = np.divide(n1 * n0, size, out=np.zeros_like(n1), where=size > 0)
    r1 = np.divide(a, n1, out=np.zeros_like(a), where=n1 > 0)
    r0 = np.divide(c, n0, out=np.zeros_like(c), where=n0 > 0)
    pooled = weight.sum(axis=0)
    adjusted = np.divide(
        (weight * (r1 - r0)).sum(axis=0),
        pooled,
        out=np.full(n_labels, np.nan),
        where=pooled > 0,
    )
    half_width = Z * np.sqrt(_sato_variance(a, n1, c, n0, size, adjusted, pooled))
    low, high = adjusted - half_width, adjusted + half_width
    newcombe_low, newcombe_high, degenerate = _stratified_newcombe(a, n1, c, n0, weight, pooled)
    low = np.where(degenerate, newcombe_low, low)
    high = np.where(degenerate, newcombe_high, high)
    saw, saw_conv = n1.sum(axis=0), a.sum(axis=0)
    unseen, unseen_conv = n - saw, converted.sum() - saw_conv
    return Exposure(
        saw=saw.astype(int),
        saw_converted=saw_conv.astype(int),
        saw_rate=1000 * np.divide(saw_conv, saw, out=np.zeros(n_labels), where=saw > 0),
        unseen_rate=1000 * np.divide(unseen_conv, unseen, out=np.zeros(n_labels), where=unseen > 0),
        adjusted_difference=1000 * adjusted,
        adjusted_low=1000 * low,
        adjusted_high=1000 * high,
    )


def _wilson(rate, n):
    """Wilson's score interval of a proportion `rate` of `n` trials (arrays; n > 0)."""
    z2n = Z * Z / n
    centre = (rate + z2n / 2) / (1 + z2n)
    half = Z / (1 + z2n) * np.sqrt(rate * (1 - rate) / n + z2n / (4 * n))
    return centre - half, centre + half


def _stratified_newcombe(a, n1, c, n0, weight, pooled):
    """(low, high, degenerate) per label: the stratified Newcombe interval of the difference,
    and where it replaces Sato's (a side with none or all converted in every weighed band).

    Only bands where both sides have journeys weigh (weight > 0); NaN where none does.
    """
    weighed = weight > 0
    share = np.divide(weight, pooled, out=np.zeros_like(weight), where=pooled > 0)

    def side(events, n):
        rate = np.divide(events, n, out=np.zeros_like(events), where=n > 0)
        pooled_rate = (share * rate).sum(axis=0)
        spread = (share * share / np.where(weighed, n, 1)).sum(axis=0)
        effective = np.divide(1.0, spread, out=np.full(len(pooled), np.nan), where=spread > 0)
        with np.errstate(invalid="ignore"):
            low, high = _wilson(pooled_rate, effective)
        none = ~np.any(weighed & (events > 0), axis=0)
        every = ~np.any(weighed & (events < n), axis=0)
        return pooled_rate, low, high, none | every

    r1, low1, high1, flat1 = side(a, n1)
    r0, low0, high0, flat0 = side(c, n0)
    difference = r1 - r0
    low = difference - np.sqrt((r1 - low1) ** 2 + (high0 - r0) ** 2)
    high = difference + np.sqrt((high1 - r1) ** 2 + (r0 - low0) ** 2)
    return low, high, (flat1 | flat0) & (pooled > 0)


def _sato_variance(a, n1, c, n0, size, difference, pooled) -> np.ndarray:
    """Sato's variance of each label's Mantel-Haenszel risk difference (bands x labels in).

    Bands where one side is empty add nothing. NaN where no band weighs, and where the
    variance comes out 0 (every weighed band all converted or none on each side); the
    stratified Newcombe interval stands in wherever a side is all or none.
    """
    square = np.maximum(size, 1) ** 2
    p = ((n1 * n1 * c - n0 * n0 * a + n1 * n0 * (n0 - n1) / 2) / square).sum(axis=0)
    q = ((a * (n0 - c) + c * (n1 - a)) / (2 * np.maximum(size, 1))).sum(axis=0)
    variance = np.divide(
        difference * p + q,
        pooled * pooled,
        out=np.full(len(pooled), np.nan),
        where=pooled > 0,
    )
    return np.where(variance > 0, variance, np.nan)

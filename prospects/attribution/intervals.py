"""Bootstrap intervals on credit shares: resample the conversions, recompute the shares."""

import numpy as np
from scipy import sparse

# Resamples per interval, and the interval's coverage.
RESAMPLES = 200
LEVEL = 0.95


def resample_counts(n: int, resamples: int = RESAMPLES, seed: int = 0) -> np.ndarray:
    """B x n matrix: how many times each of n conversions is drawn in each resample."""
    rng = np.random.default_rng(seed)
    if n == 0:
        return np.zeros((resamples, 0), dtype=np.int64)
    return rng.multinomial(n, np.full(n, 1.0 / n), size=resamples)


def credit_matrix(rank: np.ndarray, label: np.ndarray, weight: np.ndarray, n: int, n_labels: int):
    """Conversions x labels sparse matrix of credit (`rank`: each touch's conversion number)."""
    return sparse.csr_matrix((weight, (rank, label)), shape=(n, n_labels))


def shares_with_intervals(matrix, counts: np.ndarray):
    """(credit per label, share, low, high): shares of the total credit, and the percentile
    interval of each share over the resamples in `counts`."""
    credit = np.asarray(matrix.sum(axis=0)).ravel()
    total = credit.sum()
    share = credit / total if total > 0 else np.zeros_like(credit)
    drawn = (sparse.csr_matrix(counts) @ matrix).toarray()
    low, high = percentile_interval(drawn / np.maximum(drawn.sum(axis=1, keepdims=True), 1e-12))
    return credit, share, low, high


def percentile_interval(boot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The LEVEL percentile interval of each column of B x labels resampled shares."""
    if not len(boot):
        width = boot.shape[1] if boot.ndim == 2 else 0
        return np.zeros(width), np.zeros(width)
    tail = (1 - LEVEL) / 2 * 100
    return np.percentile(boot, tail, axis=0), np.percentile(boot, 100 - tail, axis=0)

"""Clustering and naming on a feature table: numbers in, labels and names out (no database).

Features are log-scaled (counts and seconds are heavy-tailed) and standardized; a Gaussian
mixture with diagonal covariances is fitted for k = 2..8 on a seeded sample and the k with the
lowest BIC wins. The same seed and data give the same clusters, so a rerun changes nothing.
"""

from dataclasses import dataclass

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.mixture import GaussianMixture

K_RANGE = range(2, 9)
SAMPLE = 20_000
SEED = 13
# What visitors read (the share of each category) and how much and how often they come back.
# Recency says when someone came, not what they did; and the per-session shape (pages per
# session, single-page share) is lumpy on small counts: with it, BIC split each planted kind
# into a one-page and a many-page half (planted 4 kinds: k = 6-8, ARI 0.7-0.86; without: k = 4,
# ARI 1.0; on the three scoring archetypes k = 3, ARI 0.96).
USED = ("pageviews", "return_days")
# Traits a name can cite, by feature, in the words a researcher uses.
TRAITS = {
    "share_pricing": "pricing",
    "share_docs": "docs",
    "share_premium": "premium content",
    "share_product": "product",
    "share_blog": "blog",
    "share_jobs": "jobs",
    "share_home": "home page",
    "share_company": "about us",
    "share_press": "press",
    "share_other": "other pages",
    "return_days": "return visits",
    "pageviews": "many pages",
    "single_page_session_share": "single-page visits",
}
EVALUATION = {"pricing", "docs", "premium content", "return visits"}
# A trait is dominant when the cluster's mean is this many standard deviations above everyone's.
DOMINANT = 0.5


@dataclass
class Clusters:
    """Labels per row (0..k-1), centroids by feature name, and BIC for each k tried."""

    labels: np.ndarray
    centroids: list[dict[str, float]]
    bic: dict[int, float]
    # Each cluster's centroid in standard units (rows) over `columns`, for naming and matching.
    z: np.ndarray
    columns: list[str]
    scale: np.ndarray

    @property
    def k(self) -> int:
        return len(self.centroids)


def columns_of(names: list[str]) -> list[str]:
    """The feature columns clustering uses, among those the feature builder offers."""
    return [n for n in names if n in USED or n.startswith("share_")]


def cluster(X: np.ndarray, names: list[str], *, k: int | None = None) -> Clusters:
    """Cluster the rows of X (columns named by `names`); k chosen by BIC unless given."""
    columns = columns_of(names)
    logged = np.log1p(np.clip(X[:, [names.index(c) for c in columns]], 0, None))
    mean, scale = logged.mean(axis=0), logged.std(axis=0)
    scale[scale == 0] = 1.0
    Z = (logged - mean) / scale
    rng = np.random.default_rng(SEED)
    sample = Z if len(Z) <= SAMPLE else Z[rng.choice(len(Z), SAMPLE, replace=False)]
    tries = [k] if k else [j for j in K_RANGE if j < len(sample)]
    fits = {j: _fit(sample, j) for j in tries}
    bic = {j: float(m.bic(sample)) for j, m in fits.items()}
    best = fits[min(bic, key=bic.get)]
    labels = _renumber(best.predict(Z), best.n_components)
    present = np.unique(labels)
    centroids, z = [], []
    for c in present:
        rows = labels == c
        centroids.append(dict(zip(columns, logged[rows].mean(axis=0).tolist(), strict=True)))
        z.append(Z[rows].mean(axis=0))
    return Clusters(
        labels=labels,
        centroids=centroids,
        bic=bic,
        z=np.array(z),
        columns=columns,
        scale=scale,
    )


def _fit(Z: np.ndarray, k: int) -> GaussianMixture:
    # reg_covar keeps a component from collapsing on the many visitors with identical rows
    # (one home-page view), which would win BIC with a spike instead of a segment.
    # k-means++ seeds only: a full k-means run before each EM took 85% of the time.
    return GaussianMixture(
        n_components=k,
        covariance_type="diag",
        reg_covar=0.2,
        n_init=2,
        init_params="k-means++",
        random_state=SEED,
    ).fit(Z)


def _renumber(labels: np.ndarray, k: int) -> np.ndarray:
    """Labels 0..m-1 by size, largest first (components that won no row are dropped)."""
    counts = np.bincount(labels, minlength=k)
    order = [c for c in np.argsort(-counts, kind="stable") if counts[c]]
    mapping = np.full(k, -1)
    mapping[order] = np.arange(len(order))
    return mapping[labels]


def name(z_row: np.ndarray, columns: list[str]) -> str:
    """A name from a cluster's dominant traits ("evaluators: pricing, docs, return visits")."""
    ranked = sorted(
        (
            (z_row[columns.index(f)], word)
            for f, word in TRAITS.items()
            if f in columns and z_row[columns.index(f)] > DOMINANT
        ),
        reverse=True,
    )
    words = [w for _z, w in ranked[:3]]
    if not words:
        return "light visitors"
    lead = words[0]
    if EVALUATION.intersection(words):
        return "evaluators: " + ", ".join(words)
    if lead == "jobs":
        return "job seekers"
    if lead == "blog":
        return "blog readers"
    if lead == "product" and len(words) == 1:
        return "product-only"
    return "readers: " + ", ".join(words)


def unique_names(names: list[str]) -> list[str]:
    """Names made distinct by a number where two clusters share one ("blog readers 2")."""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n} {seen[n]}")
    return out


def match(new: Clusters, old: list[dict[str, float]]) -> dict[int, int]:
    """{new cluster: index in `old`} for clusters found again.

    Pairs come from a minimum-distance assignment (in the new run's standard units, over the
    features both share); a pair counts as the same segment only when the old centroid lies
    nearer to its match than half the way to any other new centroid.
    """
    if not old or not new.k:
        return {}
    cols = [c for c in new.columns if all(c in o for o in old)]
    idx = [new.columns.index(c) for c in cols]
    scale = new.scale[idx]
    a = np.array([[n[c] for c in cols] for n in new.centroids]) / scale
    b = np.array([[o[c] for c in cols] for o in old]) / scale
    cost = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=2)
    gaps = np.linalg.norm(a[:, None, :] - a[None, :, :], axis=2)
    np.fill_diagonal(gaps, np.inf)
    rows, cols_ = linear_sum_assignment(cost)
    return {
        int(i): int(j) for i, j in zip(rows, cols_, strict=True) if cost[i, j] < gaps[i].min() / 2
    }

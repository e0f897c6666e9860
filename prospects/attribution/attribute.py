"""Every attribution model over one dimension's journeys, with bootstrap intervals.

Pure: arrays in, arrays out. The services turn the result into the stored report.
"""

from dataclasses import dataclass, field

import numpy as np

from prospects.attribution import intervals
from prospects.attribution.credit import MODELS, RULE_MODELS, rule_weights
from prospects.attribution.exposure import Exposure, exposure
from prospects.attribution.journeys import Journeys, Touches, groups
from prospects.attribution.markov import markov_bootstrap, removal_effects, transition_counts


@dataclass
class ModelCredit:
    """One model's conversions credited per label, their shares and the shares' intervals."""

    credit: np.ndarray
    share: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass
class Attribution:
    """All models on one dimension; `weights` gives each converted journey's touches their
    part of its conversion under each model (the Markov row splits a journey's conversion
    among its touches in proportion to their labels' removal effects)."""

    labels: list[str]
    conversions: int
    credited: int
    models: dict[str, ModelCredit]
    touches: Touches
    weights: dict[str, np.ndarray]
    exposure: Exposure | None = None
    removal_effect: np.ndarray = field(default_factory=lambda: np.zeros(0))


def attribute(
    journeys: Journeys,
    touches: Touches,
    *,
    half_life_seconds: float,
    with_exposure: bool = False,
    resamples: int = intervals.RESAMPLES,
    seed: int = 0,
) -> Attribution:
    """Credit per label under every model of `credit.MODELS`, on window-filtered touches."""
    converted = journeys.converted
    n_labels = len(touches.labels)
    n_conv = int(converted.sum())
    rank = np.cumsum(converted) - 1
    mine = touches.take(converted[touches.journey])
    credited = len(np.unique(mine.journey))
    counts = intervals.resample_counts(n_conv, resamples, seed)
    weights = rule_weights(mine, journeys.end, half_life_seconds)
    models = {}
    for key, _label in RULE_MODELS:
        matrix = intervals.credit_matrix(
            rank[mine.journey], mine.label, weights[key], n_conv, n_labels
        )
        models[key] = ModelCredit(*intervals.shares_with_intervals(matrix, counts))
    shares, boot = markov_bootstrap(touches, converted, n_labels, counts)
    low, high = intervals.percentile_interval(boot)
    models["markov"] = ModelCredit(shares * credited, shares, low, high)
    effect = removal_effects(transition_counts(touches, converted, n_labels))
    weights["markov"] = _split_by_effect(mine, effect)
    assert set(models) == {key for key, _ in MODELS}
    return Attribution(
        labels=touches.labels,
        conversions=n_conv,
        credited=credited,
        models=models,
        touches=mine,
        weights=weights,
        exposure=exposure(touches, journeys) if with_exposure else None,
        removal_effect=effect,
    )


def _split_by_effect(touches: Touches, effect: np.ndarray) -> np.ndarray:
    """Each touch's part of its journey's conversion, in proportion to its label's effect
    (equal parts where every label of the journey has none)."""
    if not len(touches):
        return np.zeros(0)
    raw = effect[touches.label]
    g, first, size = groups(touches.journey)
    total = np.add.reduceat(raw, first)[g]
    return np.where(total > 0, raw / np.where(total > 0, total, 1), 1.0 / size[g])

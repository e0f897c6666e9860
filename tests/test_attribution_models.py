"""Attribution models on journeys with known answers: rules by hand, the Markov removal effect
of a hand-solved chain, bootstrap coverage and the band-adjusted exposure comparison."""

import numpy as np
import pytest
from scipy import stats

from prospects.attribution.attribute import attribute
from prospects.attribution.credit import MODELS, position_based, time_decay
from prospects.attribution.journeys import Journeys, make_touches, strata_by_engagement
from prospects.attribution.markov import removal_effects, removal_shares, transition_counts

DAY = 86400.0


def _journeys(ends, converted, stratum=None):
    return Journeys(
        end=np.asarray(ends, dtype=float),
        converted=np.asarray(converted, dtype=bool),
        stratum=None if stratum is None else np.asarray(stratum),
    )


def test_a_single_touch_journey_gives_every_model_the_same_credit():
    journeys = _journeys([10 * DAY, 10 * DAY], [True, False])
    touches = make_touches([0, 1], [9 * DAY, 3 * DAY], [1, 0], [False, True], ["A", "B", "C"])
    result = attribute(journeys, touches, half_life_seconds=7 * DAY)
    assert set(result.models) == {key for key, _ in MODELS}
    for key, credit in result.models.items():
        assert credit.credit.tolist() == pytest.approx([0.0, 1.0, 0.0]), key
        assert credit.share.tolist() == pytest.approx([0.0, 1.0, 0.0]), key


def test_position_based_weights_by_hand():
    # Journeys of 1, 2, 3 and 5 touches.
    journey = [0, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]
    touches = make_touches(journey, range(11), [0] * 11, [False] * 11, ["A"])
    assert position_based(touches).tolist() == pytest.approx(
        [1.0, 0.5, 0.5, 0.4, 0.2, 0.4, 0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4]
    )


def test_time_decay_weights_halve_every_half_life():
    # Touches 0, 7 and 14 days before the conversion with a 7-day half-life: 1/4, 1/2, 1.
    end = np.array([20 * DAY])
    touches = make_touches([0, 0, 0], [6 * DAY, 13 * DAY, 20 * DAY], [0, 1, 2], [False] * 3, "ABC")
    assert time_decay(touches, end, 7 * DAY).tolist() == pytest.approx([1 / 7, 2 / 7, 4 / 7])


def test_first_last_and_last_non_direct():
    # One conversion: search (A), then two direct visits (B, B).
    journeys = _journeys([10.0], [True])
    touches = make_touches([0, 0, 0], [1, 2, 3], [0, 1, 1], [False, True, True], ["A", "B"])
    result = attribute(journeys, touches, half_life_seconds=DAY)
    assert result.models["first"].credit.tolist() == [1.0, 0.0]
    assert result.models["last"].credit.tolist() == [0.0, 1.0]
    assert result.models["last_non_direct"].credit.tolist() == [1.0, 0.0]
    assert result.models["linear"].credit.tolist() == pytest.approx([1 / 3, 2 / 3])


def test_last_non_direct_falls_back_to_the_last_touch_when_all_are_direct():
    journeys = _journeys([10.0], [True])
    touches = make_touches([0, 0], [1, 2], [0, 1], [True, True], ["A", "B"])
    result = attribute(journeys, touches, half_life_seconds=DAY)
    assert result.models["last_non_direct"].credit.tolist() == [0.0, 1.0]


def test_markov_removal_effect_of_a_hand_solved_chain():
    """Paths A → conversion, A → B → conversion, B → nothing.

    P(start→A) = 2/3, P(start→B) = 1/3, P(A→conv) = P(A→B) = 1/2, P(B→conv) = P(B→null) = 1/2.
    x_B = 1/2, x_A = 1/2 + 1/2·1/2 = 3/4, p = 2/3·3/4 + 1/3·1/2 = 2/3.
    Without A: 1/3·1/2 = 1/6, effect 1 - (1/6)/(2/3) = 3/4. Without B: 2/3·1/2 = 1/3, effect 1/2.
    Shares 0.75/1.25 = 0.6 and 0.4 of the two conversions: 1.2 and 0.8.
    """
    journeys = _journeys([10.0, 10.0, 10.0], [True, True, False])
    touches = make_touches([0, 1, 1, 2], [1, 1, 2, 1], [0, 0, 1, 1], [False] * 4, ["A", "B"])
    counts = transition_counts(touches, journeys.converted, 2)
    assert removal_effects(counts).tolist() == pytest.approx([0.75, 0.5])
    assert removal_shares(counts).tolist() == pytest.approx([0.6, 0.4])
    result = attribute(journeys, touches, half_life_seconds=DAY)
    assert result.models["markov"].credit.tolist() == pytest.approx([1.2, 0.8])


def test_markov_on_a_chain_with_a_loop_matches_the_removal_by_brute_force():
    # A label that repeats (blog → blog) and paths that cross: removal by deleting the state
    # and solving the smaller chain again gives the same effects as the closed form.
    rng = np.random.default_rng(4)
    n, labels = 300, 4
    length = rng.integers(1, 6, n)
    journey = np.repeat(np.arange(n), length)
    label = rng.integers(0, labels, len(journey))
    converted = rng.random(n) < 0.2 + 0.15 * np.bincount(journey, label == 2, n)
    touches = make_touches(journey, np.arange(len(journey)), label, np.zeros(len(journey)), "ABCD")
    counts = transition_counts(touches, converted, labels)
    closed = removal_effects(counts)
    P = counts / counts.sum(axis=1, keepdims=True).clip(1)
    t = labels + 1

    def p_convert(removed=None):
        Q, r = P[:t, :t].copy(), P[:t, labels + 1].copy()
        if removed is not None:
            Q[:, removed], r[removed] = 0.0, 0.0
        return np.linalg.solve(np.eye(t) - Q, r)[0]

    brute = [1 - p_convert(s + 1) / p_convert() for s in range(labels)]
    assert closed.tolist() == pytest.approx(brute)


def test_bootstrap_interval_covers_the_true_share():
    # Each conversion's one touch is A with probability 0.3: the true share of A is 0.3 under
    # every model; its 95% interval should hold it in about 95 of 100 samples.
    covered = {key: 0 for key, _ in MODELS}
    for seed in range(100):
        rng = np.random.default_rng(seed)
        n = 200
        label = (rng.random(n) >= 0.3).astype(int)
        journeys = _journeys(np.full(n, 10.0), np.ones(n, bool))
        touches = make_touches(np.arange(n), np.ones(n), label, np.zeros(n), ["A", "B"])
        result = attribute(journeys, touches, half_life_seconds=DAY, seed=seed)
        for key, credit in result.models.items():
            covered[key] += credit.low[0] <= 0.3 <= credit.high[0]
    for key, count in covered.items():
        assert 88 <= count <= 100, (key, count)


def test_exposure_compares_within_engagement_bands():
    """Pricing is read by the engaged, who convert more whatever they read: within each band
    pricing makes no difference, so the adjusted difference is zero though the crude one is
    large."""
    # Band 0: 100 journeys, 10 saw pricing, 10% convert either way.
    # Band 1: 100 journeys, 90 saw pricing, 30% convert either way.
    rows = []  # (band, saw, converted)
    for band, saw_n, rate in ((0, 10, 0.1), (1, 90, 0.3)):
        for i in range(100):
            saw = i < saw_n
            within = i if saw else i - saw_n
            size = saw_n if saw else 100 - saw_n
            rows.append((band, saw, within < round(rate * size)))
    band, saw, converted = (np.array(c) for c in zip(*rows, strict=True))
    journeys = _journeys(np.full(len(rows), 10.0), converted, band)
    journey = np.flatnonzero(saw)
    touches = make_touches(journey, np.ones(len(journey)), np.zeros(len(journey)), journey, ["P"])
    result = attribute(journeys, touches, half_life_seconds=DAY, with_exposure=True)
    e = result.exposure
    assert e.saw.tolist() == [100]
    assert e.saw_rate[0] == pytest.approx(1000 * (1 + 27) / 100)
    assert e.unseen_rate[0] == pytest.approx(1000 * (9 + 3) / 100)
    assert e.adjusted_difference[0] == pytest.approx(0.0)


def _banded(tables):
    """Journeys and touches of label "P" from (band, saw, saw_converted, unseen, unseen_converted)."""
    band, saw, converted = [], [], []
    for b, n1, a, n0, c in tables:
        band += [b] * (n1 + n0)
        saw += [True] * n1 + [False] * n0
        converted += [i < a for i in range(n1)] + [i < c for i in range(n0)]
    journeys = _journeys(np.full(len(band), 10.0), converted, band)
    journey = np.flatnonzero(saw)
    touches = make_touches(journey, np.ones(len(journey)), np.zeros(len(journey)), journey, ["P"])
    return attribute(journeys, touches, half_life_seconds=DAY, with_exposure=True).exposure


def test_the_adjusted_difference_has_satos_interval_on_a_hand_computed_table():
    # Band 0: 4 of 20 who saw P converted, 8 of 80 who did not (N = 100); band 1: 18 of 60, 6
    # of 40. Weights n1·n0/N: 16 and 24; differences 0.10 and 0.15, so RD = 5.2 / 40 = 0.13.
    # Sato: P = (n1²c - n0²a + n1n0(n0 - n1)/2) / N² = 2.56 and -3.12;
    # Q = (a(n0 - c) + c(n1 - a)) / 2N = 2.08 and 4.32;
    # Var = (0.13 x -0.56 + 6.40) / 40² = 0.0039545, SE 0.062885, ± 1.96 SE = ± 0.12325.
    e = _banded([(0, 20, 4, 80, 8), (1, 60, 18, 40, 6)])
    assert e.adjusted_difference[0] == pytest.approx(130.0)
    assert e.adjusted_low[0] == pytest.approx(6.748, abs=1e-3)
    assert e.adjusted_high[0] == pytest.approx(253.252, abs=1e-3)


def test_in_one_band_the_interval_is_the_binomial_one():
    e = _banded([(0, 200, 30, 300, 21)])
    p1, p0 = 30 / 200, 21 / 300
    half = 1.959964 * np.sqrt(p1 * (1 - p1) / 200 + p0 * (1 - p0) / 300)
    assert e.adjusted_difference[0] == pytest.approx(1000 * (p1 - p0))
    assert e.adjusted_low[0] == pytest.approx(1000 * (p1 - p0 - half), rel=1e-5)
    assert e.adjusted_high[0] == pytest.approx(1000 * (p1 - p0 + half), rel=1e-5)


def test_the_interval_covers_the_true_difference_across_many_thin_bands():
    """Sato's variance holds with many small bands, where a per-band binomial one fails:
    50 bands of 12 journeys, a true difference of 0.1, 200 draws."""
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(200):
        tables = []
        for b in range(50):
            base = 0.05 + 0.4 * b / 50
            n1 = int(rng.integers(2, 10))
            tables.append(
                (
                    b,
                    n1,
                    int(rng.binomial(n1, base + 0.1)),
                    12 - n1,
                    int(rng.binomial(12 - n1, base)),
                )
            )
        e = _banded(tables)
        covered += e.adjusted_low[0] <= 100.0 <= e.adjusted_high[0]
    # 95% of 200 is 190 (binomial sd 3); an interval too wide would cover nearly every draw.
    assert 180 <= covered <= 198


def test_without_both_kinds_of_journey_in_a_band_there_is_no_difference():
    e = _banded([(0, 10, 2, 0, 0), (1, 0, 0, 10, 1)])
    assert np.isnan(e.adjusted_difference[0])
    assert np.isnan(e.adjusted_low[0]) and np.isnan(e.adjusted_high[0])


def _newcombe(a, n1, c, n0):
    """Newcombe's hybrid score interval (method 10) per 1,000, from scipy's Wilson intervals."""
    p1, p0 = a / n1, c / n0
    w1 = stats.binomtest(a, n1).proportion_ci(0.95, method="wilson")
    w0 = stats.binomtest(c, n0).proportion_ci(0.95, method="wilson")
    low = p1 - p0 - np.hypot(p1 - w1.low, w0.high - p0)
    high = p1 - p0 + np.hypot(w1.high - p1, p0 - w0.low)
    return 1000 * low, 1000 * high


def test_no_conversion_on_one_side_gets_newcombes_interval_not_a_collapsed_one():
    # Like the demo's "jobs": 0 of 975 who saw it converted, 350 of 17,000 who did not.
    # Sato's (here Wald's) interval was -22.7 to -18.5 per 1,000, as if a zero in 975 were
    # exact, while 975 journeys can hide a rate of up to 3.9 per 1,000.
    e = _banded([(0, 975, 0, 17_000, 350)])
    low, high = _newcombe(0, 975, 350, 17_000)
    assert e.adjusted_low[0] == pytest.approx(low, abs=1e-6)
    assert e.adjusted_high[0] == pytest.approx(high, abs=1e-6)
    assert e.adjusted_low[0] < -22.7 and e.adjusted_high[0] > -16.5


def test_with_zero_in_every_band_the_bands_pool_into_newcombes_interval():
    # Two bands alike in size: the pooled rates are the crude ones and the effective sizes
    # the totals, so the stratified interval is Newcombe's on the summed table.
    e = _banded([(0, 40, 0, 300, 12), (1, 40, 0, 300, 30)])
    low, high = _newcombe(0, 80, 42, 600)
    assert e.adjusted_difference[0] == pytest.approx(-70.0)
    assert e.adjusted_low[0] == pytest.approx(low, abs=1e-6)
    assert e.adjusted_high[0] == pytest.approx(high, abs=1e-6)


def test_bands_all_converted_get_an_honest_interval_rather_than_a_zero_width_one():
    e = _banded([(0, 2, 2, 1, 0)])
    assert e.adjusted_difference[0] == pytest.approx(1000.0)
    low, high = _newcombe(2, 2, 0, 1)
    assert e.adjusted_low[0] == pytest.approx(low, abs=1e-6)
    assert e.adjusted_high[0] == pytest.approx(high, abs=1e-6)
    assert e.adjusted_low[0] < 100


def test_engagement_bands_are_quantiles():
    bands = strata_by_engagement(np.arange(100), bands=10)
    assert np.bincount(bands).tolist() == [10] * 10
    assert strata_by_engagement(np.ones(50)).tolist() == [0] * 50

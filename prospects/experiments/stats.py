"""The experiment's statistics on two arms: exact test, beta-binomial posterior, CUPED, power.

Pure functions of counts and arrays (no database), so each one is checked against scipy or a
closed form on fixed tables.
"""

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import special, stats

# Boschloo's test enumerates every table with these margins (~0.2 µs each, times its 32-point
# nuisance grid): above this many tables it would take over ~50 ms, and Fisher's test, exact
# too and conditional on both margins, is used instead.
BOSCHLOO_MAX_TABLES = 40_000
# Posterior draws for the interval of the difference (fixed seed: a page reload agrees).
POSTERIOR_DRAWS = 20_000
Z95 = float(stats.norm.ppf(0.975))


@dataclass(frozen=True)
class ExactTest:
    """A two-sided exact test of equal conversion rates."""

    name: str
    pvalue: float


@lru_cache(maxsize=256)
def exact_test(x_t: int, n_t: int, x_c: int, n_c: int) -> ExactTest:
    """Boschloo's exact test for small tables, Fisher's for large; p = 1 with an empty arm."""
    if n_t == 0 or n_c == 0 or (x_t + x_c) in (0, n_t + n_c):
        return ExactTest("none (no variation yet)", 1.0)
    table = [[x_t, n_t - x_t], [x_c, n_c - x_c]]
    if (n_t + 1) * (n_c + 1) <= BOSCHLOO_MAX_TABLES:
        return ExactTest("Boschloo", float(stats.boschloo_exact(table).pvalue))
    return ExactTest("Fisher", float(stats.fisher_exact(table).pvalue))


def prob_beats(a_t: int, b_t: int, a_c: int, b_c: int) -> float:
    """P(p_t > p_c) for p_t ~ Beta(a_t, b_t), p_c ~ Beta(a_c, b_c), integer a_t (closed form).

    The sum over i < a_t of B(a_c + i, b_c + b_t) / ((b_t + i) B(1 + i, b_t) B(a_c, b_c)),
    computed in logs so large counts do not overflow.
    """
    i = np.arange(int(a_t), dtype=float)
    log_terms = (
        special.betaln(a_c + i, b_c + b_t)
        - np.log(b_t + i)
        - special.betaln(1 + i, b_t)
        - special.betaln(a_c, b_c)
    )
    return float(np.clip(np.exp(special.logsumexp(log_terms)), 0.0, 1.0))


@dataclass(frozen=True)
class Posterior:
    """Beta-binomial posterior (uniform priors) of the two rates."""

    prob_treatment_better: float
    diff_low: float
    diff_high: float


@lru_cache(maxsize=256)
def beta_binomial(x_t: int, n_t: int, x_c: int, n_c: int) -> Posterior:
    """P(treatment's rate > control's) and a 95% interval of their difference."""
    a_t, b_t, a_c, b_c = x_t + 1, n_t - x_t + 1, x_c + 1, n_c - x_c + 1
    rng = np.random.default_rng(20261201)
    diff = rng.beta(a_t, b_t, POSTERIOR_DRAWS) - rng.beta(a_c, b_c, POSTERIOR_DRAWS)
    low, high = np.quantile(diff, [0.025, 0.975])
    return Posterior(prob_beats(a_t, b_t, a_c, b_c), float(low), float(high))


@dataclass(frozen=True)
class ArmSums:
    """Sufficient statistics of one arm for CUPED: count and sums of x, x², y, y², xy."""

    n: int
    x: float
    xx: float
    y: float
    yy: float
    xy: float

    @classmethod
    def of(cls, y: np.ndarray, x: np.ndarray) -> "ArmSums":
        """The sums of these observations."""
        return cls(len(y), x.sum(), (x * x).sum(), y.sum(), (y * y).sum(), (x * y).sum())

    def __add__(self, other: "ArmSums") -> "ArmSums":
        return ArmSums(*(getattr(self, f) + getattr(other, f) for f in self.__dataclass_fields__))

    def var_x(self) -> float:
        return (self.xx - self.x**2 / self.n) / (self.n - 1)

    def var_y(self) -> float:
        return (self.yy - self.y**2 / self.n) / (self.n - 1)

    def cov(self) -> float:
        return (self.xy - self.x * self.y / self.n) / (self.n - 1)


@dataclass(frozen=True)
class Cuped:
    """The difference in means after adjusting for a pre-assignment covariate."""

    diff: float
    low: float
    high: float
    theta: float
    variance_reduction: float


def cuped(y: np.ndarray, x: np.ndarray, treated: np.ndarray) -> Cuped | None:
    """CUPED on observations: y - theta (x - mean x), theta = cov(x, y) / var(x) over both arms."""
    y, x = np.asarray(y, dtype=float), np.asarray(x, dtype=float)
    treated = np.asarray(treated, dtype=bool)
    return cuped_from_sums(ArmSums.of(y[treated], x[treated]), ArmSums.of(y[~treated], x[~treated]))


def cuped_from_sums(t: ArmSums, c: ArmSums) -> Cuped | None:
    """CUPED from each arm's sums (what one SQL aggregate returns); None with < 2 per arm.

    With the score at assignment as x, chance imbalance in scores between the arms is taken
    out of the lift, and its interval narrows by as much as the score explains of y (the
    variance falls by the squared correlation).
    """
    if t.n < 2 or c.n < 2:
        return None
    both = t + c
    var_x, var_y, cov = both.var_x(), both.var_y(), both.cov()
    theta = cov / var_x if var_x > 0 else 0.0
    mean_x = both.x / both.n

    def adjusted_mean(arm: ArmSums) -> float:
        return arm.y / arm.n - theta * (arm.x / arm.n - mean_x)

    def adjusted_var(arm: ArmSums) -> float:
        return max(arm.var_y() - 2 * theta * arm.cov() + theta**2 * arm.var_x(), 0.0)

    diff = adjusted_mean(t) - adjusted_mean(c)
    se = np.sqrt(adjusted_var(t) / t.n + adjusted_var(c) / c.n)
    reduction = cov**2 / (var_x * var_y) if var_x > 0 and var_y > 0 else 0.0
    return Cuped(
        float(diff), float(diff - Z95 * se), float(diff + Z95 * se), float(theta), float(reduction)
    )


def companies_needed(
    *, control_rate: float, relative_lift: float, control_share: float, alpha=0.05, power=0.8
) -> int | None:
    """Companies in both arms for a two-sided z-test to detect this lift; None if undefined.

    Treatment's rate is control_rate * (1 + relative_lift); the arms split control_share to
    control. Normal approximation of the two-proportion test, unpooled under the alternative.
    """
    p_c = control_rate
    p_t = p_c * (1 + relative_lift)
    s = control_share
    if not (0 < p_c < 1 and 0 < p_t < 1 and 0 < s < 1 and relative_lift != 0):
        return None
    z_a, z_b = stats.norm.ppf(1 - alpha / 2), stats.norm.ppf(power)
    p_bar = (1 - s) * p_t + s * p_c
    null = np.sqrt(p_bar * (1 - p_bar) * (1 / (1 - s) + 1 / s))
    alt = np.sqrt(p_t * (1 - p_t) / (1 - s) + p_c * (1 - p_c) / s)
    return int(np.ceil(((z_a * null + z_b * alt) / (p_t - p_c)) ** 2))

"""Reads for the experiment page: the arms, their conversions and the statistics on them.

A company's outcome window is the score horizon after its assignment, cut at the stop (its
control rejoins the queue then, so later conversions no longer measure the holdout) and at
now. Organic conversions are its visitors' converted_at (from the logs), SQLs the touchpoints
whose outcome makes the company an SQL ("converted", or a later stage that goes through it);
"either" is the first of the two.
"""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from prospects.experiments import outcomes, stats
from prospects.experiments.models import Experiment, QueueEntry
from scoring.meaning import horizon_days

METRICS = (
    ("organic", "Organic conversions (logs)"),
    ("sql", "SQLs (touchpoints)"),
    ("any", "Either"),
)
# The lift the power note is about when the admin names none (relative, +25%).
DEFAULT_POWER_LIFT = 0.25
# Held-out companies listed on the page (the newest).
LISTED_ENTRIES = 20


def running_experiment() -> Experiment | None:
    """The experiment that runs now, or None."""
    return Experiment.objects.filter(running=True).select_related("started_by").first()


def experiment_list() -> QuerySet[Experiment]:
    """Every experiment, newest first, with who started and stopped it."""
    return Experiment.objects.select_related("started_by", "stopped_by")


def held_out_companies(experiment: Experiment, limit: int = LISTED_ENTRIES) -> list[QueueEntry]:
    """The newest control companies of the experiment (shown to admins only, on its page)."""
    return list(
        experiment.entries.filter(arm=QueueEntry.Arm.CONTROL)
        .select_related("company")
        .order_by("-entered_at", "-pk")[:limit]
    )


@dataclass
class MetricResult:
    """One conversion measure in both arms, with the tests on it."""

    key: str
    label: str
    treated: int
    control: int
    treated_rate: float
    control_rate: float
    diff: float
    relative_lift: float | None
    test: stats.ExactTest
    posterior: stats.Posterior
    cuped: stats.Cuped | None


@dataclass
class Report:
    """What the experiment page shows."""

    experiment: Experiment
    horizon_days: int
    sizes: dict
    mean_score: dict
    windows_open: int
    metrics: list[MetricResult] = field(default_factory=list)
    power_lift: float = DEFAULT_POWER_LIFT
    needed: int | None = None
    more_companies: int | None = None
    arrivals_per_day: float = 0.0
    more_days: float | None = None
    check: "OutreachCheck | None" = None


ARMS = (QueueEntry.Arm.TREATMENT, QueueEntry.Arm.CONTROL)


def _arm_sums(found: dict[str, outcomes.ArmOutcomes]) -> tuple[dict, int]:
    """{(arm, measure): ArmSums} and the number of windows still open.

    Conversions are 0 or 1, so a measure's sum of y² is its count and its sum of x·y the
    scores of the converted.
    """
    sums = {}
    for arm in ARMS:
        got = found.get(arm)
        for key in outcomes.MEASURES:
            count, scores = got.converted[key] if got else (0, 0.0)
            sums[(arm, key)] = stats.ArmSums(
                n=got.n if got else 0,
                x=got.x if got else 0.0,
                xx=got.xx if got else 0.0,
                y=float(count),
                yy=float(count),
                xy=scores,
            )
    return sums, sum(got.open for got in found.values())


def experiment_report(experiment: Experiment, *, power_lift=DEFAULT_POWER_LIFT, now=None) -> Report:
    """Arms, sizes, conversions within the horizon after assignment, and their statistics.

    One query (outcomes.arm_outcomes: the arms' sums with the conversions and touchpoints
    in their windows), whatever the experiment's size; sums are all the statistics need.
    """
    now = now or timezone.now()
    stop = experiment.stopped_at or now
    found = outcomes.arm_outcomes(
        experiment,
        stop=stop,
        start_day=timezone.localdate(experiment.started_at),
        stop_day=timezone.localdate(stop),
    )
    sums, windows_open = _arm_sums(found)
    t_any, c_any = sums[("treatment", "any")], sums[("control", "any")]
    report = Report(
        experiment=experiment,
        horizon_days=horizon_days(),
        sizes={"treatment": t_any.n, "control": c_any.n},
        mean_score={
            "treatment": t_any.x / t_any.n if t_any.n else None,
            "control": c_any.x / c_any.n if c_any.n else None,
        },
        windows_open=windows_open,
        power_lift=power_lift,
    )
    n_t, n_c = t_any.n, c_any.n
    for key, label in METRICS:
        t, c = sums[("treatment", key)], sums[("control", key)]
        x_t, x_c = int(t.y), int(c.y)
        rate_t, rate_c = (x_t / n_t if n_t else 0.0), (x_c / n_c if n_c else 0.0)
        report.metrics.append(
            MetricResult(
                key=key,
                label=label,
                treated=x_t,
                control=x_c,
                treated_rate=rate_t,
                control_rate=rate_c,
                diff=rate_t - rate_c,
                relative_lift=(rate_t / rate_c - 1) if rate_c else None,
                test=stats.exact_test(x_t, n_t, x_c, n_c),
                posterior=stats.beta_binomial(x_t, n_t, x_c, n_c),
                cuped=stats.cuped_from_sums(t, c),
            )
        )
    _power_note(report, now)
    report.check = _outreach_check(found.get(QueueEntry.Arm.TREATMENT), report)
    return report


@dataclass
class OutreachCheck:
    """What correlation credits to outreach, beside what the experiment measures.

    Among treated companies, those a rep reached (a touchpoint in the window) against those
    not reached is the comparison an attribution report makes; the experiment's lift of
    either conversion, divided by the share reached, is the effect per reached company
    (control is never reached, so the whole lift comes through the reached ones).
    """

    reached: int
    reached_rate: float
    unreached_rate: float
    naive: float | None
    measured: float
    per_reached: float | None
    per_reached_low: float | None
    per_reached_high: float | None


def _outreach_check(treated: "outcomes.ArmOutcomes | None", report: Report) -> OutreachCheck:
    """The correlational reading of outreach against the experiment's measured lift."""
    n_t = report.sizes["treatment"]
    reached = treated.reached if treated else 0
    converted_reached = treated.reached_converted if treated else 0
    converted_all = treated.converted["any"][0] if treated else 0
    unreached = n_t - reached
    either = report.metrics[-1]
    share = reached / n_t if n_t else 0.0
    reached_rate = converted_reached / reached if reached else 0.0
    unreached_rate = (converted_all - converted_reached) / unreached if unreached else 0.0
    return OutreachCheck(
        reached=reached,
        reached_rate=reached_rate,
        unreached_rate=unreached_rate,
        naive=reached_rate - unreached_rate if reached and unreached else None,
        measured=either.diff,
        per_reached=either.diff / share if share else None,
        per_reached_low=either.posterior.diff_low / share if share else None,
        per_reached_high=either.posterior.diff_high / share if share else None,
    )


def _power_note(report: Report, now) -> None:
    """How many companies in all (and how many more, and days at the current arrival rate)
    until the chosen relative lift of "either" conversion would be detectable."""
    experiment = report.experiment
    control_rate = report.metrics[-1].control_rate
    total = report.sizes["treatment"] + report.sizes["control"]
    report.needed = stats.companies_needed(
        control_rate=control_rate,
        relative_lift=report.power_lift,
        control_share=float(experiment.holdout_share),
    )
    days = max(
        ((experiment.stopped_at or now) - experiment.started_at).total_seconds() / 86400, 1e-9
    )
    report.arrivals_per_day = total / days
    if report.needed is not None:
        report.more_companies = max(report.needed - total, 0)
        if report.arrivals_per_day > 0:
            report.more_days = report.more_companies / report.arrivals_per_day

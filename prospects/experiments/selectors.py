"""Reads for the experiment page: the arms, their conversions and the statistics on them.

A company's outcome window is the score horizon after its assignment, cut at the stop (its
control rejoins the queue then, so later conversions no longer measure the holdout) and at
now. Organic conversions are its visitors' converted_at (from the logs), SQLs the touchpoints
whose outcome is "converted"; "either" is the first of the two.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from prospects.experiments import stats
from prospects.experiments.models import Experiment, QueueEntry
from prospects.models import Touchpoint, Visitor
from scoring.meaning import horizon_days

METRICS = (
    ("organic", "Organic conversions (logs)"),
    ("sql", "SQLs (touchpoints)"),
    ("any", "Either"),
)
# The lift the power note is about when the admin names none (relative, +25%).
DEFAULT_POWER_LIFT = 0.25
# Held-out companies listed on the page (the newest).
LISTED_ENTRIES = 50


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


def _outcomes(experiment: Experiment, stop) -> QuerySet:
    """The experiment's entries with `organic` and `sql`: a conversion inside the window.

    Decided in the database (two correlated EXISTS per entry), so the page never turns tens of
    thousands of timestamps into Python objects.
    """
    horizon = dt.timedelta(days=horizon_days())
    entered = ExpressionWrapper(OuterRef("entered_at"), output_field=DateTimeField())
    window_end = ExpressionWrapper(entered + horizon, output_field=DateTimeField())
    organic = Visitor.objects.filter(
        company=OuterRef("company_id"), converted_at__gt=entered, converted_at__lte=window_end
    ).filter(converted_at__lte=stop)
    # A touchpoint has a day, not a time: it counts from the day of assignment to the
    # window's last day.
    sql = Touchpoint.objects.filter(
        company=OuterRef("company_id"),
        outcome=Touchpoint.Outcome.CONVERTED,
        happened_on__gte=TruncDate(entered),
        happened_on__lte=TruncDate(window_end),
    ).filter(happened_on__lte=timezone.localdate(stop))
    return experiment.entries.annotate(organic=Exists(organic), sql=Exists(sql))


# Conversion measures as conditions on the entries' outcome annotations.
MEASURES = {
    "organic": Q(organic=True),
    "sql": Q(sql=True),
    "any": Q(organic=True) | Q(sql=True),
}
ARMS = (QueueEntry.Arm.TREATMENT, QueueEntry.Arm.CONTROL)


def _arm_sums(experiment: Experiment, stop, horizon) -> tuple[dict, int]:
    """{(arm, measure): ArmSums} and the number of windows still open, in one aggregate."""
    wanted = {"open": Count("pk", filter=Q(entered_at__gt=stop - horizon))}
    for arm in ARMS:
        in_arm = Q(arm=arm)
        wanted[f"{arm}_n"] = Count("pk", filter=in_arm)
        wanted[f"{arm}_x"] = Sum("probability", filter=in_arm)
        wanted[f"{arm}_xx"] = Sum(F("probability") * F("probability"), filter=in_arm)
        for key, converted in MEASURES.items():
            wanted[f"{arm}_{key}_y"] = Count("pk", filter=in_arm & converted)
            wanted[f"{arm}_{key}_xy"] = Sum("probability", filter=in_arm & converted)
    got = {k: v or 0 for k, v in _outcomes(experiment, stop).aggregate(**wanted).items()}
    sums = {
        (arm, key): stats.ArmSums(
            n=got[f"{arm}_n"],
            x=float(got[f"{arm}_x"]),
            xx=float(got[f"{arm}_xx"]),
            # Conversions are 0 or 1, so the sum of squares is the count.
            y=float(got[f"{arm}_{key}_y"]),
            yy=float(got[f"{arm}_{key}_y"]),
            xy=float(got[f"{arm}_{key}_xy"]),
        )
        for arm in ARMS
        for key in MEASURES
    }
    return sums, got["open"]


def experiment_report(experiment: Experiment, *, power_lift=DEFAULT_POWER_LIFT, now=None) -> Report:
    """Arms, sizes, conversions within the horizon after assignment, and their statistics.

    One query whatever the size: an aggregate over the entries and their outcomes, whose
    sums are all the statistics need.
    """
    now = now or timezone.now()
    stop = experiment.stopped_at or now
    horizon = dt.timedelta(days=horizon_days())
    sums, windows_open = _arm_sums(experiment, stop, horizon)
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
    return report


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

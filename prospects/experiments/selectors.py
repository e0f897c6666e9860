"""Reads for the experiment page: the arms, their conversions and the statistics on them.

A company's outcome window is the score horizon after its assignment, cut at the stop (its
control rejoins the queue then, so later conversions no longer measure the holdout) and at
now. Organic conversions are its visitors' converted_at (from the logs), SQLs the touchpoints
whose outcome is "converted"; "either" is the first of the two.
"""

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet
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


def _first_after(pairs, entered: dict, end: dict) -> dict:
    """company -> whether any of its (company, when) falls in (entered, end]."""
    hit = {}
    for company_id, when in pairs:
        if company_id in entered and entered[company_id] < when <= end[company_id]:
            hit[company_id] = True
    return hit


def experiment_report(experiment: Experiment, *, power_lift=DEFAULT_POWER_LIFT, now=None) -> Report:
    """Arms, sizes, conversions within the horizon after assignment, and their statistics.

    Four queries whatever the size: the entries, the organic conversions and the SQL
    touchpoints of the experiment's companies since its start.
    """
    now = now or timezone.now()
    stop = experiment.stopped_at or now
    horizon = dt.timedelta(days=horizon_days())
    rows = list(experiment.entries.values_list("company_id", "entered_at", "probability", "arm"))
    companies = [r[0] for r in rows]
    entered = {r[0]: r[1] for r in rows}
    end = {r[0]: min(r[1] + horizon, stop) for r in rows}
    since = experiment.entries.values("company_id")
    organic = _first_after(
        Visitor.objects.filter(company_id__in=since, converted_at__gt=experiment.started_at)
        .values_list("company_id", "converted_at")
        .iterator(),
        entered,
        end,
    )
    # A touchpoint has a day, not a time: it counts from the day of assignment to the window's
    # last day.
    day_entered = {c: timezone.localdate(t) for c, t in entered.items()}
    day_end = {c: timezone.localdate(t) for c, t in end.items()}
    sql = {
        c: True
        for c, day in Touchpoint.objects.filter(
            company_id__in=since,
            outcome=Touchpoint.Outcome.CONVERTED,
            happened_on__gte=timezone.localdate(experiment.started_at),
        ).values_list("company_id", "happened_on")
        if c in day_entered and day_entered[c] <= day <= day_end[c]
    }
    treated = np.array([r[3] == QueueEntry.Arm.TREATMENT for r in rows], dtype=bool)
    score = np.array([r[2] for r in rows], dtype=float)
    outcomes = {
        "organic": np.array([organic.get(c, False) for c in companies], dtype=bool),
        "sql": np.array([sql.get(c, False) for c in companies], dtype=bool),
    }
    outcomes["any"] = outcomes["organic"] | outcomes["sql"]
    n_t, n_c = int(treated.sum()), int((~treated).sum())
    report = Report(
        experiment=experiment,
        horizon_days=horizon_days(),
        sizes={"treatment": n_t, "control": n_c},
        mean_score={
            "treatment": float(score[treated].mean()) if n_t else None,
            "control": float(score[~treated].mean()) if n_c else None,
        },
        windows_open=sum(1 for c in companies if entered[c] + horizon > stop),
        power_lift=power_lift,
    )
    for key, label in METRICS:
        y = outcomes[key]
        x_t, x_c = int(y[treated].sum()), int(y[~treated].sum())
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
                cuped=stats.cuped(y, score, treated),
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

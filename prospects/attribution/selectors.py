"""Reads for the attribution page: the newest report at one level, and the outreach check
beside the experiment's measured lift."""

from dataclasses import dataclass

from prospects.attribution.credit import MODELS
from prospects.attribution.levels import DIMENSIONS, LEVELS
from prospects.attribution.models import AttributionReport
from prospects.experiments.models import Experiment
from prospects.experiments.selectors import experiment_report

MODEL_NAMES = dict(MODELS)


def latest_report() -> AttributionReport | None:
    """The newest stored report, or None before the first computation."""
    return AttributionReport.objects.first()


@dataclass
class Cell:
    credit: float
    share: float
    low: float
    high: float


@dataclass
class Row:
    label: str
    cells: list[Cell]
    exposure: dict | None


@dataclass
class Table:
    key: str
    title: str
    conversions: int
    credited: int
    rows: list[Row]
    with_exposure: bool


def level_tables(report: AttributionReport, level: str) -> tuple[dict, list[Table]]:
    """The level's totals and one table per dimension, cells in the order of `MODELS`."""
    stored = report.results.get(level) or {}
    tables = []
    for key, title in DIMENSIONS:
        dimension = stored.get("dimensions", {}).get(key, {"rows": []})
        rows = [
            Row(
                label=r["label"],
                cells=[Cell(*(v or 0.0 for v in r["models"][m])) for m, _ in MODELS],
                exposure=r.get("exposure"),
            )
            for r in dimension["rows"]
        ]
        tables.append(
            Table(
                key=key,
                title=title,
                conversions=dimension.get("conversions", 0),
                credited=dimension.get("credited", 0),
                rows=rows,
                with_exposure=any(r.exposure for r in rows),
            )
        )
    return {
        "journeys": stored.get("journeys", 0),
        "conversions": stored.get("conversions", 0),
    }, tables


@dataclass
class ModelVerdict:
    name: str
    credit: float
    verdict: str


@dataclass
class OutreachComparison:
    """The experiment's measured outreach effect beside each model's credit to outreach."""

    experiment: Experiment
    treated: int
    treated_rate: float
    control_rate: float
    extra: float
    extra_low: float
    extra_high: float
    conversions: int
    reached_conversions: int
    models: list[ModelVerdict]


def outreach_comparison(report: AttributionReport) -> OutreachComparison | None:
    """The check for the experiment the report was computed against (None without one).

    The experiment counts organic conversions (from the logs) within each company's window;
    its lift times the treated companies is the conversions outreach caused, with the
    beta-binomial interval scaled the same way. Attribution credits outreach touchpoints with
    a part of the treated companies' conversions in those windows.
    """
    check = report.results.get("check")
    if not check:
        return None
    experiment = Experiment.objects.filter(pk=check["experiment_id"]).first()
    if experiment is None:
        return None
    measured = next(m for m in experiment_report(experiment).metrics if m.key == "organic")
    treated = experiment.entries.filter(arm="treatment").count()
    low, high = measured.posterior.diff_low * treated, measured.posterior.diff_high * treated
    models = []
    for key, name in MODELS:
        credit = check["credit"][key]
        if credit > high:
            verdict = "more than the experiment measured: it overstates outreach"
        elif credit < low:
            verdict = "less than the experiment measured: it understates outreach"
        else:
            verdict = "within the experiment's interval"
        models.append(ModelVerdict(name, credit, verdict))
    return OutreachComparison(
        experiment=experiment,
        treated=treated,
        treated_rate=measured.treated_rate,
        control_rate=measured.control_rate,
        extra=measured.diff * treated,
        extra_low=low,
        extra_high=high,
        conversions=check["conversions"],
        reached_conversions=check["reached_conversions"],
        models=models,
    )


def level_choices() -> tuple:
    """The levels the page can show."""
    return LEVELS

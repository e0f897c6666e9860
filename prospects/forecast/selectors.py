"""Reads of the pipeline probabilities for the company page and the queue."""

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from prospects.forecast.backtest import MIN_OUTCOMES
from prospects.forecast.models import StageChance, StageForecast
from prospects.forecast.outcomes import REACHED
from prospects.models import Company, StatusChange

Stage = StageForecast.Stage


@dataclass(frozen=True)
class StageView:
    """What a page says about one stage: the chance, or why there is none, and the backtest."""

    stage: str
    label: str
    enough: bool
    outcomes: int  # the smaller side of the closed leads, against MIN_OUTCOMES
    minimum: int
    chance: float | None
    reached: bool
    backtest: dict

    @property
    def shortfall_text(self) -> str:
        """The too-few-outcomes message, with the count."""
        return f"not enough outcomes yet ({self.outcomes} of {self.minimum})"


def forecasts() -> dict[str, StageForecast | None]:
    """The latest fit of each stage (None for a stage never fitted), in one query."""
    rows = {f.stage: f for f in StageForecast.objects.all()}
    return {stage: rows.get(stage) for stage in Stage.values}


def _never_fitted_outcomes(stage: str) -> int:
    # Before the first refit: the companies that reached the stage, so the message counts up.
    return (
        StatusChange.objects.filter(
            to_status__in=REACHED[stage], undoes__isnull=True, undone_by__isnull=True
        )
        .values("company")
        .distinct()
        .count()
    )


def stage_views(*, company: Company | None = None, fits=None) -> list[StageView]:
    """Each stage as the pages show it, with this company's chance when one is given."""
    fits = forecasts() if fits is None else fits
    chances = {}
    if company is not None:
        chances = dict(
            StageChance.objects.filter(company=company).values_list("stage", "probability")
        )
    views = []
    for stage in Stage.values:
        fit = fits[stage]
        outcomes = fit.shortfall if fit else _never_fitted_outcomes(stage)
        views.append(
            StageView(
                stage=stage,
                label=Stage(stage).label,
                enough=bool(fit and fit.enough),
                outcomes=outcomes,
                minimum=MIN_OUTCOMES,
                chance=chances.get(stage),
                reached=company is not None and company.status in REACHED[stage],
                backtest=fit.backtest if fit else {},
            )
        )
    return views


def with_stage_chances(queryset: QuerySet[Company]) -> QuerySet[Company]:
    """Annotate `opportunity_chance` and `customer_chance` (None without a fitted model)."""

    def chance(stage):
        rows = StageChance.objects.filter(company=OuterRef("pk"), stage=stage)
        return Subquery(rows.values("probability")[:1])

    return queryset.annotate(
        opportunity_chance=chance(Stage.OPPORTUNITY), customer_chance=chance(Stage.CUSTOMER)
    )

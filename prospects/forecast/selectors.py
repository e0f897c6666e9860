"""Reads of the pipeline probabilities for the company page and the queue."""

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

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


def forecasts(*, company: Company | None = None) -> dict[str, StageForecast | None]:
    """The latest fit of each stage (None for a stage never fitted), in one query; with a
    company, each fit carries its `chance` (None without one)."""
    rows = StageForecast.objects.all()
    if company is not None:
        chance = StageChance.objects.filter(company=company, stage=OuterRef("stage"))
        rows = rows.annotate(chance=Subquery(chance.values("probability")[:1]))
    found = {f.stage: f for f in rows}
    return {stage: found.get(stage) for stage in Stage.values}


def _reached_so_far() -> dict[str, int]:
    """Before the first refit: the companies that reached each stage, so the message counts
    up from the start (one query)."""
    moves = StatusChange.objects.filter(undoes__isnull=True, undone_by__isnull=True)
    return moves.aggregate(
        **{
            stage: Count("company", distinct=True, filter=Q(to_status__in=statuses))
            for stage, statuses in REACHED.items()
        }
    )


def stage_views(*, company: Company | None = None) -> list[StageView]:
    """Each stage as the pages show it, with this company's chance when one is given."""
    fits = forecasts(company=company)
    so_far = _reached_so_far() if None in fits.values() else {}
    views = []
    for stage in Stage.values:
        fit = fits[stage]
        outcomes = fit.shortfall if fit else so_far[stage]
        views.append(
            StageView(
                stage=stage,
                label=Stage(stage).label,
                enough=bool(fit and fit.enough),
                outcomes=outcomes,
                minimum=MIN_OUTCOMES,
                chance=getattr(fit, "chance", None),
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

"""Pipeline probabilities: a fitted model per stage after the SQL, and each company's chance."""

from django.db import models


class StageForecast(models.Model):
    """The latest fit of one stage's model (lead → opportunity, lead → customer).

    Written by every refit, enough outcomes or not, so the pages can say how many there are.
    """

    class Stage(models.TextChoices):
        OPPORTUNITY = "opportunity", "Opportunity"
        CUSTOMER = "customer", "Customer"

    stage = models.CharField(max_length=12, choices=Stage.choices, unique=True)
    fitted_at = models.DateTimeField()
    # Leads (SQLs) whose outcome window has closed, and how many of them reached the stage.
    leads = models.PositiveIntegerField(default=0)
    reached = models.PositiveIntegerField(default=0)
    # False while either side has fewer than forecast.backtest.MIN_OUTCOMES leads.
    enough = models.BooleanField(default=False)
    # The fitted model: {"features": [...], "mean": [...], "scale": [...], "coef": [...],
    # "intercept": float}, fitted on every closed lead (empty when not enough).
    model = models.JSONField(default=dict)
    # The backtest: fitted on the earlier leads, reported on the later ones (see backtest.py).
    backtest = models.JSONField(default=dict)

    def __str__(self):
        return f"lead → {self.get_stage_display().lower()} at {self.fitted_at:%Y-%m-%d %H:%M}"

    @property
    def shortfall(self) -> int:
        """The outcomes counted against the minimum: the smaller side (reached or not)."""
        return min(self.reached, self.leads - self.reached)


class StageChance(models.Model):
    """A company's chance of reaching a stage once it is an SQL, from its latest refit."""

    company = models.ForeignKey(
        "prospects.Company", on_delete=models.CASCADE, related_name="stage_chances"
    )
    stage = models.CharField(max_length=12, choices=StageForecast.Stage.choices)
    probability = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "stage"], name="stagechance_company_stage")
        ]

    def __str__(self):
        return f"{self.company_id} → {self.stage}: {self.probability:.2f}"

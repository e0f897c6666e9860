"""The capacity threshold: the score a company needs to enter the research queue."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# The threshold before an admin has set one.
DEFAULT_THRESHOLD = Decimal("0.50")


class ThresholdQuerySet(models.QuerySet):
    def current(self) -> Decimal:
        """The threshold in force: the newest change, else DEFAULT_THRESHOLD (0.00 is a value)."""
        value = self.order_by("-changed_at", "-id").values_list("value", flat=True).first()
        return DEFAULT_THRESHOLD if value is None else value


class ThresholdChange(models.Model):
    """The admin's capacity threshold over time; the newest row is the one in force."""

    value = models.DecimalField(
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    objects = ThresholdQuerySet.as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(value__gte=0) & models.Q(value__lte=1),
                name="threshold_between_0_and_1",
            )
        ]

    def __str__(self):
        return f"{self.value} at {self.changed_at:%Y-%m-%d %H:%M}"

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


class SavedView(models.Model):
    """A named queue view: its filters and sort (a query string) and the columns shown.

    Private to its owner unless shared with the team; anyone may make any view they can see
    their default (ViewDefault).
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    # The queue's query string without the page number, e.g. "score_min=70&ordering=-recency".
    query = models.CharField(max_length=2000, blank=True, default="")
    columns = models.JSONField(default=list)
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="savedview_owner_name_unique")
        ]
        indexes = [
            # The view menu: the team's shared views beside one's own.
            models.Index(fields=["shared", "name"], name="savedview_shared_idx"),
        ]

    def __str__(self):
        return self.name


class ViewDefault(models.Model):
    """The saved view a person's queue opens with."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="queue_default"
    )
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="+")

    def __str__(self):
        return f"{self.user}: {self.view}"

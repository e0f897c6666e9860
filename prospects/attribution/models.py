"""Stored attribution reports: every model's credit, computed in the background."""

from django.db import models


class AttributionReport(models.Model):
    """One computation over every journey; the page shows the newest.

    `results` holds, per level ("visitor", "company"), per dimension, each label's credit,
    share and interval under every model, the exposure comparison for content, and the
    outreach check for the experiment that ran (or ran last) when it was computed.
    """

    computed_at = models.DateTimeField()
    lookback_days = models.PositiveIntegerField()
    half_life_days = models.FloatField()
    journeys = models.PositiveIntegerField(default=0)
    conversions = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    results = models.JSONField(default=dict)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self):
        return f"Attribution {self.computed_at:%Y-%m-%d %H:%M} ({self.conversions} conversions)"

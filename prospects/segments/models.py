"""Behaviour segments: clusters of visitors (and their companies) on the scoring features."""

from django.db import models


class SegmentQuerySet(models.QuerySet):
    def active(self) -> "SegmentQuerySet":
        """The segments of the latest clustering, largest first."""
        return self.filter(active=True).order_by("-size", "id")


class Segment(models.Model):
    """One behaviour cluster. A re-clustering keeps the row (and its rename) when it finds the
    same cluster again (nearest centroid); segments it no longer finds are retired, not deleted.
    """

    # Named by its dominant traits at each clustering ("evaluators: pricing, docs").
    auto_name = models.CharField(max_length=120)
    # An admin's name for it (blank: the automatic one shows).
    custom_name = models.CharField(max_length=80, blank=True, default="")
    active = models.BooleanField(default=True)
    # Mean of each log-scaled feature over its visitors, by feature name: what a re-clustering
    # matches against (names, not positions, so a new feature does not break the match).
    centroid = models.JSONField(default=dict)
    size = models.PositiveIntegerField(default=0)
    companies = models.PositiveIntegerField(default=0)
    # Visitors first seen at least the score horizon ago, and those of them who converted
    # within the horizon of their first visit.
    observed = models.PositiveIntegerField(default=0)
    converted = models.PositiveIntegerField(default=0)
    # [[category label, share of the segment's page views], ...], most read first.
    typical_content = models.JSONField(default=list)
    # [[week start "YYYY-MM-DD", active visitors], ...], oldest first.
    trend = models.JSONField(default=list)
    clustered_at = models.DateTimeField()

    objects = SegmentQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["active", "-size"], name="segment_active_size_idx")]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The admin's name when there is one, else the automatic one."""
        return self.custom_name or self.auto_name

    @property
    def conversion_rate(self) -> float | None:
        return self.converted / self.observed if self.observed else None


class Segmentation(models.Model):
    """One clustering run: how many visitors, the k chosen and the criterion for each k."""

    clustered_at = models.DateTimeField()
    visitors = models.PositiveIntegerField()
    k = models.PositiveSmallIntegerField()
    # {"2": bic, "3": bic, ...}: lower is better.
    bic = models.JSONField(default=dict)
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-clustered_at", "-id"]

    def __str__(self):
        return (
            f"{self.k} segments over {self.visitors} visitors at {self.clustered_at:%Y-%m-%d %H:%M}"
        )


class VisitorSegment(models.Model):
    """A visitor's segment in the latest clustering (rewritten by each run)."""

    visitor = models.OneToOneField(
        "prospects.Visitor", primary_key=True, on_delete=models.CASCADE, related_name="segment_link"
    )
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="visitor_links")

    def __str__(self):
        return f"visitor {self.visitor_id} in segment {self.segment_id}"


class CompanySegment(models.Model):
    """A company's segment: the one holding most of its visitors' page views."""

    company = models.OneToOneField(
        "prospects.Company", primary_key=True, on_delete=models.CASCADE, related_name="segment_link"
    )
    # Indexed as a foreign key: the queue's segment filter reads companies of one segment.
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="company_links")

    def __str__(self):
        return f"company {self.company_id} in segment {self.segment_id}"

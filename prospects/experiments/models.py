"""Holdout experiments: which companies entering the queue are held back from outreach."""

from django.conf import settings
from django.db import models


class Experiment(models.Model):
    """A named holdout: while it runs, a share of the companies entering the queue is hidden.

    At most one runs at a time. Stopping it freezes its assignment (no new companies join, no
    arm changes) and releases its control companies to the team.
    """

    name = models.CharField(max_length=120)
    # Share of newly queued companies held out as control, 0.01 … 0.50.
    holdout_share = models.DecimalField(max_digits=3, decimal_places=2)
    # Salt of the assignment hash, drawn at start: arms are reproducible, yet a new experiment
    # does not put the same companies in control as the last one.
    seed = models.BigIntegerField()
    running = models.BooleanField(default=True)
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["running"], condition=models.Q(running=True), name="one_running_experiment"
            ),
            models.CheckConstraint(
                condition=models.Q(holdout_share__gte=0.01) & models.Q(holdout_share__lte=0.5),
                name="experiment_share_1_to_50_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(running=True, stopped_at__isnull=True)
                | models.Q(running=False, stopped_at__isnull=False),
                name="experiment_stopped_iff_not_running",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.holdout_share:.0%} holdout)"


class QueueEntry(models.Model):
    """When a company first stood in the research queue, and its arm if an experiment ran.

    One row per company, written once: a company enters the queue for the first time only
    once, so it is assigned at most once, in at most one experiment.
    """

    class Arm(models.TextChoices):
        NONE = "", "Not in an experiment"
        TREATMENT = "treatment", "Treatment"
        CONTROL = "control", "Control (held out)"

    company = models.OneToOneField(
        "prospects.Company", on_delete=models.CASCADE, related_name="queue_entry"
    )
    entered_at = models.DateTimeField()
    # The company's score when it entered (the covariate of the CUPED adjustment).
    probability = models.FloatField()
    experiment = models.ForeignKey(
        Experiment, null=True, blank=True, on_delete=models.CASCADE, related_name="entries"
    )
    arm = models.CharField(max_length=10, choices=Arm.choices, blank=True, default="")
    # The outcome window of an assigned company: the score horizon from its assignment, fixed
    # when it is assigned (a later change of the setting does not move it), as a time for
    # organic conversions and as vendor-local days for touchpoints, which carry only a day.
    window_ends_at = models.DateTimeField(null=True, blank=True)
    entered_on = models.DateField(null=True, blank=True)
    window_ends_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(experiment__isnull=True, arm="")
                | models.Q(experiment__isnull=False, arm__in=["treatment", "control"]),
                name="queue_entry_arm_iff_experiment",
            ),
            models.CheckConstraint(
                condition=models.Q(experiment__isnull=True)
                | models.Q(
                    window_ends_at__isnull=False,
                    entered_on__isnull=False,
                    window_ends_on__isnull=False,
                ),
                name="queue_entry_assigned_has_window",
            ),
        ]
        indexes = [
            # The experiment page: an arm's sums, and its newest held-out companies.
            models.Index(
                fields=["experiment", "arm", "-entered_at"], name="queue_entry_arm_entered_idx"
            ),
        ]

    def __str__(self):
        return f"{self.company} entered {self.entered_at:%Y-%m-%d %H:%M} {self.arm or '-'}"

"""The model registry and the scores it hands out, with their reasons."""

from django.db import models


class ModelVersion(models.Model):
    """One trained, calibrated classifier with everything measured about it."""

    algorithm = models.CharField(max_length=50)
    trained_at = models.DateTimeField(auto_now_add=True)
    trained_by = models.CharField(
        max_length=150, help_text="User name or the task that trained it."
    )
    is_active = models.BooleanField(default=False)
    # File name inside LEADGEN_MODEL_DIR; never a path from outside it.
    file_name = models.CharField(max_length=200)
    feature_names = models.JSONField(default=list)
    training_size = models.PositiveIntegerField()
    training_positives = models.PositiveIntegerField()
    # The winner's backtest figures (None when the backtest rows could not give one).
    roc_auc = models.FloatField(null=True, blank=True)
    pr_auc = models.FloatField(null=True, blank=True)
    brier = models.FloatField(null=True, blank=True)
    # {name: {"roc_auc": .., "pr_auc": ..}}: every candidate's inner (grouped cross-validated)
    # figures on the snapshots before the backtest cutoff, on which the winner was chosen.
    candidates = models.JSONField(default=dict)
    # A score is the chance of converting within this many days of `data_until`.
    horizon_days = models.PositiveIntegerField(default=30)
    # The newest page view when the version was trained.
    data_until = models.DateTimeField(null=True, blank=True)
    # The backtest (scoring.backtest.Backtest.as_dict): cutoff, every candidate's figures, winner.
    backtest = models.JSONField(default=dict, blank=True)
    # Confusion matrices {"0.5": [[tn, fp], [fn, tp]], "threshold": ..., "at_threshold": [[..]]}.
    confusion = models.JSONField(default=dict)
    # Curves and tables for the model page: roc, pr, calibration bins.
    curves = models.JSONField(default=dict)
    feature_importances = models.JSONField(default=dict)

    class Meta:
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="one_active_model"
            ),
        ]

    def __str__(self):
        return f"v{self.pk} {self.algorithm} ({self.trained_at:%Y-%m-%d %H:%M})"


class VisitorScore(models.Model):
    """A visitor's probability of converting, from one model version, with its top reasons."""

    visitor = models.OneToOneField(
        "prospects.Visitor", on_delete=models.CASCADE, related_name="score"
    )
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    # [{"feature": name, "text": "viewed pricing 3 times", "weight": ..}, ...], strongest first.
    reasons = models.JSONField(default=list)
    scored_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["-probability"], name="visitorscore_prob_idx")]

    def __str__(self):
        return f"visitor {self.visitor_id}: {self.probability:.2f}"


class CompanyScore(models.Model):
    """A company's score: the highest among its eligible visitors, with how many there are.

    The engagement summary (`visitor_count`, `pricing_views`, `premium_views`, `last_visit`)
    covers the eligible visitors only and is as of the last rescore: the research queue reads
    it here instead of counting page views for every company on every request.
    """

    company = models.OneToOneField(
        "prospects.Company", on_delete=models.CASCADE, related_name="score"
    )
    model_version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()
    visitor_count = models.PositiveIntegerField()
    top_visitor = models.ForeignKey(
        "prospects.Visitor", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reasons = models.JSONField(default=list)
    scored_at = models.DateTimeField()
    # Page views of pricing and premium content by the eligible visitors, at the last rescore.
    pricing_views = models.PositiveIntegerField(default=0)
    premium_views = models.PositiveIntegerField(default=0)
    # The latest last_seen among the eligible visitors, at the last rescore.
    last_visit = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The research queue: companies above the threshold, highest first. The company
            # key in the index lets the queue's count join companies without reading the score
            # rows (their reasons make them wide): 6,646 companies counted in ~20 ms instead
            # of ~70 on SQLite (bench/queue.py's data).
            models.Index(fields=["-probability", "company"], name="companyscore_prob_company_idx"),
        ]

    def __str__(self):
        return f"company {self.company_id}: {self.probability:.2f} ({self.visitor_count} visitors)"


class TrainingRun(models.Model):
    """A request to train, kept so that a failed or too-small run leaves a readable record."""

    started_at = models.DateTimeField(auto_now_add=True)
    # Touched at each stage of training; a run whose process died stops touching it.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Set when the run ends, trained or not; a run without it is running or was killed.
    finished_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.CharField(max_length=150, default="", blank=True)
    ok = models.BooleanField(default=False)
    message = models.TextField(blank=True, default="")
    model_version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]

    def __str__(self):
        return f"training {self.started_at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'refused'}"


class PointRule(models.Model):
    """One row of the points rule the admins edit (Mautic/HubSpot style): behaviour, points, decay.

    The behaviour is a count column of the feature table (`scoring.features.FEATURE_NAMES`);
    `scoring.points` turns the rows into a scorer that stands beside the learned models.
    """

    class Behaviour(models.TextChoices):
        BLOG = "views_blog", "Blog post view"
        PRODUCT = "views_product", "Product page view"
        PRICING = "views_pricing", "Pricing page view"
        PREMIUM = "views_premium", "Premium content view"
        DOCS = "views_docs", "Documentation page view"
        COMPANY = "views_company", "Company or customers page view"
        HOME = "views_home", "Home page view"
        PRESS = "views_press", "Press page view"
        JOBS = "views_jobs", "Jobs page view"
        OTHER = "views_other", "Other page view"
        RETURN_DAY = "return_days", "Return day (each day after the first)"
        VISIT = "sessions", "Visit"
        PAGE = "pageviews", "Any page view"

    behaviour = models.CharField(max_length=40, choices=Behaviour.choices)
    points = models.IntegerField(
        help_text="Points each time the behaviour happens (may be negative)."
    )
    decay_per_day = models.FloatField(
        default=0.0,
        help_text="Points this row loses per day since the visitor's last visit (never past zero).",
    )

    class Meta:
        ordering = ["-points", "behaviour"]
        constraints = [
            models.UniqueConstraint(fields=["behaviour"], name="one_point_rule_per_behaviour"),
            models.CheckConstraint(
                condition=models.Q(points__gte=-1000, points__lte=1000),
                name="point_rule_points_bounded",
            ),
            models.CheckConstraint(
                condition=models.Q(decay_per_day__gte=0, decay_per_day__lte=1000),
                name="point_rule_decay_bounded",
            ),
        ]

    def __str__(self):
        return f"{self.get_behaviour_display()}: {self.points:+d}"
